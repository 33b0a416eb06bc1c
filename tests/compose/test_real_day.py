"""A real day of eight world-news feeds (tests/data/gather/feeds/real: Japan Today, the
Christian Science Monitor, WSJ World, AllAfrica, NPR World, Boston.com World, MercoPress, ABC
International; 147 articles, gathered as the pipeline gathers them), grouped as an editor would.

The pairs were chosen by reading the articles, not from any grouping's output: different events
that share a country, a person or a number must stay apart; one event told by several outlets
(or by one outlet over two days) must be one story.
"""

from __future__ import annotations

import random
from functools import cache

import pytest

from digest.compose import cluster_articles
from digest.gather.feeds import parse_feed
from digest.models import Article
from tests.conftest import REPO

FEEDS = REPO / "tests" / "data" / "gather" / "feeds" / "real"
OUTLETS = {
    "18138c717652f678": "Japan Today",
    "4179e7a13df0f120": "CSM",
    "4288464f77b21d15": "WSJ",
    "6040d25e925318ed": "AllAfrica",
    "7be307059415227d": "NPR",
    "d2a188f20637f7a4": "Boston.com",
    "e8fa5b64a4b41322": "MercoPress",
    "f9c17f360c71def1": "ABC News",
}

# Different events that share a name or a word; the grouping before this test joined each pair.
APART = [
    ("Germany will keep supporting Lebanon", "Germany's Economic Model Is Broken"),
    ("Ghana: Russian Embassy Responds", "Ghana: No Bed Syndrome"),
    ("Kenya: Traders Warn Tobacco Bill", "Kenya: Pilots Warn of Fatigue"),
    ("Sudan: AU Intensifies Diplomatic Push", "Strike on market in Sudan kills"),
    ("Trump says Board of Peace will unveil $5 billion", "Australia pledges $2.7 billion"),
    ("Trump Says Colombia Will Accept Deportees", "Colombian pro-Trump lawmaker asks Petro"),
    ("Canada Is Becoming a Fentanyl Exporter", "US, Canada and Mexico face measles"),
    ("Strikes on 3 more alleged drug boats kill 11", "Suicide bomber and gunmen kill 11"),
    ("Palestinians Stream Back to Northern Gaza", "Prosecutors plan to charge Israeli settler"),
    ("Palestinians Stream Back to Northern Gaza", "In Gaza, Israel\u2019s creeping Yellow Line"),
    ("Africa: All of Africa Today", "Africa: Building Africa's Future Together"),
    ("Takaichi will be reappointed", "Bangladesh\u2019s new prime minister"),
]

# One event each, in different words (and outlets).
TOGETHER = [
    ["Peru's Congress removes interim President Jerí as he faces a corruption probe",
     "Peru\u2019s Congress ousts interim President José Jerí",
     "Peru's Congress removes interim President Jerí as he faces corruption allegations"],
    ["Macron holds talks with India's Modi", "France's Macron holds bilateral talks"],
    ["Iran foreign minister says progress made", "Iran meets U.N. nuclear watchdog in Geneva",
     "Iran\u2019s top diplomat to attend 'indirect' talks", "Progress but not compromise",
     "US and Iran to meet for second round", "U.S. and Iran to hold a second round",
     "Iran temporarily closed the Strait of Hormuz"],
    ["Ukraine, Russia hold peace talks in Geneva", "Russian and Ukrainian officials meet",
     "Expectations are low for the latest US-brokered talks"],
    ["Jesse Jackson, civil rights leader", "Jesse Jackson\u2019s journey"],
    ["Australia won't repatriate 34 women and children from Syria",
     "Australia won't repatriate 34 women and children linked to IS",
     "Australians with alleged IS ties are turned back"],
    ["Kenya: Aviation Workers Suspend Strike", "Kenya: Pilots Warn of Fatigue",
     "Kenya's main airport resumes operations"],
    ["Suspect in Canada shooting is identified", "Shooter in Canada kills 9 people"],
    ["Nigeria: Reps Stage Walk Out", "Nigeria: Electoral Act - Electronic Transmission"],
    ["Rwanda-Backed Rebels Enter Congo", "U.N. and Congolese Troops Struggle"],
    ["Madagascar: Successive Cyclones", "Southern Africa: SADC Deploys Disaster Response"],
    ["Hamas Releases Four Female Israeli Soldiers", "Who Are the Israeli Hostages Released",
     "The Latest Gaza Hostages Freed"],
]  # fmt: skip


@cache
def day() -> tuple[Article, ...]:
    articles: list[Article] = []
    for stem, outlet in OUTLETS.items():
        body = (FEEDS / f"{stem}.xml").read_bytes()
        url = f"https://{stem}.example/feed"
        articles += parse_feed(body, url=url, content_type="application/rss+xml", source=outlet)
    return tuple(articles)


@cache
def story_of() -> dict[str, int]:
    """Each article's title -> the number of its story today."""
    articles = day()
    return {
        articles[i].title: n for n, group in enumerate(cluster_articles(articles)) for i in group
    }


def story(start: str) -> int:
    (title,) = [t for t in story_of() if t.startswith(start)]  # each start names one article
    return story_of()[title]


def test_the_day_is_the_one_that_was_read() -> None:
    assert len(day()) == 147
    assert all(article.text for article in day())


@pytest.mark.parametrize(("first", "second"), APART)
def test_different_events_that_share_a_name_stay_apart(first: str, second: str) -> None:
    assert story(first) != story(second)


@pytest.mark.parametrize("starts", TOGETHER, ids=lambda starts: starts[0][:30])
def test_one_event_in_different_words_is_one_story(starts: list[str]) -> None:
    assert len({story(start) for start in starts}) == 1


def test_the_same_stories_in_any_order() -> None:
    articles = list(day())
    assert len({a.url for a in articles}) == len(articles)
    today = {frozenset(articles[i].url for i in g) for g in cluster_articles(articles)}
    rng = random.Random(21)
    for _ in range(2):
        rng.shuffle(articles)
        again = {frozenset(articles[i].url for i in g) for g in cluster_articles(articles)}
        assert again == today
