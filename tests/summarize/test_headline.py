"""Headlines: a given title cleaned; without one, a short complete phrase from the lead."""

from __future__ import annotations

import pytest

from digest.models import Article
from digest.summarize import ExtractiveSummarizer
from digest.summarize.headline import clean_headline, lead_headline
from digest.summarize.shape import MAX_HEADLINE_WORDS, content


@pytest.mark.parametrize(
    ("lead", "expected"),
    [
        (
            "Gary Locke will be confirmed as Kilmarnock's permanent manager on Friday - exactly "
            "eight weeks after he was asked to take charge until the end of the season.",
            "Gary Locke will be confirmed as Kilmarnock's permanent manager on Friday",
        ),
        (
            "Days after Tesla CEO Elon Musk said that artificial intelligence (AI) was the biggest "
            "risk, Facebook has shut down one of its AI systems after chatbots started speaking "
            "in their own language.",
            "Facebook has shut down one of its AI systems after chatbots started speaking",
        ),
        (
            "New Delhi, Jul 30 (PTI) The council approved the budget on Tuesday.",
            "The council approved the budget on Tuesday",
        ),
    ],
)
def test_lead_headline(lead: str, expected: str) -> None:
    assert lead_headline(lead) == expected


def test_lead_headline_never_ends_on_a_word_that_needs_more() -> None:
    lead = (
        "Washington believes that the special relationship between Britain and the US is over, "
        "according to a secret briefing document seen by The Mail on Sunday."
    )
    headline = lead_headline(lead)
    assert headline is not None and len(headline.split()) <= MAX_HEADLINE_WORDS
    assert headline.split()[-1] not in ("according", "the", "of", "that", "to")


def test_untitled_article_gets_a_short_headline_and_no_point_repeats_it() -> None:
    """The lead the headline is cut from may be a point only for what it says beyond it."""
    text = (
        "Gary Locke will be confirmed as Kilmarnock's permanent manager on Friday - exactly "
        "eight weeks after he was asked to take charge until the end of the season. "
        "An announcement will be made by the Rugby Park club on Friday morning, with the former "
        "Hearts boss being given a three-year deal. Kilmarnock went unbeaten during Locke's first "
        "six games in charge of the club. The board met on Thursday night to agree the terms."
    )
    summary = ExtractiveSummarizer().summarize(Article(url="", title="", text=text, source="s"))
    assert summary.headline == (
        "Gary Locke will be confirmed as Kilmarnock's permanent manager on Friday"
    )
    assert "\u2026" not in summary.headline
    assert summary.key_points[0].startswith("Gary Locke will be confirmed")
    assert "eight weeks after he was asked to take charge" in summary.key_points[0]
    headline = content(summary.headline)
    for point in summary.key_points:
        assert len(content(point) & headline) < 0.75 * len(content(point)), point


def test_a_lead_that_is_all_headline_is_no_point() -> None:
    text = (
        "The council approved the new city budget on Tuesday. "
        "Spending on schools rises by a tenth, the largest rise in twenty years. "
        "Road repairs get a fund of their own for the first time since 2009. "
        "Opposition members voted against the plan over the cost of the new tram line."
    )
    summary = ExtractiveSummarizer().summarize(Article(url="", title="", text=text, source="s"))
    assert summary.headline == "The council approved the new city budget on Tuesday"
    assert summary.key_points and not any("council approved" in p for p in summary.key_points)


def test_clean_headline_drops_a_site_suffix() -> None:
    assert (
        clean_headline("Rosenberg: Trump-Putin Call | World News") == "Rosenberg: Trump-Putin Call"
    )
    assert clean_headline(None) == ""


def test_a_sentence_that_goes_on_from_the_one_before_is_no_headline() -> None:
    """Lead a quotation, then "Meanwhile others say...": that reads as a headline only after
    the sentence before it; the headline is the next plain clause."""
    text = (
        '"It is not just sunburn," one maker says of its new cream.\n'
        "Meanwhile others say they protect the skin from the inside.\n"
        "A dermatologist tested eight new suncreams in a London clinic this spring, and "
        "found that two of them did nothing.\n"
        "The cheapest one worked best, he said."
    )
    summary = ExtractiveSummarizer().summarize(Article(url="", title="", text=text, source="s"))
    assert not summary.headline.startswith("Meanwhile")
    assert summary.headline.startswith("A dermatologist tested eight new suncreams")
