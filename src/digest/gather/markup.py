"""HTML helpers: nh3 sanitising, HTML to plain paragraphs, plain-text titles."""

from __future__ import annotations

import html
import re
from urllib.parse import urljoin

import lxml.html
import nh3
from lxml import etree

__all__ = [
    "absolute_urls",
    "first_image",
    "html_to_text",
    "looks_like_html",
    "plain_text",
    "plain_to_html",
    "sanitize_html",
    "sanitized_html_to_text",
    "title_text",
]

_TAGS = {
    "a", "abbr", "b", "blockquote", "br", "caption", "cite", "code", "dd", "del", "dl", "dt",
    "em", "figcaption", "figure", "h1", "h2", "h3", "h4", "h5", "h6", "hr", "i", "img", "ins",
    "li", "ol", "p", "pre", "q", "s", "small", "span", "strong", "sub", "sup", "table",
    "tbody", "td", "tfoot", "th", "thead", "time", "tr", "u", "ul",
    # Layout blocks carry no risk and keep words of neighbouring blocks apart in the text.
    "div", "section", "article", "header", "footer", "aside", "main",
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
    "dd", "dt", "hr", "aside", "main", "nav", "td", "th", "caption",
}  # fmt: skip
_DROP = {"script", "style", "noscript", "template", "iframe", "object", "embed", "svg", "head"}
# Elements whose content is never text (nh3 drops it with the element).
_NO_CONTENT = {"script", "style", "noscript", "template", "iframe", "object", "svg", "title"}
# "<iframe ... />" (Blogger's video embed): HTML has no self-closing iframe, so the parser would
# read everything after it as the iframe's raw text. Closed explicitly, it holds nothing.
_SELF_CLOSED = re.compile(r"<(iframe|script|style|noscript)\b([^>]*?)/>", re.IGNORECASE)
_TAG = re.compile(r"<[^>]{0,2000}>")
_SPACE = re.compile(r"\s+")
# nh3 is configured once: building the allow-lists on every call cost a third of its time.
_CLEANER = nh3.Cleaner(
    tags=_TAGS,
    attributes=_ATTRIBUTES,
    url_schemes=_SCHEMES,
    link_rel="noopener noreferrer nofollow",
    strip_comments=True,
    clean_content_tags=_NO_CONTENT,
)
# Tags as nh3 serialises them: a name, then attributes whose values are always double-quoted
# (a value may hold ">", never a raw '"'). Comments never survive (strip_comments).
_ATTRS = r"[^>\"]*(?:\"[^\"]*\"[^>\"]*)*>"
_SAFE_BLOCK_TAG = re.compile(
    rf"</?(?:{'|'.join(sorted(_BLOCKS & _TAGS, key=len, reverse=True))})\b{_ATTRS}"
)
_SAFE_TAG = re.compile(rf"</?[a-zA-Z][a-zA-Z0-9]*\b{_ATTRS}")


def sanitize_html(markup: str) -> str:
    """Keep harmless formatting only: no scripts, no on* handlers, no javascript: URLs."""
    if "/>" in markup:
        markup = _SELF_CLOSED.sub(r"<\1\2></\1>", markup)
    return _CLEANER.clean(markup)


_SOFT_BREAK = re.compile(r"(?<=\S)[ \t]*\n[ \t]*(?=\S)")


def soft_breaks(markup: str) -> str:
    """A single line break in HTML text is a space (a feed's wrapped description would
    otherwise be cut into one paragraph per source line); a blank line still separates
    paragraphs, and <pre> keeps its lines."""
    if "\n" not in markup or "<pre" in markup:
        return markup
    return _SOFT_BREAK.sub(" ", markup)


def sanitized_html_to_text(safe_html: str) -> str:
    """html_to_text for the output of sanitize_html, without building a tree.

    nh3's output is regular (allowed tags only, quoted attributes, no comments, no script or
    style), so block tags become line breaks and the other tags go; the result equals
    html_to_text's on the same input (tests compare both on the whole feed corpus).
    """
    safe_html = soft_breaks(safe_html)
    if "<" not in safe_html:  # html_to_text gives plain text back as it is, unescaped
        return _unescape_serialised(safe_html) if "&" in safe_html else safe_html
    text = _SAFE_TAG.sub("", _SAFE_BLOCK_TAG.sub("\n", safe_html))
    if "&" in text:
        text = _unescape_serialised(text)
    if "  " not in text and text.replace("\n", "").isprintable():
        # Single spaces are the only other whitespace (all else is unprintable): trimming the
        # spaces next to line breaks and dropping empty lines is the whole normalisation.
        text = text.replace(" \n", "\n").replace("\n ", "\n").strip(" ")
        return "\n".join(filter(None, text.split("\n")))
    lines = (" ".join(line.split()) for line in text.split("\n"))
    return "\n".join(line for line in lines if line)


