"""gather's dedupe drops only the same article: the same canonical URL, or the same outlet's copy
under a second URL. Another outlet's copy of the same text is coverage and stays."""

from __future__ import annotations

from digest.gather.gather import dedupe
from digest.models import Article
from tests.compose.test_coverage import others, wire_copies


def test_dedupe_keeps_other_outlets_and_drops_the_same_article() -> None:
    copies = wire_copies()
    same_url = Article(url=copies[5].url, title="Another title", text="x", source="Paper 05")
    second_url = Article(
        url=copies[7].url + "?utm_source=rss",
        title=copies[7].title,
        text=copies[7].text,
        source=copies[7].source,
    )
    kept = dedupe([*copies, same_url, second_url, *others()])
    assert kept == (*copies, *others())
