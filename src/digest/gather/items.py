"""Feed items as parsed (any format) and their conversion into cleaned Articles."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from urllib.parse import urljoin, urlsplit

from digest.gather.clean import clean_text
from digest.gather.markup import first_image, plain_text, sanitize_html, sanitized_html_to_text
from digest.gather.urls import canonical_url
from digest.models import Article, SourceConfig

__all__ = ["FeedItem", "item_to_article"]


@dataclass(frozen=True)
class FeedItem:
    """One entry of a feed before cleaning; `html` is untrusted until sanitised."""

    link: str | None
    title: str
    html: str
    published: datetime | None = None
    author: str | None = None
    category: str | None = None
    image_url: str | None = None


def _http(url: str | None) -> str | None:
    return url if url and url.lower().startswith(("http://", "https://")) else None


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
    safe_html = sanitize_html(item.html) if item.html else ""
    cleaned = clean_text(sanitized_html_to_text(safe_html))
    lines = cleaned.text.split("\n\n") if cleaned.text else []
    title = plain_text(item.title) or (lines[0] if lines else "")
    if lines and lines[0] == title:
        lines = lines[1:]
    if not title:
        return None
    return Article(
        url=url,
        title=title,
        text="\n\n".join(lines),
        source=source.name,
        section=source.section or (item.category or None) or cleaned.section,
        published=_when(item.published),
        author=plain_text(item.author) if item.author else None,
        html=safe_html or None,
        image_url=_http(item.image_url) or first_image(safe_html),
    )