_SERIALISER_ENTITIES = (("&lt;", "<"), ("&gt;", ">"), ("&nbsp;", "\u00a0"), ("&amp;", "&"))


def _unescape_serialised(text: str) -> str:
    """html.unescape, by plain replacement when every "&" opens one of the four entities an
    HTML serialiser writes in text (nh3's case); "&amp;" goes last so "&amp;lt;" stays "&lt;"."""
    if text.count("&") != sum(text.count(entity) for entity, _ in _SERIALISER_ENTITIES):
        return html.unescape(text)
    for entity, char in _SERIALISER_ENTITIES:
        text = text.replace(entity, char)
    return text


def _fragment(markup: str) -> etree._Element | None:
    try:
        return lxml.html.fragment_fromstring(markup, create_parent="div")
    except (etree.ParserError, ValueError):
        return None


def html_to_text(markup: str) -> str:
    """Plain text with one line per block element (the cleaner then makes paragraphs)."""
    markup = soft_breaks(markup)
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


# feedparser's test for "is this title HTML?": a closing tag or an entity, and every tag one
# HTML knows. "std::vector<bool>" and "Die Rückkehr von <i> und <b>" are then plain text; a
# title holding a <script> is HTML (so its content goes, not only its tags).
_CLOSING = re.compile(r"</\w+>|&#?\w+;")
_TAG_NAMES = re.compile(r"</?(\w+)")
_KNOWN_TAGS = _TAGS | _BLOCKS | _DROP | {"font", "center", "big", "tt", "mark", "nobr", "wbr"}


def looks_like_html(text: str) -> bool:
    """True when a title or snippet is markup rather than plain text that shows "<" or "&"."""
    if "<script" in text.lower() or "<style" in text.lower():
        return True
    if not _CLOSING.search(text):
        return False
    return all(tag.lower() in _KNOWN_TAGS for tag in _TAG_NAMES.findall(text))


def title_text(title: str, *, is_html: bool) -> str:
    """A title as one line of text: HTML converted (escaped characters kept), plain text kept."""
    if is_html:
        title = html_to_text(title.replace("\n", " ")).replace("\n", " ")
    return _SPACE.sub(" ", title).strip()


_URL_ATTRIBUTE = re.compile(r"\b(src|href)=\"([^\"]*)\"")
_ABSOLUTE = ("http://", "https://", "mailto:", "#")


def _has_relative(safe_html: str) -> bool:
    for attribute in ('src="', 'href="'):
        at = safe_html.find(attribute)
        while at != -1:
            at += len(attribute)
            if not safe_html[at : at + 8].lower().startswith(_ABSOLUTE):
                return True
            at = safe_html.find(attribute, at)
    return False


def absolute_urls(safe_html: str, base: str) -> str:
    """Relative src/href of sanitised HTML resolved against the item's (or feed's) URL."""
    if not base.lower().startswith(("http://", "https://")):
        return safe_html

    def resolve(match: re.Match[str]) -> str:
        value = match.group(2)
        if value.lower().startswith(_ABSOLUTE):
            return match.group(0)
        url = html.escape(urljoin(base, html.unescape(value)), quote=True)
        return f'{match.group(1)}="{url}"'

    def in_tag(match: re.Match[str]) -> str:  # never in text: a code sample shows 'href="x"'
        return _URL_ATTRIBUTE.sub(resolve, match.group(0))

    if not _has_relative(safe_html):  # the common case: a few substring scans, no regex
        return safe_html
    return _SAFE_TAG.sub(in_tag, safe_html)


def plain_to_html(text: str) -> str:
    """Plain text (an itunes:summary, a media:description) as HTML with its line breaks."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace("\n", "<br>")


def plain_text(markup: str) -> str:
    """One line of plain text from a title or snippet that may hold tags and entities."""
    if "<" in markup:
        markup = _TAG.sub(" ", markup)
    return _SPACE.sub(" ", html.unescape(markup)).strip()


def first_image(markup: str) -> str | None:
    """The first http(s) <img src> of (sanitised) HTML, to illustrate a story."""
    match = re.search(r"<img\b[^>]*\bsrc=\"(https?://[^\"]+)\"", markup, re.IGNORECASE)
    return html.unescape(match.group(1)) if match else None
