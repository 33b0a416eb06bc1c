"""The line cleaner: every rule case by case, and real sentences that must survive."""

from __future__ import annotations

from pathlib import Path

import pytest

from digest.gather.clean import RULES, Cleaned, clean_text, is_chrome

DATA = Path(__file__).resolve().parent.parent / "data" / "gather"
HEADLINE = "Rosenberg: Trump-Putin Call Viewed as a Win in Russia"
SAMPLE_CHROME = (
    "Would you like any refinements to this version?",
    "Leave A Comment",
    "Live Tv",
    "Newsletter",
    "Subscribe to our newsletter to stay.",
)


def test_sample_article_keeps_headline_first_and_loses_its_chrome() -> None:
    sample = DATA.parent / "article-world-putin-call.txt"
    cleaned = clean_text(sample.read_text(encoding="utf-8"))
    lines = cleaned.text.split("\n\n")
    assert cleaned.section == "World"
    assert lines[0] == HEADLINE
    assert lines[1] == "Moscow Sees Diplomatic Victory in Lengthy Trump-Putin Discussion"
    for chrome in SAMPLE_CHROME:
        assert chrome not in lines
    assert lines[-1].startswith("As discussions between the U.S. and Russia continue")
    assert any(
        line.endswith("Ending Western military aid and intelligence support to Ukraine")
        for line in lines
    )


@pytest.mark.parametrize(
    ("line", "rule"),
    [
        ("Would you like any refinements to this version?", "chatbot"),
        ("Would you like me to make it shorter?", "chatbot"),
        ("Let me know if you'd like any changes.", "chatbot"),
        ("Sure! Here's a polished version of the article:", "chatbot"),
        ("Here is the revised version with a stronger lede.", "chatbot"),
        ("I hope this helps!", "chatbot"),
        ("Leave A Comment", "comments"),
        ("Leave a reply", "comments"),
        ("12 Comments", "comments"),
        ("Join the conversation", "comments"),
        ("Live Tv", "navigation"),
        ("Newsletter", "navigation"),
        ("Newsletters", "navigation"),
        ("Skip to main content", "navigation"),
        ("Advertisement", "navigation"),
        ("Most Read", "navigation"),
        ("Subscribe to our newsletter to stay.", "subscribe"),
        ("Sign up for our daily newsletter and get the news in your inbox", "subscribe"),
        ("Get our free newsletter", "subscribe"),
        ("Subscribe now", "subscribe"),
        ("Share this article", "share"),
        ("Share on Facebook", "share"),
        ("WhatsApp", "share"),
        ("Copy link", "share"),
        ("ALSO READ: Markets rally as inflation cools", "teaser"),
        ("READ MORE | The ten best beaches in Europe", "teaser"),
        ("Related: How the vote was counted", "teaser"),
        ("Follow @newsdesk for more updates", "follow"),
        ("Follow us on Twitter", "follow"),
        ("We use cookies to improve your experience on our site.", "cookies"),
        ("This website uses cookies. By continuing you agree to our use of cookies.", "cookies"),
        ("Accept all cookies", "cookies"),
    ],
)
def test_each_rule_removes_its_chrome(line: str, rule: str) -> None:
    assert is_chrome(line) == rule


@pytest.mark.parametrize(
    "sentence",
    [
        "Would you like to live in a city where rents doubled in five years, she asked voters.",
        "The newsletter, founded in 2009, now reaches two million readers every morning.",
        "Comments made by the minister on Tuesday drew criticism from the opposition.",
        "He asked readers to leave a comment on the proposal before the consultation closes.",
        "Subscribers to the service will pay $4 more each month from January.",
        "Share prices fell 3% after the announcement.",
        "Follow the money, the investigators said, and the trail leads to Cyprus.",
        "Live TV coverage of the debate drew a record audience of 12 million viewers.",
        "The company said it uses cookies made from a family recipe dating back to 1920.",
        "Read more carefully, the contract shows a different picture.",
        "Home prices rose for the ninth month in a row.",
        "World leaders gathered in Geneva for the talks.",
        "I hope this helps the families move on, the mayor said after the verdict.",
    ],
)
def test_real_sentences_survive(sentence: str) -> None:
    assert is_chrome(sentence) is None
    assert clean_text(sentence).text == sentence


def test_section_label_only_removed_from_the_top() -> None:
    text = "Politics\n\nVote delayed again\nThe vote was delayed.\nWorld\nMore text here."
    cleaned = clean_text(text)
    assert cleaned == Cleaned(
        "Vote delayed again\n\nThe vote was delayed.\n\nWorld\n\nMore text here.", "Politics"
    )


def test_breadcrumb_label_gives_last_part() -> None:
    assert clean_text("News > World\nA headline here\nBody.").section == "World"


def test_no_label_means_no_section_and_whitespace_is_normalised() -> None:
    cleaned = clean_text("  A  headline\u00a0here \n\n\n\n  Body line.  \n")
    assert cleaned == Cleaned("A headline here\n\nBody line.", None)


def test_empty_text_stays_empty() -> None:
    assert clean_text("") == Cleaned("", None)
    assert clean_text("Newsletter\nLive Tv\n") == Cleaned("", None)


def test_rule_names_are_unique() -> None:
    names = [rule.name for rule in RULES]
    assert len(names) == len(set(names))
