"""Near-duplicate coverage across outlets groups together; different stories do not."""

from __future__ import annotations

from digest.compose.cluster import cluster_articles
from digest.models import Article

BODY = (
    "The central bank raised interest rates by a quarter point on Thursday, its third increase "
    "this year, saying inflation remained too high. Markets had expected the move."
)


def art(url: str, title: str, text: str, source: str = "A") -> Article:
    return Article(url=url, title=title, text=text, source=source)


def test_same_story_from_two_outlets_clusters() -> None:
    articles = [
        art("a", "Central bank raises rates again", BODY, "A"),
        art("b", "Flood waters recede in the north", "Rivers fell overnight after a week of rain."),
        art("c", "Bank raises interest rates a third time", "In London, " + BODY, "B"),
    ]
    assert cluster_articles(articles) == [[0, 2], [1]]


def test_similar_titles_cluster_even_with_different_bodies() -> None:
    articles = [
        art("a", "Storm Ciara closes schools across Wales", "Schools shut on Monday."),
        art("b", "Storm Ciara closes schools across Wales today", "Heads sent pupils home."),
    ]
    assert cluster_articles(articles) == [[0, 1]]


def test_unrelated_stories_stay_apart_and_empty_input() -> None:
    articles = [
        art(str(i), f"Story number {i} about topic {i}", f"Body {i} " * 5) for i in range(4)
    ]
    assert cluster_articles(articles) == [[0], [1], [2], [3]]
    assert cluster_articles([]) == []
