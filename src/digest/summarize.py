"""Summarize an article: its headline, its section and 2-5 key points.

The default summarizer is extractive and offline. Each candidate sentence is scored by a small
linear model over features known to work on news (position, length, overlap with the title,
centrality, quotes, numbers); the weights were learned from a news evaluation set with
cross-validation by document (bench/train_summarizer.py) and ship in
`digest/defaults/summarizer_weights.json`. Headings and question lines are never key points;
a list introduced by "...:" becomes part of its lead-in sentence; a sentence that opens with a
pronoun carries the sentence before it, so that every key point stands on its own.
"""

from __future__ import annotations

import json
import math
import re
from collections import Counter
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, fields
from functools import cache
from importlib import resources
from typing import Any, Literal, Protocol

from digest.errors import ConfigError, InputError, SummarizeError
from digest.gather.clean import clean_text
from digest.models import Article, Summary
from digest.sentences import split_sentences

__all__ = [
    "Candidate",
    "ExtractiveSummarizer",
    "Model",
    "Summarizer",
    "SummarizerSettings",
    "build_candidates",
    "candidate_features",
    "load_model",
    "make_summarizer",
    "split_headline",
    "summarize_document",
    "summarize_jsonl",
    "summarizer_settings_from_table",
]

SummarizerKind = Literal["extractive", "llm"]


@dataclass(frozen=True)
class SummarizerSettings:
    """The [summarize] table."""

    kind: SummarizerKind = "extractive"
    max_points: int = 5
    llm_base_url: str | None = None
    llm_model: str | None = None
    llm_api_key_env: str = "DIGEST_LLM_API_KEY"
    llm_timeout: float = 20.0


class Summarizer(Protocol):
    def summarize(self, article: Article) -> Summary: ...


# ---------------------------------------------------------------- settings


def summarizer_settings_from_table(
    table: Mapping[str, Any], key: str = "summarize"
) -> SummarizerSettings:
    """Validate a [summarize] config table; errors name the key ("summarize.kind")."""
    known = {f.name for f in fields(SummarizerSettings)}
    for name in table:
        if name not in known:
            raise ConfigError(
                f"{key}.{name}: unknown key (expected one of {', '.join(sorted(known))})"
            )
    values: dict[str, Any] = {}
    if "kind" in table:
        if table["kind"] not in ("extractive", "llm"):
            raise ConfigError(f"{key}.kind: must be extractive or llm, got {table['kind']!r}")
        values["kind"] = table["kind"]
    if "max_points" in table:
        points = table["max_points"]
        if isinstance(points, bool) or not isinstance(points, int) or not 1 <= points <= 10:
            raise ConfigError(f"{key}.max_points: must be an integer from 1 to 10, got {points!r}")
        values["max_points"] = points
    for name in ("llm_base_url", "llm_model", "llm_api_key_env"):
        if name in table:
            if not isinstance(table[name], str) or not table[name]:
                raise ConfigError(f"{key}.{name}: must be a non-empty string, got {table[name]!r}")
            values[name] = table[name]
    if "llm_timeout" in table:
        timeout = table["llm_timeout"]
        if isinstance(timeout, bool) or not isinstance(timeout, int | float) or timeout <= 0:
            raise ConfigError(f"{key}.llm_timeout: must be a positive number, got {timeout!r}")
        values["llm_timeout"] = float(timeout)
    settings = SummarizerSettings(**values)
    if settings.kind == "llm" and not (settings.llm_base_url and settings.llm_model):
        raise ConfigError(f"{key}.kind: llm needs {key}.llm_base_url and {key}.llm_model")
    return settings


def make_summarizer(settings: SummarizerSettings, environ: Mapping[str, str]) -> Summarizer:
    """The summarizer the settings ask for; the LLM one falls back to the extractive one."""
    extractive = ExtractiveSummarizer(max_points=settings.max_points)
    if settings.kind == "llm":
        from digest.summarize_llm import LLMSummarizer

        return LLMSummarizer(settings, environ, fallback=extractive)
    return extractive


# ---------------------------------------------------------------- candidates

