"""Feed bytes to Articles: JSON Feed, the fast lxml path, or feedparser (never fetching)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import feedparser

from digest.errors import SourceError
from digest.gather.dates import parse_date
from digest.gather.fastfeed import fast_items
from digest.gather.items import FeedItem, item_to_article, looks_like_image
from digest.gather.jsonfeed import looks_like_json, parse_json_feed
from digest.gather.markup import looks_like_html, plain_to_html
from digest.models import Article, SourceConfig

__all__ = ["feed_items", "feedparser_items", "parse_feed"]


def parse_feed(
    body: bytes, *, url: str, content_type: str | None, source: SourceConfig | str
) -> list[Article]:
    """Cleaned Articles of one feed document; SourceError when it is not a readable feed.

    `source` is the configured source, or only its name (checks outside the repository).
    """
    if isinstance(source, str):
        source = SourceConfig(name=source, url=url, kind="feed")
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


def _date(entry: Any) -> datetime | None:
    """The fast path's parser on the raw strings, so both paths date an item alike."""
    keys = entry.keys()  # plain key lookup: entry.get() warns about a deprecated fallback
    for key in ("published", "updated", "created"):
        when = parse_date(entry[key]) if key in keys and isinstance(entry[key], str) else None
        if when is not None:
            return when
    return None


def _html(entry: Any) -> str:
    """The first non-empty content, else the summary, as on the fast path: an empty
    content:encoded never hides a description. feedparser files a media:description (a photo
    caption) or an itunes:summary as plain-text content: beside a summary, a caption never
    wins, podcast notes when longer."""
    summary = str(entry.get("summary", ""))
    for content in entry.get("content") or []:
        value = str(content.get("value") or "")
        if not value.strip():
            continue
        if content.get("type") == "text/plain":
            if len(summary) >= len(value) or (summary and "media_content" in entry):
                break
            return plain_to_html(value)
        return value
    return summary


def _image(entry: Any) -> str | None:
    for media in entry.get("media_content") or []:
        if looks_like_image(media.get("url"), media.get("medium") or media.get("type")):
            return str(media["url"])
    for thumbnail in entry.get("media_thumbnail") or []:
        if thumbnail.get("url"):
            return str(thumbnail["url"])
    for enclosure in entry.get("enclosures") or []:
        if (enclosure.get("type") or "").startswith("image") and enclosure.get("href"):
            return str(enclosure["href"])
    return None


def _language(entry: Any) -> str | None:
    """The entry's own xml:lang (on its content, summary or title), as feedparser keeps it."""
    for detail in [*(entry.get("content") or []), entry.get("summary_detail")]:
        if detail and detail.get("language"):
            return str(detail["language"])
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
    feed_language = parsed.get("feed", {}).get("language")
    for entry in parsed.entries:
        tags = entry.get("tags") or []
        title = str(entry.get("title", ""))
        # feedparser calls a title holding a <script> plain text: its content must go too.
        title_type = (entry.get("title_detail") or {}).get("type", "text/plain")
        items.append(
            FeedItem(
                link=entry.get("link"),
                title=title,
                title_is_html=title_type != "text/plain" or looks_like_html(title),
                html=_html(entry),
                published=_date(entry),
                author=entry.get("author"),
                category=(tags[0].get("term") or None) if tags else None,
                image_url=_image(entry),
                language=_language(entry) or feed_language,
            )
        )
    return items
