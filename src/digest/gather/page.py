"""One web page to an Article: decoded text, trafilatura main text and metadata, the headline
its own candidates agree on, then the line cleaner."""

from __future__ import annotations

from datetime import datetime

import lxml.html
import trafilatura
from lxml import etree

from digest.errors import SourceError
from digest.gather.clean import clean_text, section_label
from digest.gather.dates import parse_date
from digest.gather.decoding import decode_document, without_xml_declaration
from digest.gather.headline import page_headline
from digest.gather.items import declared_language
from digest.gather.markup import plain_text
from digest.gather.unicode import entering, one_line
from digest.gather.urls import canonical_url
from digest.models import Article

__all__ = ["extract_page", "page_text"]

_LABEL_LOOKBACK = 4
# htmldate's "extensive search" compiles dateparser's 208 locales on first use (~7 s) to read
# dates written in prose; the page's metadata and markup (the fast search) are what we trust.
_DATE_PARAMS = {"original_date": True, "extensive_search": False}


def page_text(html: bytes | str, *, url: str | None = None) -> str | None:
    """trafilatura's main text alone (the benchmark baseline), or None."""
    return trafilatura.extract(html, url=url, include_comments=False, include_tables=True)


def _decoded(html: bytes | str, content_type: str | None) -> str:
    if isinstance(html, bytes):
        html = decode_document(html, content_type, kind="html")
    return without_xml_declaration(html)


def _tree(html: str) -> etree._Element | None:
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


def _language(tree: etree._Element | None) -> str | None:
    """The page's declared language: <html lang>, else Content-Language, else og:locale."""
    if tree is None:
        return None
    root = tree.getroottree().getroot()
    header = tree.xpath(
        '//meta[translate(@http-equiv, "CONTENTLAGU", "contentlagu")="content-language"]/@content'
    )
    declared = (
        root.get("lang")
        or root.get("{http://www.w3.org/XML/1998/namespace}lang")
        or (str(header[0]).split(",")[0] if header else None)
    )
    return declared_language(declared) or declared_language(_meta(tree, "og:locale"))


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
    raw = _meta(tree, "article:published_time", "og:published_time", "datePublished")
    return parse_date(raw) or parse_date(date)


def extract_page(
    html: bytes | str,
    *,
    url: str | None = None,
    source: str = "page",
    content_type: str | None = None,
) -> Article:
    """Main text and metadata of a page; SourceError when there is no article text.

    Bytes are decoded by the HTTP `content_type`'s charset, a BOM, then the page's own
    declaration, verified (see `decoding`).
    """
    html = _decoded(html, content_type)
    document = trafilatura.bare_extraction(
        html,
        url=url,
        include_comments=False,
        include_tables=True,
        with_metadata=True,
        date_extraction_params=_DATE_PARAMS,
    )
    raw_text = getattr(document, "text", None) if document is not None else None
    if not raw_text:
        raise SourceError(f"{url or 'page'}: no article text found")
    cleaned = clean_text(entering(raw_text))
    tree = _tree(html)
    site = getattr(document, "sitename", None)
    meta_title = getattr(document, "title", None)
    if tree is not None:  # None when the page names only its site: the text's first line
        title = page_headline(tree, url=url, sitename=site) or ""
    else:
        title = one_line(plain_text(meta_title)) if meta_title else ""
    lines = cleaned.text.split("\n\n") if cleaned.text else []
    if lines and lines[0] == title:
        lines = lines[1:]
    if not lines:
        raise SourceError(f"{url or 'page'}: no article text left after cleaning")
    title = title or lines[0]
    categories = getattr(document, "categories", None) or []
    section = _meta(tree, "article:section") or (categories[0] if categories else None)
    section = one_line(section) if section else None
    canonical = getattr(document, "url", None) or url or ""
    http = canonical.lower().startswith(("http://", "https://"))
    return Article(
        url=canonical_url(canonical) if http else canonical,
        title=title,
        text="\n\n".join(lines),
        source=source,
        section=section or cleaned.section or _label_above(tree),
        published=_published(tree, getattr(document, "date", None)),
        author=one_line(getattr(document, "author", None) or "") or None,
        html=None,
        image_url=getattr(document, "image", None) or None,
        language=_language(tree),
    )