_TERMINAL = re.compile(r"[.!?\u2026][\"'\u201d\u2019)\]]*$")
_BULLET = re.compile(r"^(?:[\u2022\u25cf\u25aa\u2023\u2013\u2014*\-]|\d{1,2}[.)])\s+")
_TOKEN = re.compile(r"[a-z0-9]+")
_DIGIT = re.compile(r"\d")
_QUOTE_CHARS = re.compile("[\"'\u201c\u201d\u2018\u2019]")
_ANAPHORA = frozenset(
    [
        "he",
        "she",
        "it",
        "they",
        "his",
        "her",
        "its",
        "their",
        "this",
        "these",
        "those",
        "such",
        "that",
        "there",
        "them",
    ]
)
_CONNECTIVES = re.compile(
    r"^(?:yet|but|and|so|however|meanwhile|instead|still|also|now|moreover|indeed)\s*,\s+",
    re.IGNORECASE,
)
_QUOTES = "\"'\u201c\u201d\u2018\u2019"
STOPWORDS = frozenset(
    [
        "a",
        "an",
        "the",
        "and",
        "or",
        "but",
        "if",
        "of",
        "to",
        "in",
        "on",
        "at",
        "by",
        "for",
        "with",
        "from",
        "as",
        "is",
        "are",
        "was",
        "were",
        "be",
        "been",
        "being",
        "it",
        "its",
        "this",
        "that",
        "these",
        "those",
        "he",
        "she",
        "they",
        "his",
        "her",
        "their",
        "them",
        "we",
        "our",
        "you",
        "your",
        "i",
        "my",
        "me",
        "not",
        "no",
        "has",
        "have",
        "had",
        "do",
        "does",
        "did",
        "will",
        "would",
        "can",
        "could",
        "should",
        "may",
        "might",
        "must",
        "said",
        "says",
        "say",
        "also",
        "than",
        "then",
        "there",
        "here",
        "which",
        "who",
        "whom",
        "whose",
        "what",
        "when",
        "where",
        "why",
        "how",
        "all",
        "any",
        "some",
        "more",
        "most",
        "other",
        "into",
        "over",
        "after",
        "before",
        "about",
        "up",
        "out",
        "so",
        "such",
        "only",
        "just",
        "very",
        "s",
        "t",
    ]
)


@dataclass(frozen=True)
class Candidate:
    """A sentence that may become a key point; `block` counts the headings above it."""

    text: str
    index: int
    block: int
    paragraph: int


def _is_heading(line: str) -> bool:
    """A short line without a full stop, or a line that is only a question."""
    words = len(line.split())
    if line.endswith("?") and words <= 12:
        return True
    return not _TERMINAL.search(line) and not line.endswith(":") and words <= 12


def build_candidates(body: str) -> list[Candidate]:
    """Candidate sentences of a cleaned body, headings dropped, lists joined to their lead-in."""
    out: list[Candidate] = []
    block = 0
    paragraph = 0
    pending_list: list[str] = []

    def flush_list() -> None:
        if not pending_list:
            return
        items = "; ".join(item[:1].lower() + item[1:] for item in pending_list)
        pending_list.clear()
        last = out[-1] if out else None
        if last is None or not last.text.endswith(":"):
            return
        text = f"{last.text} {items}."
        before = out[-2] if len(out) > 1 else None
        if before is not None and before.paragraph == last.paragraph and _leans_back(last.text):
            out.pop()  # "These include:" needs the sentence it points back to
            last = out[-1]
            text = f"{before.text} {text}"
        out[-1] = Candidate(text, last.index, last.block, last.paragraph)

    for line in body.splitlines():
        line = line.strip()
        if not line:
            continue
        if _BULLET.match(line):
            pending_list.append(_BULLET.sub("", line).rstrip(".;,"))
            continue
        flush_list()
        paragraph += 1
        if _is_heading(line):
            block += 1 if out else 0
            continue
        for sentence in split_sentences(line):
            out.append(Candidate(sentence, len(out), block, paragraph))
    flush_list()
    return out


def _tokens(text: str) -> list[str]:
    return _TOKEN.findall(text.lower())


FEATURES: tuple[str, ...] = (
    "bias",
    "first",
    "second",
    "third",
    "inv_position",
    "relative_position",
    "block_first",
    "log_length",
    "short",
    "long",
    "topic_overlap",
    "centrality",
    "quote",
    "number",
    "no_terminal",
    "anaphora",
    "capitals",
)


