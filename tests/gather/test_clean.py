"""The line cleaner: every rule case by case, and real sentences that must survive."""

from __future__ import annotations

from pathlib import Path

import pytest

from digest.gather.clean import RULES, Cleaned, clean_text, is_chrome, repair_text

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
        # Issue 20: a leading dash or bracket no longer hides chrome; new kinds of chrome.
        ("- Previous", "navigation"),
        ("- Next", "navigation"),
        ("Click here to subscribe to The Morning newsletter.", "subscribe"),
        ("Thanks for signing up!", "subscribe"),
        ("CLICK HERE TO GET THE FOX NEWS APP", "subscribe"),
        ("You may also like...", "more"),
        ("Popular on IndieWire", "more"),
        ("Like this story? Share it with a friend!", "more"),
        ("[Related: How the vote was counted]", "teaser"),
        ("Listen: The Daily podcast on the vote", "teaser"),
        ("\u00a9 2019 Cable News Network. All Rights Reserved.", "copyright"),
        ("Copyright 2019 The Associated Press. All rights reserved.", "copyright"),
        ("Copyright \u00a9 2020 Example Media", "copyright"),
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
        "Related-party transactions rose 20% last year, the filing shows.",
        "Listen: the problem is not money, it is time.",
        "Would you like a cup of tea?",
        "Copyright law changed in 1998, when Congress extended terms by 20 years.",
        "Sign up for a Hulu ad-free account for $11.99 a month",
        "More on the vote: turnout rose in every county, officials said on Friday.",
        "- The minister, who took office in May, denied the report.",
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


# ---------------------------------------------------------------- repair_text (inside lines)


def test_mojibake_is_decoded_back() -> None:
    original = "It\u2019s a \u201cdeal\u201d \u2014 caf\u00e9 prices rose \u00a35."
    # As browsers read UTF-8 bytes as Windows-1252 (its five unmapped bytes as C1 controls).
    unmapped = (0x81, 0x8D, 0x8F, 0x90, 0x9D)
    mangled = "".join(
        chr(b) if b in unmapped else bytes([b]).decode("cp1252") for b in original.encode("utf-8")
    )
    assert "\u00e2\u20ac" in mangled
    assert repair_text(mangled) == original


def test_text_that_only_looks_like_mojibake_stays() -> None:
    text = "\u00c2ge and the \u00e2me of a city: \u00c3 la carte."
    assert repair_text(text) == text


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "in the semifinals.READ?|?PV Sindhu appointed as Deputy Collector in Andhra "
            "governmentA shuttle star said so.",
            "in the semifinals.\nA shuttle star said so.",
        ),
        (
            "the court said.ALSO READ: Kerala HC rejects Dileep's bail pleaThe hearing ended.",
            "the court said.\nThe hearing ended.",
        ),
        ("He left. Read more: Ten best beaches in Europe", "He left.\n"),
        (
            "Congratulated her. pic.twitter.com/qIQlOjPmHu? Narendra Modi (@narendramodi) "
            "July 27, 2017The team met the PM.",
            "Congratulated her.\n\nThe team met the PM.",
        ),
        (
            "The minister (Photo: HT/Getty Images) spoke to the man (right) and his wife "
            "(pictured, centre) on Monday (Right to Equality).",
            "The minister spoke to the man and his wife on Monday (Right to Equality).",
        ),
        ("Scroll down for video Michelle Obama kept busy.", "Michelle Obama kept busy."),
    ],
)
def test_inline_chrome_goes_and_the_glued_paragraph_stays(text: str, expected: str) -> None:
    assert repair_text(text) == expected


def test_lost_quotes_apostrophes_and_dashes_come_back() -> None:
    text = (
        "the plug on the AI system that its researchers were working on ?because things got "
        "out of hand?. ?The AI stopped using English,? the report noted.?Over time, India?s "
        "bots grew ? and nobody knew why,? it added. Is that a risk? Nobody can say."
    )
    assert repair_text(text) == (
        "the plug on the AI system that its researchers were working on \u201cbecause things "
        "got out of hand\u201d. \u201cThe AI stopped using English,\u201d the report noted. "
        "\u201cOver time, India\u2019s bots grew \u2013 and nobody knew why,\u201d it added. "
        "Is that a risk? Nobody can say."
    )


def test_real_question_marks_and_query_strings_survive_in_clean_text() -> None:
    text = "Will rates rise? Analysts think so. See https://example.org/a?id=3 for more."
    assert repair_text(text) == text


def test_lost_currency_sign_is_left_alone() -> None:
    text = "Women?s team won. The party filed a ?100 crore case, ?we will win,? it said."
    assert "?100 crore" in repair_text(text)


def test_gold_article_lines_survive() -> None:
    """Lines of real articles (the extraction benchmark's gold) that start like chrome."""
    path = Path(__file__).resolve().parent.parent / "data" / "gather" / "gold-lines.txt"
    lines = [line for line in path.read_text(encoding="utf-8").splitlines() if line]
    assert len(lines) > 500
    assert [line for line in lines if is_chrome(line)] == []
