"""The point shape both summarizers meet: one standing sentence, short, no repeats."""

from __future__ import annotations

import pytest

from digest.summarize.shape import (
    MAX_POINT_WORDS,
    balance_quotes,
    content,
    fits,
    is_fragment,
    repeats,
    shape_points,
)

HEADLINE = "Council approves the harbour budget"


@pytest.mark.parametrize(
    "text",
    [
        "Yadav told ANI in Lucknow.",
        "Jones said on the pay-per-view broadcast.",
        "And Lesnar was listening.",
        "He added that the plan would cost more.",
        "They later denied it in a statement.",
        "When large parts of India are being inundated by heavy rains.",
        "officials said the barrier held through the night",
        "Analysts expected less.",
    ],
)
def test_fragments_are_not_points(text: str) -> None:
    assert is_fragment(text)


@pytest.mark.parametrize(
    "text",
    [
        "The council approved a 40 million euro plan to rebuild the old harbour.",
        "Spending rises 3.5% next year.",
        "Jones said he would fight Lesnar in November.",
        "\u201cWe will rebuild the quay,\u201d the mayor said.",
        "When the vote came, six members abstained.",
    ],
)
def test_standing_sentences_are_points(text: str) -> None:
    assert not is_fragment(text)


def test_a_point_over_the_word_limit_does_not_fit() -> None:
    long = " ".join(["word"] * MAX_POINT_WORDS) + " more."
    assert fits("The " + long, frozenset(), []) is None
    assert fits("The council approved the plan on Monday.", frozenset(), []) is not None


def test_no_point_repeats_the_headline_or_another_point() -> None:
    headline = content(HEADLINE)
    assert fits("The council approves the harbour budget.", headline, []) is None
    first = fits("Rents near the water are expected to rise by a fifth.", headline, [])
    assert first is not None
    assert (
        fits("Rents near the water could rise by a fifth, agents say.", headline, [first]) is None
    )


def test_points_on_one_topic_that_add_a_fact_are_no_repeats() -> None:
    """Sharing the story's words is no repeat; adding little, or holding another whole, is."""
    first = content(
        "Power distribution companies will now have to procure more green energy or "
        "electricity generated from renewable sources."
    )
    second = (
        "The Delhi Electricity Regulatory Commission has issued a new regulation according to "
        "which discoms will either have to generate their own electricity through renewable "
        "sources or increase their purchase of green energy from generating companies."
    )
    assert fits(second, frozenset(), [first]) is not None
    short = content("Distribution companies must procure more green energy.")
    assert fits(second, frozenset(), [short]) is not None
    whole = content("Companies must buy green energy from renewable sources.")
    assert (
        fits(
            "Companies must now buy green energy from renewable sources soon.", frozenset(), [whole]
        )
        is None
    )
    assert repeats(content("Green energy from renewable sources."), [first])


def test_shape_points_keeps_one_sentence_per_point_and_drops_misfits() -> None:
    points = shape_points(
        [
            "The council approved the plan.  It starts in May.",
            "Council approves the harbour budget.",
            "Yadav told ANI in Lucknow.",
            " ".join(["Very"] + ["long"] * 40) + ".",
            "Work starts in spring and takes three years.",
            "Fishermen keep their moorings on the quay.",
        ],
        HEADLINE,
        max_points=2,
    )
    assert points == (
        "The council approved the plan.",
        "Work starts in spring and takes three years.",
    )


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("\u201cMy wife opened the door.", "\u201cMy wife opened the door.\u201d"),
        (
            "The men pushed her inside,\u201d said Khandelwal.",
            "\u201cThe men pushed her inside,\u201d said Khandelwal.",
        ),
        ('"It is fine.', '"It is fine."'),
        ("He said \u201cyes\u201d today.", "He said \u201cyes\u201d today."),
    ],
)
def test_one_sentence_of_a_quotation_gets_its_missing_quote_mark(text: str, expected: str) -> None:
    assert balance_quotes(text) == expected
