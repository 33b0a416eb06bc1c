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
