"""JSON Feed 1.0/1.1 (feedparser cannot read it)."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

from digest.errors import SourceError
from digest.gather.dates import parse_date
from digest.gather.items import FeedItem

__all__ = ["looks_like_json", "parse_json_feed"]


def looks_like_json(body: bytes, content_type: str | None) -> bool:
    """JSON Feed by media type or by a body that opens with "{"."""
    if content_type and "json" in content_type.lower():
        return True
    return body.lstrip(b"\xef\xbb\xbf \t\r\n").startswith(b"{")


def _date(value: Any) -> datetime | None:
    """RFC 3339 by the spec, but feeds also write RFC 822: the one parser reads both."""
    return parse_date(value) if isinstance(value, str) else None


def _str(value: Any) -> str | None:
    return value if isinstance(value, str) and value.strip() else None


def _author(item: dict[str, Any]) -> str | None:
    authors = item.get("authors")
    if isinstance(authors, list) and authors and isinstance(authors[0], dict):
        return _str(authors[0].get("name"))
    author = item.get("author")
    return _str(author.get("name")) if isinstance(author, dict) else None


def parse_json_feed(body: bytes) -> list[FeedItem]:
    """Items of a JSON Feed; SourceError when the body is not one."""
    try:
        document = json.loads(body.decode("utf-8-sig"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise SourceError(f"not a valid JSON Feed: {exc}") from exc
    version = document.get("version") if isinstance(document, dict) else None
    items = document.get("items") if isinstance(document, dict) else None
    if not (isinstance(version, str) and "jsonfeed.org" in version) or not isinstance(items, list):
        raise SourceError("not a JSON Feed: no jsonfeed.org version or no items list")
    result = []
    for item in items:
        if not isinstance(item, dict):
            continue
        text = _str(item.get("content_text"))
        html = _str(item.get("content_html")) or _str(item.get("summary"))
        if html is None and text is not None:
            html = "".join(f"<p>{_escape(p)}</p>" for p in text.split("\n") if p.strip())
        tags = item.get("tags")
        result.append(
            FeedItem(
                link=_str(item.get("url")) or _str(item.get("external_url")),
                title=_str(item.get("title")) or "",
                html=html or "",
                published=_date(item.get("date_published")) or _date(item.get("date_modified")),
                author=_author(item) or _author(document),
                category=_str(tags[0]) if isinstance(tags, list) and tags else None,
                image_url=_str(item.get("image")) or _str(item.get("banner_image")),
                language=_str(item.get("language")) or _str(document.get("language")),
            )
        )
    return result


def _escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
