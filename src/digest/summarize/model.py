# ruff: noqa: RUF003 (text in other scripts is what this module handles)
"""The learned part of the summarizer: sentence scores and the rule that picks key points.

News puts its main facts first, so the pick looks at the first `window` candidates only and
takes the best-scored ones (the scores weigh position too; a byline, a caption or a quote that
says little scores low) until the points hold `budget` words, or the next one would take them
further past it than they are short of it (a learned length target; a second one,
`long_budget`, applies from `long_words` article words, with one point more), at most `points`
of them, printed in article order. Each point is compressed (`compress`) and
must have the point shape (`shape.fits`): at most 35 words, not a fragment, no repeat of the
headline or of another point. A sentence that leans on the one before ("Instead, he
rejected...") becomes one sentence with it ("...; instead, he rejected...") when the two fit
together, else it is no point. The weights and the rule are learned from both news evaluation
sets together with cross-validation by document (bench/train_summarizer.py).

An article with subheadings is a set of parts, each with its own main fact: the lead gives one
point, every later part the first sentence the model keeps when it scores that part as an
article, and a list the article sets out is a point of its own (lists are how articles
enumerate what matters). Of the evaluation stories only 16 inshorts ones have subheadings
(capitalised ones glued into the scrape); bench/eval_rouge.py counts them.
"""

from __future__ import annotations

import json
import math
import operator
import re
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import Protocol

from digest.errors import SummarizeError
from digest.summarize.compress import compress, is_dateline, shorten
from digest.summarize.features import (
    FEATURES,
    TERMINAL,
    Candidate,
    FeatureRows,
    candidate_features,
    leans_back,
)
from digest.summarize.language import is_cjk
from digest.summarize.shape import (
    MAX_POINT_WORDS,
    MAX_WHOLE_WORDS,
    balance_quotes,
    fits,
    is_fragment,
    word_count,
)

__all__ = [
    "Model",
    "Scores",
    "fallback_point",
    "load_model",
    "pick",
    "point_text",
    "score_candidates",
]


# From here a story may have one point more: so many words, or so many parts (subheadings).
LONG_STORY_WORDS = 800
LONG_STORY_PARTS = 4


class ScoreLookup(Protocol):
    """Scores by candidate index (a list, or `Scores` computing them lazily)."""

    def __getitem__(self, i: int, /) -> float: ...

    def __len__(self) -> int: ...


@dataclass(frozen=True)
class Model:
    """Linear scores plus the pick rule (see the module docstring)."""

    weights: tuple[float, ...]
    threshold: float = -1e9
    points: int = 4
    budget: int = 60
    long_budget: int = 60
    long_words: int = 10_000
    window: int = 8

    def score(self, row: Sequence[float]) -> float:
        total: float = sum(map(operator.mul, self.weights, row))
        return total

    def target(self, article_words: int) -> int:
        """Words the points should hold: `long_budget` for a story of `long_words` or more."""
        if article_words >= self.long_words:
            return self.long_budget
        return self.budget


@cache
def load_model() -> Model:
    """The shipped weights (package data), checked against the feature list."""
    raw = resources.files("digest.summarize").joinpath("weights.json").read_text("utf-8")
    data = json.loads(raw)
    if tuple(data["features"]) != FEATURES:
        raise SummarizeError("weights.json does not match this version's features")
    rule = data["rule"]
    return Model(
        weights=tuple(float(w) for w in data["weights"]),
        threshold=float(rule["threshold"]),
        points=int(rule["points"]),
        budget=int(rule["budget"]),
        long_budget=int(rule["long_budget"]),
        long_words=int(rule["long_words"]),
        window=int(rule["window"]),
    )


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


def _lower_first(text: str) -> str:
    first = text.split(" ", 1)[0]
    return (
        text
        if first in ("I", "I'm", "I\u2019m") or first.isupper()
        else text[:1].lower() + text[1:]
    )


def _fuse(first: str, second: str) -> str:
    """Two sentences as one: "A rose. Instead, it fell." -> "A rose; instead, it fell." """
    if first.rstrip()[-1:] in "\u3002\uff01\uff1f":  # Chinese, Japanese: no space, no case
        return f"{first.rstrip()}{second}"
    return f"{first.rstrip().rstrip('.!')}; {_lower_first(second)}"


def point_text(candidates: Sequence[Candidate], i: int) -> str:
    """Candidate i as a key point: compressed, and one sentence with the one it leans on."""
    cand = candidates[i]
    if cand.is_list:
        return cand.text
    language = cand.language
    text = compress(cand.text, language=language)
    if not TERMINAL.search(text):  # a paragraph without final punctuation still ends
        text += "\u3002" if is_cjk(language) else "."
    if i > 0 and leans_back(cand.text, cand.words, language):
        before = candidates[i - 1]
        if before.paragraph == cand.paragraph and not before.is_list:
            fused = _fuse(compress(before.text, language=language), cand.text)
            if word_count(fused) <= MAX_POINT_WORDS:  # never cut: the cut could drop `cand`
                return balance_quotes(fused)
    return balance_quotes(shorten(text, MAX_POINT_WORDS, language) or text)


_CLAUSE_END = re.compile(r"[;\uff1b]\s*")  # ; ； (what comes before stands alone)


