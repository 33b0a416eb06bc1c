"""Feed bytes to Articles: JSON Feed, the fast lxml path, or feedparser (never fetching)."""

from __future__ import annotations

import calendar
from datetime import UTC, datetime
from typing import Any

import feedparser

from digest.errors import SourceError
from digest.gather.fastfeed import fast_items
from digest.gather.items import FeedItem, item_to_article
from digest.gather.jsonfeed import looks_like_json, parse_json_feed
from digest.models import Article, SourceConfig

__all__ = ["feed_items", "feedparser_items", "parse_feed"]


def parse_feed(
    body: bytes, *, url: str, content_type: str | None, source: SourceConfig
) -> list[Article]:
    """Cleaned Articles of one feed document; SourceError when it is not a readable feed."""
    articles = []
    for item in feed_items(body, url=url, content_type=content_type):
        article = item_to_article(item, feed_url=url, source=source)
        if article is not None:
            articles.append(article)
    return articles


def feed_items(body: bytes, *, url: str, content_type: str | None) -> list[FeedItem]:
    """Raw items by the cheapest safe parser that understands the document."""
    if looks_like_json(body, content_type):
        return parse_json_feed(body)
    items = fast_items(body, content_type)
    if items is not None:
        return items
    return feedparser_items(body, url=url, content_type=content_type)


def _struct_date(entry: Any) -> datetime | None:
    keys = entry.keys()  # plain key lookup: entry.get() warns about a deprecated fallback
    struct = entry["published_parsed"] if "published_parsed" in keys else None
    struct = struct or (entry["updated_parsed"] if "updated_parsed" in keys else None)
    if not struct:
        return None
    try:
        return datetime.fromtimestamp(calendar.timegm(struct), UTC)
    except (OverflowError, ValueError, OSError):
        return None


def _image(entry: Any) -> str | None:
    for media in entry.get("media_content") or []:
        kind = media.get("medium") or media.get("type") or ""
        if kind.startswith("image") and media.get("url"):
            return str(media["url"])
    for thumbnail in entry.get("media_thumbnail") or []:
        if thumbnail.get("url"):
            return str(thumbnail["url"])
    for enclosure in entry.get("enclosures") or []:
        if (enclosure.get("type") or "").startswith("image") and enclosure.get("href"):
            return str(enclosure["href"])
    return None


def feedparser_items(body: bytes, *, url: str, content_type: str | None) -> list[FeedItem]:
    """feedparser on bytes (it decodes legacy charsets, survives ill-formed XML)."""
    headers = {"content-location": url}
    if content_type:
        headers["content-type"] = content_type
    parsed = feedparser.parse(body, response_headers=headers, sanitize_html=True)
    problem = parsed.get("bozo_exception")
    harmless = isinstance(
        problem,
        feedparser.CharacterEncodingOverride | feedparser.NonXMLContentType | type(None),
    )
    if not parsed.entries and (not parsed.get("version") or not harmless):
        raise SourceError(f"not a readable feed: {problem or 'no feed format recognised'}")
    items = []
    for entry in parsed.entries:
        content = entry.get("content") or []
        html = content[0].get("value", "") if content else entry.get("summary", "")
        tags = entry.get("tags") or []
        items.append(
            FeedItem(
                link=entry.get("link"),
                title=entry.get("title", ""),
                html=html,
                published=_struct_date(entry),
                author=entry.get("author"),
                category=(tags[0].get("term") or None) if tags else None,
                image_url=_image(entry),
            )
        )
    return items
