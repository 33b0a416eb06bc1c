"""The default summarizer: extractive and offline; its headline and key points.

Candidates and their features come from `features`, the learned scores and the pick rule from
`model` (weights in `weights.json`, learned by bench/train_summarizer.py), the headline of an
untitled article from `headline`, the point shape from `shape`.
"""

from __future__ import annotations

from digest.errors import SummarizeError
from digest.gather import clean_text, repair_text
from digest.models import Article, Summary
from digest.summarize.compress import is_dateline
from digest.summarize.features import (
    Candidate,
    build_candidates,
    frames_a_question,
    leans_back,
)
from digest.summarize.headline import (
    is_complete,
    lead_headline,
    split_headline,
    whole_headline,
)
from digest.summarize.language import count_words, detect, normalise
from digest.summarize.model import Model, fallback_point, load_model, pick, score_candidates
from digest.summarize.shape import content

__all__ = ["ExtractiveSummarizer", "split_headline"]


class ExtractiveSummarizer:
    """Offline summarizer: learned sentence scores, then a readable key point per choice."""

    def __init__(self, max_points: int = 5, model: Model | None = None, language: str = "") -> None:
        """`language`: the rules for an article that declares none and whose text the
        detector cannot place (the newsletter's language; "" for the language-neutral ones)."""
        self.max_points = max_points
        self.model = model or load_model()
        self.language = normalise(language) or ""

    def candidates(self, body: str, title: str | None, language: str = "en") -> list[Candidate]:
        """The candidate sentences of a body (what the weights were trained on).

        A body of nothing but heading-like lines (short lines without a full stop) gives
        those lines: a story with text is never left without a sentence to summarize.
        """
        found = [c for c in build_candidates(body, language) if _usable(c.text, title)]
        if found or not body.strip():
            return found
        loose = build_candidates(body, language, headings=False)
        return [c for c in loose if c.text.strip().lower() != (title or "").strip().lower()]

    def key_points(
        self, candidates: list[Candidate], headline: str, title: str | None, start: int = 0
    ) -> tuple[str, ...]:
        """The points from candidates[start:], none repeating `headline`."""
        if not candidates:
            raise SummarizeError("no sentence to summarize (the text is empty)")
        language = candidates[0].language
        scores, local = score_candidates(candidates, title, self.model)
        points = pick(
            candidates,
            scores,
            self.model,
            self.max_points,
            content(headline, language),
            start=start,
            local_scores=local,
        )
        if not points:  # nothing has the point shape: the best sentence rather than nothing
            point = fallback_point(candidates, scores, start)
            points = [point] if point is not None else []
        return tuple(points)

    def prepare(self, article: Article) -> tuple[str, str | None, list[Candidate], int]:
        """(headline, section, candidates, 1 + index of the candidate the headline was made
        from: 0 when the article has a title)."""
        cleaned = clean_text(repair_text(article.text))
        title, body = split_headline(cleaned.text, repair_text(article.title))
        language = normalise(article.language) or detect(f"{title}\n{body}") or self.language
        candidates = self.candidates(body, title or None, language)
        section = article.section or cleaned.section
        if title:
            return title, section, candidates, 0
        for start, cand in enumerate(candidates[:_HEADLINE_FROM]):
            if cand.text[:1] in _QUOTES or leans_back(cand.text, cand.words, language):
                continue  # a quotation or a sentence that leans back is no headline
            if language == "en" and cand.words[:1] and cand.words[0] in _GOES_ON:
                continue  # "Meanwhile others say...": it goes on from what came before
            headline = lead_headline(cand.text, language)
            if headline is not None:
                return headline, section, candidates, start + 1
        if not candidates:
            raise SummarizeError(f"{article.url or 'article'}: no title and no text")
        # nothing shorter is a complete clause: an early sentence whole, a plain one if any
        for start, cand in enumerate(candidates[:_HEADLINE_FROM]):
            whole = whole_headline(cand.text, language)
            plain = cand.text[:1] not in _QUOTES and not leans_back(cand.text, cand.words, language)
            if plain and is_complete(whole, cand.text, language):
                return whole, section, candidates, start + 1
        return whole_headline(candidates[0].text, language), section, candidates, 1

    def summarize(self, article: Article) -> Summary:
        headline, section, candidates, start = self.prepare(article)
        title = headline if start == 0 else None
        # The headline's own sentence may be a point when it says more than the headline
        # (`shape.repeats_headline` decides, as for a given title): a 14-word phrase cut
        # from a 30-word lead leaves out what the lead goes on to say.
        points = self.key_points(candidates, headline, title)
        return Summary(headline=headline, section=section, key_points=points)


# A sentence opening with one of these goes on from the one before: no headline on its own.
_GOES_ON = frozenset("meanwhile however instead also still yet but and so then".split())  # noqa: SIM905
_HEADLINE_FROM = 5  # an untitled story's headline comes from one of its first sentences
_QUOTES = "\"'\u201c\u2018\u00ab\u201e\u300c"


def _usable(text: str, title: str | None) -> bool:
    if len(text) > 2000 or text.endswith(("?", "\uff1f", "\u061f")):
        return False
    if (text.count(" ") + 1 if text.isascii() else count_words(text)) < 4:
        return False
    if frames_a_question(text) or ("," in text[:48] and is_dateline(text)):
        return False
    return not (title and text.strip().lower() == title.strip().lower())
