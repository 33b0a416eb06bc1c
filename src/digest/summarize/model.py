"""The learned part of the summarizer: sentence scores and the rule that picks key points.

News puts its main facts first, so the pick walks the article in order and takes sentences
the model does not veto (a byline, a caption, a quote that says little, a sentence too long to
read at a glance) until it has three, or two when those two are already long. The weights,
the veto threshold and the word limits are learned from a news evaluation set with
cross-validation by document (bench/train_summarizer.py).

An article with subheadings is a set of parts, each with its own main fact: the lead gives one
point, every later part the first sentence the model keeps when it scores that part as an
article, and a list the article sets out is a point of its own (lists are how articles
enumerate what matters); a point there carries the next sentence of its paragraph when that
one leans on it. The news evaluation set has no subheadings, so that rule cannot cost its ROUGE
(bench/eval_rouge.py counts the sectioned documents).
"""

from __future__ import annotations

import json
import operator
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import Protocol

from digest.errors import SummarizeError
from digest.summarize.features import (
    ANAPHORA,
    FEATURES,
    STOPWORDS,
    Candidate,
    FeatureRows,
    candidate_features,
    leans_back,
    strip_connective,
)

__all__ = ["Model", "load_model", "render_points", "score_candidates", "select"]


class ScoreLookup(Protocol):
    """Scores by candidate index (a list, or `Scores` computing them lazily)."""

    def __getitem__(self, i: int, /) -> float: ...

    def __len__(self) -> int: ...


@dataclass(frozen=True)
class Model:
    """Linear scores plus the pick rule (see the module docstring)."""

    weights: tuple[float, ...]
    threshold: float = -1e9
    points: int = 3
    pair_words: int = 10_000
    max_words: int = 10_000
    redundancy: float = 0.5

    def score(self, row: Sequence[float]) -> float:
        total: float = sum(map(operator.mul, self.weights, row))
        return total


@cache
def load_model() -> Model:
    """The shipped weights (package data), checked against the feature list."""
    raw = resources.files("digest.summarize").joinpath("weights.json").read_text("utf-8")
    data = json.loads(raw)
    if tuple(data["features"]) != FEATURES:
        raise SummarizeError("weights.json does not match this version's features")
    return Model(
        weights=tuple(float(w) for w in data["weights"]),
        threshold=float(data["threshold"]),
        points=int(data["points"]),
        pair_words=int(data["pair_words"]),
        max_words=int(data["max_words"]),
        redundancy=float(data["redundancy"]),
    )


class _Picker:
    """Chosen indices plus the near-repeat check against them."""

    def __init__(self, candidates: Sequence[Candidate], redundancy: float) -> None:
        self.candidates = candidates
        self.redundancy = redundancy
        self.bags: dict[int, frozenset[str]] = {}
        self.chosen: list[int] = []

    def bag(self, i: int) -> frozenset[str]:
        if i not in self.bags:
            self.bags[i] = frozenset(self.candidates[i].words) - STOPWORDS
        return self.bags[i]

    def repeats(self, i: int) -> bool:
        mine = self.bag(i)
        for j in self.chosen:
            other = self.bag(j)
            if len(mine & other) > self.redundancy * (min(len(mine), len(other)) or 1):
                return True
        return False

    def take(self, i: int) -> bool:
        if i in self.chosen or self.repeats(i):
            return False
        self.chosen.append(i)
        return True


def _walk(
    picker: _Picker, pool: Sequence[int], scores: ScoreLookup, model: Model, limit: int
) -> None:
    """Take candidates of `pool` in article order, skipping vetoed ones, up to `limit`."""
    words = 0
    taken = 0
    for i in pool:
        if taken >= limit:
            break
        length = len(picker.candidates[i].words)
        if scores[i] < model.threshold or length > model.max_words:
            continue
        if taken == 2 and words > model.pair_words:
            break
        if picker.take(i):
            taken += 1
            words += length
    if taken < min(limit, 2):  # everything vetoed: the best-scored sentences instead
        for i in sorted(pool, key=lambda i: (-scores[i], i)):
            if taken >= min(limit, 2):
                break
            taken += picker.take(i)


