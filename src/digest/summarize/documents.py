"""Summaries of documents handed over by a person: a text, HTML or Markdown file, or JSON lines.

What `digest summarize` calls; the pipeline summarizes gathered Articles directly.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Iterator
from typing import Literal

from digest.errors import InputError, SummarizeError
from digest.models import Article, Summary
from digest.summarize.extractive import ExtractiveSummarizer
from digest.summarize.settings import Summarizer


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