def fallback_point(
    candidates: Sequence[Candidate], scores: ScoreLookup, start: int = 0
) -> str | None:
    """The best-scored sentence as a point when no candidate has the point shape.

    Its first clause when that stands alone within the word limit, else the whole sentence
    however long: the word cap gives before meaning does. A dateline is never a point. The
    sentences from `start` come first (those before it made the headline).
    """
    order = sorted(range(len(candidates)), key=lambda i: (i < start, -scores[i], i))
    for i in order:
        cand = candidates[i]
        if is_dateline(cand.text):
            continue
        text = point_text(candidates, i)
        if word_count(text) > MAX_POINT_WORDS:
            clause = _CLAUSE_END.split(text, maxsplit=1)[0].rstrip(" ,")
            stop = "\u3002" if is_cjk(cand.language) else "."
            closed = clause if TERMINAL.search(clause) else clause + stop
            if clause != text and not is_fragment(closed, cand.language):
                return balance_quotes(closed)
        return text
    return None


class _Picker:
    """The points so far, in article order, and the shape check against them."""

    def __init__(self, candidates: Sequence[Candidate], headline: frozenset[str]) -> None:
        self.candidates = candidates
        self.language = candidates[0].language if candidates else "en"
        self.headline = headline
        self.points: dict[int, tuple[str, frozenset[str]]] = {}
        self.words = 0

    def take(self, i: int) -> bool:
        """Add candidate i (a leaning one extends the point of the sentence before)."""
        if i in self.points:
            return False
        text = point_text(self.candidates, i)
        cand = self.candidates[i]
        extends = i - 1 in self.points and leans_back(cand.text, cand.words, self.language)
        others = [bag for j, (_, bag) in self.points.items() if not (extends and j == i - 1)]
        if extends:
            text = _fuse(self.points[i - 1][0], cand.text)
        # over 35 words only when no faithful cut exists: then whole, up to MAX_WHOLE_WORDS
        limit = MAX_POINT_WORDS if extends else MAX_WHOLE_WORDS
        bag = fits(text, self.headline, others, self.language, limit)
        if bag is None:
            return False
        if extends:
            self.words -= word_count(self.points.pop(i - 1)[0])
        self.points[i] = (text, bag)
        self.words += word_count(text)
        return True

    def would_overshoot(self, i: int, budget: float) -> bool:
        """Would candidate i take the points further past `budget` than they stay short of it?"""
        added = word_count(point_text(self.candidates, i))
        return self.words + added - budget > budget - self.words

    def result(self, limit: int) -> list[str]:
        return [self.points[i][0] for i in sorted(self.points)[:limit]]


def _walk(
    picker: _Picker,
    pool: Sequence[int],
    scores: ScoreLookup,
    model: Model,
    limit: int,
    budget: float,
) -> None:
    """Take candidates of `pool` in article order, skipping vetoed ones, up to `limit`.

    Stops once the points hold `budget` words (and there are two of them).
    """
    taken = 0
    for i in pool:
        if taken >= limit or (taken >= 2 and picker.words >= budget):
            break
        if scores[i] < model.threshold:
            continue
        size = len(picker.points)
        if picker.take(i):
            taken += len(picker.points) > size
    if taken < min(limit, 2):  # everything vetoed: the best-scored sentences instead
        for i in sorted(pool, key=lambda i: (-scores[i], i)):
            if taken >= min(limit, 2):
                break
            size = len(picker.points)
            if picker.take(i):
                taken += len(picker.points) > size


def _rank(
    picker: _Picker,
    pool: Sequence[int],
    scores: ScoreLookup,
    model: Model,
    limit: int,
    budget: float,
) -> None:
    """Take the best-scored candidates of `pool` that fit, until the points hold `budget` words.

    Candidates under the veto threshold are taken only while there are fewer than two points.
    """
    for i in sorted(pool, key=lambda i: (-scores[i], i)):
        count = len(picker.points)
        if count >= limit or (count >= 2 and picker.words >= budget):
            break
        if count >= 2 and picker.would_overshoot(i, budget):
            break  # the points end nearer `budget` words without this one
        if scores[i] >= model.threshold or count < 2:
            picker.take(i)


def pick(
    candidates: Sequence[Candidate],
    scores: ScoreLookup,
    model: Model,
    max_points: int,
    headline: frozenset[str],
    *,
    start: int = 0,
    local_scores: ScoreLookup | None = None,
) -> list[str]:
    """The key points, in article order, from the candidates at `start` and after."""
    picker = _Picker(candidates, headline)
    words = sum(len(c.words) for c in candidates)
    everything = range(start, len(candidates))
    parts = [[i for i in part if i >= start] for part in _parts(candidates)]
    parts = [part for part in parts if part]
    long = words >= min(model.long_words, LONG_STORY_WORDS) or len(parts) >= LONG_STORY_PARTS
    limit = min(model.points + long, max_points)  # 2-4 points, up to 5 for a long story
    budget = model.target(words)
    if len(parts) <= 1:
        _rank(picker, everything[: model.window], scores, model, limit, budget)
        if not picker.points:  # a story whose one fact is its headline: that fact is the point
            picker.headline = frozenset()
            _rank(picker, everything, scores, model, 1, budget)
        return picker.result(limit)
    local = scores if local_scores is None else local_scores
    _walk(picker, parts[0], scores, model, 1, budget)
    for i in everything:
        if candidates[i].is_list and len(picker.points) < limit:
            picker.take(i)
    ranked = sorted(parts[1:], key=lambda part: -max(local[i] for i in part))
    for part in ranked:
        if len(picker.points) >= limit:
            break
        _walk(picker, part, local, model, 1, budget)
    missing = min(model.points, max_points) - len(picker.points)
    if missing > 0:
        _walk(picker, everything, scores, model, missing, math.inf)
    for i in sorted(picker.points):  # a part's main fact often spans two sentences
        follower = i + 1
        if follower < len(candidates) and follower not in picker.points:
            after = candidates[follower]
            same = after.paragraph == candidates[i].paragraph and not after.is_list
            leaning = leans_back(after.text, after.words, after.language)
            if same and not candidates[i].is_list and leaning:
                picker.take(follower)
    return picker.result(limit)
