"""A wire story carried by 40 papers: every outlet is coverage (kept by gather's dedupe),
shown as "and N more" in the email, and the story leads the edition."""

from __future__ import annotations

import dataclasses
from datetime import timedelta

from digest.compose import ComposeSettings, compose
from digest.gather.gather import dedupe
from digest.models import Article, Summary
from digest.render import RenderSettings, render_edition
from tests.compose import test_edition
from tests.compose.test_edition import NOW

NEWSLETTER = dataclasses.replace(test_edition.NEWSLETTER, max_stories=6)
WIRE = (
    "GENEVA (AP) — Iranian and U.S. negotiators met for a third round of talks in Geneva on "
    "Tuesday, with both sides reporting progress on limits to uranium enrichment and the "
    "lifting of sanctions. Oman's foreign minister, who mediates, said a framework could be "
    "ready within weeks."
)
HEADLINES = (
    "Iran and US report progress in Geneva nuclear talks",
    "Iran, US negotiators meet again in Geneva",
    "US and Iran hold third round of nuclear talks in Geneva",
)
OTHERS = [
    ("https://own.example/storm", "Storm closes schools across the county", "Schools shut on Monday as winds reached 90 mph, the council said.", "Own Paper"),  # noqa: E501
    ("https://own.example/budget", "Council approves new budget for libraries", "The library budget rises by 4 percent next year after a long debate.", "Own Paper"),  # noqa: E501
    ("https://tech.example/chips", "Chip maker reports record profit on AI demand", "Quarterly sales of accelerators doubled, the company said.", "Tech Daily"),  # noqa: E501
    ("https://sport.example/derby", "United win the derby in stoppage time", "A late header settled the match 2-1 at home.", "Sport Desk"),  # noqa: E501
]  # fmt: skip


def wire_copies() -> list[Article]:
    return [
        Article(
            url=f"https://paper{n:02d}.example/world/iran-us-talks",
            title=HEADLINES[n % len(HEADLINES)],
            text=WIRE,
            source=f"Paper {n:02d}",
            published=NOW - timedelta(hours=3 + n / 10),
        )
        for n in range(40)
    ]


def others() -> list[Article]:
    return [
        Article(url=u, title=t, text=x, source=s, published=NOW - timedelta(hours=1))
        for u, t, x, s in OTHERS
    ]


def test_forty_outlets_show_and_37_more_and_lead_the_edition() -> None:
    articles = dedupe([*others(), *wire_copies()])
    items = [
        (a, Summary(headline=a.title, section=None, key_points=(a.text[:80],))) for a in articles
    ]
    weights = {"Own Paper": 3.0, "Tech Daily": 2.0}  # single-outlet stories from heavier sources
    settings = ComposeSettings(source_weights=weights)
    digest = compose(items, newsletter=NEWSLETTER, settings=settings, edition_id="e1", now=NOW)
    assert digest is not None
    top = digest.stories[digest.lead]
    assert top.headline in HEADLINES
    assert len(top.also_in) == 39
    assert len({link.title for link in top.also_in} | {top.source}) == 40
    assert len(digest.stories) == 1 + len(OTHERS)
    rendered = render_edition(digest, NEWSLETTER, RenderSettings())  # the default: 2 named
    assert "and 37 more" in rendered.html
    assert rendered.html.index(top.headline) < min(rendered.html.index(t) for _, t, _, _ in OTHERS)


def test_the_group_threshold_decides_what_is_one_story_but_copies_stay_together() -> None:
    items = [*test_edition.ITEMS, *((a, Summary(a.title, None, ())) for a in wire_copies()[:3])]

    def stories(threshold: float) -> list[tuple[str, int]]:
        settings = ComposeSettings(group_threshold=threshold)
        digest = compose(items, newsletter=NEWSLETTER, settings=settings, edition_id="e", now=NOW)
        assert digest is not None
        return sorted((s.url, len(s.also_in)) for s in digest.stories)

    assert ("https://b/bank", 1) in stories(0.14)  # the two banks' rate rise: one story
    strict = stories(1.0)
    assert ("https://b/bank", 0) in strict and ("https://a/bank", 0) in strict
    assert ("https://paper00.example/world/iran-us-talks", 2) in strict  # one text, 3 papers