def candidate_features(candidates: Sequence[Candidate], title: str | None) -> list[list[float]]:
    """One feature vector per candidate, in the order of FEATURES."""
    tokens = [_tokens(c.text) for c in candidates]
    content = [[t for t in toks if t not in STOPWORDS] for toks in tokens]
    doc_tf: Counter[str] = Counter()
    for words in content:
        doc_tf.update(set(words))
    topic_source = _tokens(title) if title else (tokens[0] if tokens else [])
    topic = {t for t in topic_source if t not in STOPWORDS}
    raw_centrality = []
    for words in content:
        unique = set(words)
        value = sum(math.log(doc_tf[w]) for w in unique) / (len(unique) + 3) if unique else 0.0
        raw_centrality.append(value)
    top = max(raw_centrality, default=0.0) or 1.0
    n = len(candidates)
    previous_block = -1
    rows = []
    for i, cand in enumerate(candidates):
        text = cand.text
        length = len(tokens[i])
        unique = set(content[i])
        overlap = len(unique & topic) / (len(unique) or 1) if title or i > 0 else 0.0
        spaced = text.split()
        capitals = sum(1 for w in spaced[1:] if w[:1].isupper()) / max(len(spaced) - 1, 1)
        first_word = tokens[i][0] if tokens[i] else ""
        rows.append(
            [
                1.0,
                float(i == 0),
                float(i == 1),
                float(i == 2),
                1.0 / (1.0 + i),
                i / n,
                float(cand.block != previous_block and i > 0),
                math.log1p(length) / math.log(50.0),
                float(length < 8),
                float(length > 40),
                overlap,
                raw_centrality[i] / top,
                float(text[:1] in _QUOTES or len(_QUOTE_CHARS.findall(text)) >= 2),
                float(_DIGIT.search(text) is not None),
                float(not _TERMINAL.search(text)),
                float(first_word in _ANAPHORA),
                capitals,
            ]
        )
        previous_block = cand.block
    return rows


# ---------------------------------------------------------------- model


@dataclass(frozen=True)
class Model:
    """Linear scores plus the count rule: 2 points, more while the score clears `threshold`."""

    weights: tuple[float, ...]
    threshold: float
    min_points: int = 2
    redundancy: float = 0.5

    def score(self, row: Sequence[float]) -> float:
        return sum(w * x for w, x in zip(self.weights, row, strict=True))


@cache
def load_model() -> Model:
    """The shipped weights (package data), checked against the feature list."""
    raw = resources.files("digest").joinpath("defaults/summarizer_weights.json").read_text("utf-8")
    data = json.loads(raw)
    if tuple(data["features"]) != FEATURES:
        raise SummarizeError("summarizer_weights.json does not match this version's features")
    return Model(
        weights=tuple(float(w) for w in data["weights"]),
        threshold=float(data["threshold"]),
        min_points=int(data.get("min_points", 2)),
        redundancy=float(data.get("redundancy", 0.5)),
    )


def _overlap(a: set[str], b: set[str]) -> float:
    return len(a & b) / (min(len(a), len(b)) or 1)


def select(
    candidates: Sequence[Candidate],
    scores: Sequence[float],
    model: Model,
    max_points: int,
) -> list[int]:
    """Indices of the chosen candidates without near-repeats.

    An article with subheadings has a distinct part under each: the best sentence of every part
    comes first (up to `max_points`), then the best of the rest while they clear the threshold.
    """
    order = sorted(range(len(candidates)), key=lambda i: (-scores[i], i))
    bags = [{t for t in _tokens(c.text) if t not in STOPWORDS} for c in candidates]
    chosen: list[int] = []

    def take(i: int) -> None:
        if not any(_overlap(bags[i], bags[j]) > model.redundancy for j in chosen):
            chosen.append(i)

    blocks: dict[int, int] = {}
    for i in order:
        blocks.setdefault(candidates[i].block, i)
    if len(blocks) > 1:
        for i in sorted(blocks.values(), key=lambda i: (-scores[i], i))[:max_points]:
            take(i)
    for i in order:
        if len(chosen) >= max_points:
            break
        if i in chosen:
            continue
        if len(chosen) >= model.min_points and scores[i] < model.threshold:
            break
        take(i)
    return chosen


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
        rows = candidate_features(candidates, title)
        scores = [self.model.score(row) for row in rows]
        chosen = sorted(select(candidates, scores, self.model, self.max_points))
        return _points(candidates, chosen)

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
    words = len(text.split())
    if words < 4 or text.endswith("?") or len(text) > 2000:
        return False
    return not (title and text.strip().lower() == title.strip().lower())


