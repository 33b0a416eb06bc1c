"""Summaries of documents handed over by a person: a text, HTML or Markdown file, or JSON lines.

What `digest summarize` calls; the pipeline summarizes gathered Articles directly.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Iterator
from typing import Literal

from digest.errors import InputError, SourceError, SummarizeError
from digest.models import Article, Summary
from digest.summarize.extractive import ExtractiveSummarizer
from digest.summarize.settings import Summarizer


def _html_article(html: str) -> Article:
    """The page as `digest extract` reads it (title and section included); for markup that is
    no article page (a fragment, a bare list), its text content."""
    from digest.gather import extract_page

    try:
        page = extract_page(html, source="document")
    except SourceError:
        from lxml import html as lxml_html

        try:
            text = lxml_html.fromstring(html).text_content()
        except (ValueError, TypeError, SyntaxError):
            text = ""
        return Article(url="", title="", text=text, source="document")
    if page.text.split("\n", 1)[0].strip() == page.title:  # no title: only the first line
        return Article(
            url="",
            title="",
            text=page.text,
            source="document",
            section=page.section,
            language=page.language,
        )
    return page


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
    """Summarize one document; a plain-text document's first line is its headline; a page's
    declared language (<html lang>...) is used before the detector."""
    language = None
    if fmt == "html":
        page = _html_article(text)
        text, title, section = page.text, title or page.title, section or page.section
        language = page.language
    elif fmt == "markdown":
        text = _markdown_to_text(text)
    if not text.strip():
        raise SummarizeError("the document is empty")
    article = Article(
        url="", title=title or "", text=text, source="", section=section, language=language
    )
    return ExtractiveSummarizer().summarize(article)


def summarize_jsonl(
    lines: Iterable[str], *, name: str, summarizer: Summarizer | None = None
) -> Iterator[dict[str, object]]:
    """Summarize {"id","text","title"?,"section"?,"language"?} lines; a bad article becomes an
    "error" record.

    The section is the record's own, else the label the cleaner finds on top of the text; the
    language the record's own (a BCP 47 code), else the detector's.
    """
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
        text, title, section = record["text"], record.get("title"), record.get("section")
        language = record.get("language")
        if not isinstance(text, str) or not all(
            v is None or isinstance(v, str) for v in (title, section, language)
        ):
            raise InputError(
                f'{name}:{lineno}: "text", "title", "section" and "language" must be strings'
            )
        article = Article(
            url=str(record["id"]),
            title=title or "",
            text=text,
            source=name,
            section=section or None,
            language=language or None,
        )
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
