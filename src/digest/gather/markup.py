"""HTML helpers: nh3 sanitising, HTML to plain paragraphs, plain-text titles."""

from __future__ import annotations

import html
import re

import lxml.html
import nh3
from lxml import etree

__all__ = ["first_image", "html_to_text", "plain_text", "sanitize_html"]

_TAGS = {
    "a", "abbr", "b", "blockquote", "br", "caption", "cite", "code", "dd", "del", "dl", "dt",
    "em", "figcaption", "figure", "h1", "h2", "h3", "h4", "h5", "h6", "hr", "i", "img", "ins",
    "li", "ol", "p", "pre", "q", "s", "small", "span", "strong", "sub", "sup", "table",
    "tbody", "td", "tfoot", "th", "thead", "time", "tr", "u", "ul",
}  # fmt: skip
_ATTRIBUTES = {
    "a": {"href", "title"},
    "img": {"src", "alt", "title", "width", "height"},
    "td": {"colspan", "rowspan"},
    "th": {"colspan", "rowspan"},
    "time": {"datetime"},
}
_SCHEMES = {"http", "https", "mailto"}
_BLOCKS = {
    "p", "div", "br", "li", "ul", "ol", "h1", "h2", "h3", "h4", "h5", "h6", "blockquote",
    "pre", "tr", "table", "section", "article", "header", "footer", "figure", "figcaption",
    "dd", "dt", "hr", "aside", "main", "nav",
}  # fmt: skip
_DROP = {"script", "style", "noscript", "template", "iframe", "object", "embed", "svg", "head"}
_TAG = re.compile(r"<[^>]{0,2000}>")
_SPACE = re.compile(r"\s+")


def sanitize_html(markup: str) -> str:
    """Keep harmless formatting only: no scripts, no on* handlers, no javascript: URLs."""
    return nh3.clean(
        markup,
        tags=_TAGS,
        attributes=_ATTRIBUTES,
        url_schemes=_SCHEMES,
        link_rel="noopener noreferrer nofollow",
        strip_comments=True,
    )


def _fragment(markup: str) -> etree._Element | None:
    try:
        return lxml.html.fragment_fromstring(markup, create_parent="div")
    except (etree.ParserError, ValueError):
        return None


def html_to_text(markup: str) -> str:
    """Plain text with one line per block element (the cleaner then makes paragraphs)."""
    if "<" not in markup:
        return html.unescape(markup) if "&" in markup else markup
    root = _fragment(markup)
    if root is None:
        return plain_text(markup)
    parts: list[str] = []

    def walk(node: etree._Element) -> None:
        tag = node.tag if isinstance(node.tag, str) else ""
        if tag in _DROP:
            if node.tail:
                parts.append(node.tail)
            return
        block = tag in _BLOCKS
        if block:
            parts.append("\n")
        if node.text and isinstance(node.tag, str):
            parts.append(node.text)
        for child in node:
            walk(child)
        if block:
            parts.append("\n")
        if node.tail:
            parts.append(node.tail)

    walk(root)
    lines = (_SPACE.sub(" ", line).strip() for line in "".join(parts).split("\n"))
    return "\n".join(line for line in lines if line)


def plain_text(markup: str) -> str:
    """One line of plain text from a title or snippet that may hold tags and entities."""
    if "<" in markup:
        markup = _TAG.sub(" ", markup)
    return _SPACE.sub(" ", html.unescape(markup)).strip()


def first_image(markup: str) -> str | None:
    """The first http(s) <img src> of (sanitised) HTML, to illustrate a story."""
    match = re.search(r"<img\b[^>]*\bsrc=\"(https?://[^\"]+)\"", markup, re.IGNORECASE)
    return html.unescape(match.group(1)) if match else None