def _capitalised(text: str) -> str:
    return text[:1].upper() + text[1:]


def _leans_back(text: str) -> bool:
    """Does the sentence open with a pronoun or a connective that needs the one before?"""
    first = _tokens(text)[:1]
    return bool(_CONNECTIVES.match(text)) or (bool(first) and first[0] in _ANAPHORA)


def _points(candidates: Sequence[Candidate], chosen: Sequence[int]) -> tuple[str, ...]:
    """Key points that stand alone: a sentence leaning on the previous one joins it."""
    points: list[str] = []
    for i in chosen:
        cand = candidates[i]
        before = candidates[i - 1] if i > 0 else None
        near = before is not None and before.paragraph == cand.paragraph
        if _leans_back(cand.text) and near and i - 1 in chosen and points:
            points[-1] = f"{points[-1]} {cand.text}"
            continue
        text = _CONNECTIVES.sub("", cand.text)
        first = _tokens(text)[:1]
        if before is not None and near and first and first[0] in _ANAPHORA:
            text = f"{_CONNECTIVES.sub('', before.text)} {cand.text}"
        points.append(_capitalised(text))
    return tuple(_shorten(point, _MAX_POINT_CHARS) for point in points)


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


# ---------------------------------------------------------------- entry points


def _html_to_text(html: str) -> tuple[str, str | None]:
    """Body text and title of an HTML page (trafilatura, with an lxml fallback)."""
    import trafilatura
    from lxml import html as lxml_html

    text = trafilatura.extract(html, include_comments=False, include_tables=False) or ""
    meta = trafilatura.extract_metadata(html)
    title = meta.title if meta is not None else None
    if not text.strip():
        try:
            text = lxml_html.fromstring(html).text_content()
        except (ValueError, TypeError, SyntaxError):
            text = ""
    return text, title


_MARKDOWN_PREFIX = re.compile(r"^\s{0,3}(?:#{1,6}\s+|>\s?)")
_MARKDOWN_INLINE = re.compile(r"(\*\*|__|`)|!?\[([^\]]*)\]\([^)]*\)")


def _markdown_to_text(text: str) -> str:
    out = []
    for line in text.splitlines():
        line = _MARKDOWN_PREFIX.sub("", line)
        out.append(_MARKDOWN_INLINE.sub(lambda m: m.group(2) or "", line))
    return "\n".join(out)


def summarize_document(
    text: str,
    *,
    title: str | None = None,
    section: str | None = None,
    fmt: Literal["text", "html", "markdown"] = "text",
) -> Summary:
    """Summarize one document; a plain-text document's first line is its headline."""
    if fmt == "html":
        text, html_title = _html_to_text(text)
        title = title or html_title
    elif fmt == "markdown":
        text = _markdown_to_text(text)
    if not text.strip():
        raise SummarizeError("the document is empty")
    article = Article(url="", title=title or "", text=text, source="", section=section)
    return ExtractiveSummarizer().summarize(article)


def summarize_jsonl(
    lines: Iterable[str], *, name: str, summarizer: Summarizer | None = None
) -> Iterator[dict[str, object]]:
    """Summarize {"id","text","title"?} lines; one bad article becomes an "error" record."""
    engine = summarizer or ExtractiveSummarizer()
    for lineno, line in enumerate(lines, 1):
        if not line.strip():
            continue
        try:
            record = json.loads(line)
        except json.JSONDecodeError as exc:
            raise InputError(f"{name}:{lineno}: invalid JSON ({exc.msg})") from exc
        if not isinstance(record, dict) or "text" not in record or "id" not in record:
            raise InputError(f'{name}:{lineno}: expected an object with "id" and "text"')
        text, title = record["text"], record.get("title")
        if not isinstance(text, str) or not (title is None or isinstance(title, str)):
            raise InputError(f'{name}:{lineno}: "text" and "title" must be strings')
        article = Article(url=str(record["id"]), title=title or "", text=text, source=name)
        try:
            summary = engine.summarize(article)
        except SummarizeError as exc:
            yield {"id": record["id"], "error": exc.message}
            continue
        yield {
            "id": record["id"],
            "headline": summary.headline,
            "section": summary.section,
            "key_points": list(summary.key_points),
        }
