"""Feed items as parsed (any format) and their conversion into cleaned Articles."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime
from urllib.parse import urljoin, urlsplit

from digest.gather.clean import clean_text
from digest.gather.markup import (
    absolute_urls,
    first_image,
    looks_like_html,
    sanitize_html,
    sanitized_html_to_text,
    title_text,
)
from digest.gather.unicode import entering, one_line
from digest.gather.urls import canonical_url
from digest.models import Article, SourceConfig

__all__ = ["FeedItem", "declared_language", "item_to_article", "looks_like_image"]


@dataclass(frozen=True)
class FeedItem:
    """One entry of a feed before cleaning; `html` is untrusted until sanitised.

    `title` is HTML when `title_is_html` (an Atom html title, an RSS title with tags or
    entities), else plain text to keep as written ("std::vector<bool>", a JSON Feed title).
    """

    link: str | None
    title: str
    html: str
    published: datetime | None = None
    author: str | None = None
    category: str | None = None
    image_url: str | None = None
    title_is_html: bool = False
    language: str | None = None  # as the feed declares it (checked by `declared_language`)


_LANGUAGE_TAG = re.compile(r"[A-Za-z]{2,3}(?:[-_][A-Za-z0-9]{1,8})*")


def declared_language(value: object) -> str | None:
    """A language a feed or page declares ("fr", "pt-BR", "en_US" -> "en-US"), or None when
    it is missing or no language tag ("*", "x", "français")."""
    if not isinstance(value, str) or not _LANGUAGE_TAG.fullmatch(value.strip()):
        return None
    return value.strip().replace("_", "-")


_IMAGE_EXTENSIONS = (".jpg", ".jpeg", ".png", ".gif", ".webp", ".avif")


def looks_like_image(url: str | None, kind: str | None) -> bool:
    """A media:content is a picture by its medium/type, or, when it has neither (the
    Guardian's), by its URL's file extension."""
    if not url:
        return False
    if kind:
        return kind.startswith("image")
    path = urlsplit(url).path.lower()
    return path.endswith(_IMAGE_EXTENSIONS)


def _http(url: str | None) -> str | None:
    return url if url and url.lower().startswith(("http://", "https://")) else None


def _author(author: str | None) -> str | None:
    if not author:
        return None
    return one_line(title_text(author, is_html=looks_like_html(author))) or None


def _image(image_url: str | None, base: str) -> str | None:
    """The item's own picture, a relative one resolved against the article's URL."""
    if not image_url:
        return None
    return _http(image_url.strip()) or _http(urljoin(base, image_url.strip()))


def _when(published: datetime | None) -> datetime | None:
    """Whole seconds (as feedparser gives), and None for placeholder years like 0001."""
    if published is None or published.year < 1900:
        return None
    return published.replace(microsecond=0)


def _article_url(feed_url: str, link: str) -> str | None:
    """An http(s) URL; a relative path is kept only for a local feed (bundled examples)."""
    # Absolute with a host name: urljoin would only re-serialise it (dropping an empty "?"
    # or "#", which canonical_url drops too). Links with ";" (urljoin splits params off) or
    # whitespace (re-serialising can move it to the end, where canonical_url strips it) go
    # the long way.
    plain = ";" not in link and " " not in link and link.isprintable()
    if plain and link[:8].lower().startswith(("http://", "https://")) and urlsplit(link).hostname:
        return canonical_url(link)
    url = urljoin(feed_url, link)
    if url.lower().startswith(("http://", "https://")):
        return canonical_url(url)
    if ":" not in link and not feed_url.lower().startswith(("http://", "https://")):
        return url
    return None


def item_to_article(item: FeedItem, *, feed_url: str, source: SourceConfig) -> Article | None:
    """Sanitise, extract and clean one item; None when it has no link to point readers at."""
    try:
        url = _article_url(feed_url, (item.link or "").strip()) if item.link else None
    except ValueError:  # e.g. "Invalid IPv6 URL": this item goes, the rest of the feed stays
        return None
    if url is None:
        return None
    safe_html = absolute_urls(sanitize_html(item.html), url) if item.html else ""
    cleaned = clean_text(entering(sanitized_html_to_text(safe_html)))
    lines = cleaned.text.split("\n\n") if cleaned.text else []
    title = one_line(title_text(item.title, is_html=item.title_is_html))
    title = title or (lines[0] if lines else "")
    if lines and lines[0] == title:
        lines = lines[1:]
    if not title:
        return None
    return Article(
        url=url,
        title=title,
        text="\n\n".join(lines),
        source=source.name,
        section=source.section or one_line(item.category or "") or cleaned.section,
        published=_when(item.published),
        author=_author(item.author),
        html=entering(safe_html) or None,
        image_url=_image(item.image_url, url) or first_image(safe_html),
        language=declared_language(item.language),
    )
