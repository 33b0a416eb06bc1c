"""The pick rule: best-scored candidates, up to the learned word budget and no further past it."""

from __future__ import annotations

from digest.summarize.features import FEATURES, FeatureRows, build_candidates
from digest.summarize.model import Model, pick


def _sentence(subject: str, words: int) -> str:
    """A plain sentence of exactly `words` words that shares nothing with the others."""
    filler = [f"{subject}{n}" for n in range(words - 3)]
    return f"The {subject} reported {' '.join(filler)}."


def _points(lengths: list[int], budget: int) -> list[str]:
    names = ["harbour", "council", "railway", "museum", "airport"]
    body = " ".join(_sentence(name, n) for name, n in zip(names, lengths, strict=False))
    candidates = build_candidates(body)
    scores = [float(len(candidates) - i) for i in range(len(candidates))]  # in article order
    model = Model(weights=(0.0,) * len(FEATURES), budget=budget, window=len(candidates))
    return pick(candidates, scores, model, 5, frozenset())


def test_the_next_point_is_taken_when_it_ends_nearer_the_budget() -> None:
    # 25 + 25 = 50 words, 10 short of 60; a 15-word third point ends 5 past it: taken.
    assert len(_points([25, 25, 15, 20], budget=60)) == 3


def test_the_next_point_is_left_when_it_would_overshoot_more() -> None:
    # A 30-word third point would end 20 past the budget, further than 10 short: left out.
    assert len(_points([25, 25, 30, 20], budget=60)) == 2


def test_two_points_always_even_over_the_budget() -> None:
    assert len(_points([34, 34, 10], budget=40)) == 2


def test_names_and_numbers_are_counted_as_features() -> None:
    candidates = build_candidates(
        "The council met in the evening and talked for a long time about it.\n"
        "Mayor Ruth Okafor said Leeds will spend 4.5 million on 1,200 new homes by 2027."
    )
    rows = FeatureRows(candidates, "Council plans homes")
    entities, numbers = FEATURES.index("entities"), FEATURES.index("numbers")
    plain, factual = rows.row(0), rows.row(1)
    assert plain[entities] == 0.0 and plain[numbers] == 0.0
    assert factual[entities] > 0.0  # Mayor Ruth Okafor, Leeds
    one = FeatureRows(build_candidates("Leeds will spend 4.5 million on new homes."), None)
    assert factual[numbers] > one.row(0)[numbers]  # 4.5, 1,200 and 2027 count more than one