class Scores:
    """Model scores of a document's candidates, computed on first use and kept."""

    def __init__(self, rows: FeatureRows, model: Model) -> None:
        self.rows = rows
        self.model = model
        self.cache: dict[int, float] = {}

    def __len__(self) -> int:
        return len(self.rows)

    def __getitem__(self, i: int) -> float:
        value = self.cache.get(i)
        if value is None:
            value = self.cache[i] = self.model.score(self.rows.row(i))
        return value


def score_candidates(
    candidates: Sequence[Candidate], title: str | None, model: Model
) -> tuple[ScoreLookup, ScoreLookup]:
    """Scores in the whole article, and scores within each part as if it were an article.

    The second set only differs for an article with subheadings: there each part opens with its
    own topic sentence, as the article opens with its lead.
    """
    scores = Scores(FeatureRows(candidates, title), model)
    parts = _parts(candidates)
    if len(parts) == 1:
        return scores, scores
    local = [scores[i] for i in parts[0]]
    for part in parts[1:]:
        rows = candidate_features([candidates[i] for i in part], title)
        local.extend(model.score(row) for row in rows)
    return scores, local


def _parts(candidates: Sequence[Candidate]) -> list[list[int]]:
    blocks: dict[int, list[int]] = {}
    for i, cand in enumerate(candidates):
        blocks.setdefault(cand.block, []).append(i)
    return list(blocks.values())


def select(
    candidates: Sequence[Candidate],
    scores: ScoreLookup,
    model: Model,
    max_points: int,
    local_scores: ScoreLookup | None = None,
) -> list[int]:
    """Indices (in article order) of the candidates that become key points."""
    picker = _Picker(candidates, model.redundancy)
    everything = range(len(candidates))
    parts = _parts(candidates)
    if len(parts) == 1:
        _walk(picker, everything, scores, model, min(model.points, max_points))
        return sorted(picker.chosen)
    local = scores if local_scores is None else local_scores
    _walk(picker, parts[0], scores, model, 1)
    for i in everything:
        if candidates[i].is_list and len(picker.chosen) < max_points:
            picker.take(i)
    ranked = sorted(parts[1:], key=lambda part: -max(local[i] for i in part))
    for part in ranked:
        if len(picker.chosen) >= max_points:
            break
        _walk(picker, part, local, model, 1)
    if len(picker.chosen) < min(model.points, max_points):
        _walk(picker, everything, scores, model, min(model.points, max_points))
    chosen = picker.chosen[:max_points]
    return sorted({*chosen, *(f for i in chosen if (f := _follower(candidates, i)) is not None)})


def _follower(candidates: Sequence[Candidate], i: int) -> int | None:
    """The next sentence of the paragraph when it leans on this one ("Instead, he rejected...").

    A part's main fact often spans the two; render_points joins them into one point.
    """
    if i + 1 >= len(candidates) or candidates[i].is_list:
        return None
    after = candidates[i + 1]
    if after.paragraph != candidates[i].paragraph or after.is_list:
        return None
    return i + 1 if leans_back(after.text, after.words) else None


def render_points(candidates: Sequence[Candidate], chosen: Sequence[int]) -> list[str]:
    """Key points that stand alone: a sentence leaning on the previous one carries it along."""
    points: list[str] = []
    previous = -2
    for i in chosen:
        cand = candidates[i]
        before = candidates[i - 1] if i > 0 else None
        near = before is not None and before.paragraph == cand.paragraph
        if near and points and previous == i - 1 and leans_back(cand.text, cand.words):
            points[-1] = f"{points[-1]} {cand.text}"
        elif near and before is not None and cand.words and cand.words[0] in ANAPHORA:
            points.append(f"{strip_connective(before.text)} {cand.text}")
        else:
            text = strip_connective(cand.text)
            points.append(text[:1].upper() + text[1:])
        previous = i
    return points
