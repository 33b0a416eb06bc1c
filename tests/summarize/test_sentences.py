"""The rule-based splitter on the cases that break naive regex splitters."""

from __future__ import annotations

import pytest

from digest.summarize.sentences import split_sentences


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "The U.S. economy grew 2.5 per cent. Dr. Smith said so.",
            ["The U.S. economy grew 2.5 per cent.", "Dr. Smith said so."],
        ),
        (
            "He lives at No. 10 Downing St. in London. No. That is wrong.",
            ["He lives at No. 10 Downing St. in London.", "No.", "That is wrong."],
        ),
        (
            "The minister said.The minister left.",
            ["The minister said.", "The minister left."],
        ),
        (
            "Talks with the U.S. The president agreed.",
            ["Talks with the U.S.", "The president agreed."],
        ),
        (
            "J. K. Rowling spoke at 3 p.m. on Monday. It sold well! Really? Yes.",
            ["J. K. Rowling spoke at 3 p.m. on Monday.", "It sold well!", "Really?", "Yes."],
        ),
        (
            "'I am happy,' he said. 'Very happy.' Then he left.",
            ["'I am happy,' he said.", "'Very happy.'", "Then he left."],
        ),
        ("She said \u201cGo.\u201d Then she left.", ["She said \u201cGo.\u201d", "Then she left."]),
        ("Version 3.11 shipped. Prices rose 0.5%.", ["Version 3.11 shipped.", "Prices rose 0.5%."]),
        ("no punctuation at all here", ["no punctuation at all here"]),
        ("", []),
    ],
)
def test_splits(text: str, expected: list[str]) -> None:
    assert split_sentences(text) == expected


def test_every_line_ends_a_sentence() -> None:
    assert split_sentences("A heading\nThe body starts here. It goes on.") == [
        "A heading",
        "The body starts here.",
        "It goes on.",
    ]


def test_domain_names_and_lowercase_after_period_do_not_split() -> None:
    assert split_sentences("Visit example.com today. Then e.g. this one.") == [
        "Visit example.com today.",
        "Then e.g. this one.",
    ]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("It opened in 2017.The mayor came.", ["It opened in 2017.", "The mayor came."]),
        ("more than that.A photograph shows it.", ["more than that.", "A photograph shows it."]),
        ("the Corps (IAVC).The dogs arrive.", ["the Corps (IAVC).", "The dogs arrive."]),
        ("said the BJP.The vote is on.", ["said the BJP.", "The vote is on."]),
        (
            "The campus on August 2.According to the party, it waits.",
            ["The campus on August 2.", "According to the party, it waits."],
        ),
        ("Mr.Smith came.", ["Mr.Smith came."]),
        ("It grew 3.5 per cent.", ["It grew 3.5 per cent."]),
        ("Talks with the U.S.The end.", ["Talks with the U.S.The end."]),
    ],
)
def test_glued_paragraphs(text: str, expected: list[str]) -> None:
    assert split_sentences(text) == expected


def test_a_caption_glued_on_without_a_full_stop_is_its_own_sentence() -> None:
    text = (
        "The special relationship between Britain and the US was strong under Margaret Thatcher "
        "and Ronald Reagan The document states that Britain may no longer be centrally relevant."
    )
    assert split_sentences(text) == [
        "The special relationship between Britain and the US was strong under Margaret Thatcher "
        "and Ronald Reagan",
        "The document states that Britain may no longer be centrally relevant.",
    ]
    titled = (
        "The memo, seen by The Mail on Sunday and shared with members of Congress this week, "
        "warns that the relationship may need a thorough reassessment soon."
    )
    assert split_sentences(titled) == [titled]
