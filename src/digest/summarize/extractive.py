"""The default summarizer: extractive and offline; its headline and key points.

Candidates and their features come from `features`, the learned scores and the pick rule from
`model` (weights in `weights.json`, learned by bench/train_summarizer.py).
"""

from __future__ import annotations

import re

from digest.errors import SummarizeError
from digest.gather import clean_text
from digest.models import Article, Summary
from digest.summarize.features import Candidate, build_candidates, frames_a_question
from digest.summarize.model import Model, load_model, render_points, score_candidates, select


class ExtractiveSummarizer:
    """Offline summarizer: learned sentence scores, then a readable key point per choice."""

    def __init__(self, max_points: int = 5, model: Model | None = None) -> None:
        self.max_points = max_points
        self.model = model or load_model()

    def candidates(self, body: str, title: str | None) -> list[Candidate]:
        """The candidate sentences of a body (what the weights were trained on)."""
        return [c for c in build_candidates(body) if _usable(c.text, title)]

    def key_points(self, body: str, title: str | None) -> tuple[str, ...]:
        return self._choose(self.candidates(body, title), title)

    def _choose(self, candidates: list[Candidate], title: str | None) -> tuple[str, ...]:
        if not candidates:
            raise SummarizeError("no sentence to summarize (the text is empty or only headings)")
        scores, local = score_candidates(candidates, title, self.model)
        chosen = select(candidates, scores, self.model, self.max_points, local)
        return tuple(_shorten(p, _MAX_POINT_CHARS) for p in render_points(candidates, chosen))

    def summarize(self, article: Article) -> Summary:
        cleaned = clean_text(article.text)
        title, body = split_headline(cleaned.text, article.title)
        candidates = self.candidates(body, title or None)
        if not title and not candidates:
            raise SummarizeError(f"{article.url or 'article'}: no title and no text")
        headline = title or _shorten(candidates[0].text, 160)
        points = self._choose(candidates, title or None)
        section = article.section or cleaned.section
        return Summary(headline=headline, section=section, key_points=points)


_MAX_POINT_CHARS = 400


def _usable(text: str, title: str | None) -> bool:
    words = text.count(" ") + 1
    if words < 4 or text.endswith("?") or len(text) > 2000 or frames_a_question(text):
        return False
    return not (title and text.strip().lower() == title.strip().lower())


# ---------------------------------------------------------------- headline

_SITE_SUFFIX = re.compile(r"\s+[|\u2013\u2014-]\s+[^|\u2013\u2014]{2,40}$")


def clean_headline(title: str | None) -> str:
    """The title without a site-name suffix ("... | World News") or surrounding spaces."""
    if not title:
        return ""
    text = " ".join(title.split())
    suffix = _SITE_SUFFIX.search(text)
    if suffix and len(text[: suffix.start()].split()) >= 3 and "|" in suffix.group(0):
        text = text[: suffix.start()]
    return text


def _shorten(text: str, limit: int) -> str:
    if len(text) <= limit:
        return text
    return text[:limit].rsplit(" ", 1)[0].rstrip(",;:") + "\u2026"


def _looks_like_headline(line: str) -> bool:
    return len(line.split()) <= 20 and not line.endswith((".", ":", ";", ","))


def split_headline(text: str, title: str | None) -> tuple[str, str]:
    """(headline, body): the given title, else a plain-text document's heading-like first line.

    A body that repeats the title as its first line loses that line.
    """
    lines = [line for line in text.splitlines() if line.strip()]
    headline = clean_headline(title)
    first = clean_headline(lines[0]) if lines else ""
    if headline:
        if first.lower() == headline.lower():
            lines.pop(0)
    elif first and _looks_like_headline(first) and len(lines) > 1:
        headline = first
        lines.pop(0)
    return headline, "\n".join(lines)
