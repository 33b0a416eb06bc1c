"""Summarize an article: its headline, its section and 2-5 key points.

The default summarizer is extractive and offline: candidates and their features come from
`summarize_features`, the learned scores and the pick rule from `summarize_model` (weights in
`digest/defaults/summarizer_weights.json`, learned by bench/train_summarizer.py). This module
holds the settings, the headline, and the entry points the CLI and the pipeline call.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, fields
from typing import Any, Literal, Protocol

from digest.errors import ConfigError, InputError, SummarizeError
from digest.gather.clean import clean_text
from digest.models import Article, Summary
from digest.sentences import split_sentences
from digest.summarize_features import (
    Candidate,
    build_candidates,
    frames_a_question,
)
from digest.summarize_model import Model, load_model, render_points, score_candidates, select

__all__ = [
    "ExtractiveSummarizer",
    "Summarizer",
    "SummarizerSettings",
    "make_summarizer",
    "split_headline",
    "split_sentences",
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
