"""One web page to an Article: trafilatura main text, metadata, then the line cleaner."""

from __future__ import annotations

import re
from datetime import UTC, datetime

import lxml.html
import trafilatura
from lxml import etree

from digest.errors import SourceError
from digest.gather.clean import clean_text, section_label
from digest.gather.markup import plain_text
from digest.gather.urls import canonical_url
from digest.models import Article

__all__ = ["extract_page", "page_text"]

_TITLE_SPLIT = re.compile(r"\s+[|\u2013\u2014-]\s+")
_LABEL_LOOKBACK = 4


def page_text(html: bytes | str, *, url: str | None = None) -> str | None:
    """trafilatura's main text alone (the benchmark baseline), or None."""
    return trafilatura.extract(html, url=url, include_comments=False, include_tables=True)


def _tree(html: bytes | str) -> etree._Element | None:
    try:
        return lxml.html.fromstring(html)
    except (etree.ParserError, ValueError):
        return None


def _meta(tree: etree._Element | None, *names: str) -> str | None:
    if tree is None:
        return None
    for name in names:
        for node in tree.xpath(f'//meta[@property="{name}" or @name="{name}"]/@content'):
            if str(node).strip():
                return str(node).strip()
    return None


def _headline(tree: etree._Element | None) -> str | None:
    """The page's single <h1>, the most reliable headline when there is exactly one."""
    if tree is None:
        return None
    heads = [plain_text(h.text_content()) for h in tree.iter("h1")]
    heads = [h for h in heads if h]
    return heads[0] if len(heads) == 1 else None


def _strip_site(title: str, site: str | None) -> str:
    """Drop a " | Site" (or " - Site" naming the site) suffix from a <title>."""
    parts = _TITLE_SPLIT.split(title)
    if len(parts) < 2:
        return title
    if " | " in title or (site and parts[-1].strip().lower() == site.strip().lower()):
        return " - ".join(parts[:-1]) if len(parts) > 2 and " | " not in title else parts[0]
    return title


def _label_above(tree: etree._Element | None) -> str | None:
    """A section label among the few text nodes just above the <h1> (nearest first)."""
    if tree is None:
        return None
    texts: list[str] = []
    for node in tree.iter():
        if node.tag == "h1":
            for text in reversed(texts[-_LABEL_LOOKBACK:]):
                if (label := section_label(text)) is not None:
                    return label
            return None
        if isinstance(node.tag, str) and node.tag not in ("script", "style", "head", "title"):
            text = plain_text(node.text or "")
            if text:
                texts.append(text)
    return None


def _published(tree: etree._Element | None, date: str | None) -> datetime | None:
    raw = _meta(tree, "article:published_time", "og:published_time", "datePublished") or date
    if not raw:
        return None
    try:
        when = datetime.fromisoformat(raw.strip())
    except ValueError:
        return None
    return when.replace(tzinfo=UTC) if when.tzinfo is None else when.astimezone(UTC)


def extract_page(html: bytes | str, *, url: str | None = None, source: str = "page") -> Article:
    """Main text and metadata of a page; SourceError when there is no article text."""
    document = trafilatura.bare_extraction(
        html, url=url, include_comments=False, include_tables=True, with_metadata=True
    )
    raw_text = getattr(document, "text", None) if document is not None else None
    if not raw_text:
        raise SourceError(f"{url or 'page'}: no article text found")
    cleaned = clean_text(raw_text)
    tree = _tree(html)
    site = getattr(document, "sitename", None)
    meta_title = getattr(document, "title", None)
    title = _headline(tree) or (_strip_site(plain_text(meta_title), site) if meta_title else "")
    lines = cleaned.text.split("\n\n") if cleaned.text else []
    if lines and lines[0] == title:
        lines = lines[1:]
    if not lines:
        raise SourceError(f"{url or 'page'}: no article text left after cleaning")
    title = title or lines[0]
    categories = getattr(document, "categories", None) or []
    section = _meta(tree, "article:section") or (categories[0] if categories else None)
    canonical = getattr(document, "url", None) or url or ""
    http = canonical.lower().startswith(("http://", "https://"))
    return Article(
        url=canonical_url(canonical) if http else canonical,
        title=title,
        text="\n\n".join(lines),
        source=source,
        section=section or cleaned.section or _label_above(tree),
        published=_published(tree, getattr(document, "date", None)),
        author=getattr(document, "author", None) or None,
        html=None,
        image_url=getattr(document, "image", None) or None,
    )
