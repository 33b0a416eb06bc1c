"""One date parser for every format feeds and pages write, with real zone offsets."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from digest.gather.dates import parse_date
from digest.gather.fastfeed import fast_items
from digest.gather.feeds import feedparser_items
from digest.gather.jsonfeed import parse_json_feed


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Fri, 31 May 2019 12:17:58 -0700", datetime(2019, 5, 31, 19, 17, 58, tzinfo=UTC)),
        ("Thu, 01 Jan 2004 19:48:21 GMT", datetime(2004, 1, 1, 19, 48, 21, tzinfo=UTC)),
        ("1 Jan 04 19:48 +0530", datetime(2004, 1, 1, 14, 18, tzinfo=UTC)),
        ("2019-05-31T12:17:58Z", datetime(2019, 5, 31, 12, 17, 58, tzinfo=UTC)),
        ("2003-12-13T18:30:02+01:00", datetime(2003, 12, 13, 17, 30, 2, tzinfo=UTC)),
        ("2003-12-13T18:30:02.25-05:00", datetime(2003, 12, 13, 23, 30, 2, 250000, tzinfo=UTC)),
        ("2003-12", datetime(2003, 12, 1, tzinfo=UTC)),  # W3C-DTF reduced precision
        ("2003", datetime(2003, 1, 1, tzinfo=UTC)),
        ("Friday, January 29, 2021 04:42 PM", datetime(2021, 1, 29, 16, 42, tzinfo=UTC)),
        ("Sun, 06 Nov 1994 08:49:37 CET", datetime(1994, 11, 6, 7, 49, 37, tzinfo=UTC)),
        ("Sun, 06 Jul 1994 08:49:37 CEST", datetime(1994, 7, 6, 6, 49, 37, tzinfo=UTC)),
        ("Sun, 06 Jul 1994 08:49:37 BST", datetime(1994, 7, 6, 7, 49, 37, tzinfo=UTC)),
        ("Sun, 06 Nov 1994 08:49:37 IST", datetime(1994, 11, 6, 3, 19, 37, tzinfo=UTC)),
        ("Tue, 10 Jun 2003 04:00:00 EDT", datetime(2003, 6, 10, 8, 0, tzinfo=UTC)),
        ("2020/1/10 14:26", datetime(2020, 1, 10, 14, 26, tzinfo=UTC)),
        ("29 January 2021 16:42 CET", datetime(2021, 1, 29, 15, 42, tzinfo=UTC)),
        ("Episode 5", None),  # no date: nothing filled in from today
        ("May 2019", None),
        ("", None),
        ("0001-01-01T00:00:00Z", None),  # a placeholder year
        ("Mon, 01 Jan 0001 00:00:00 +0000", None),
        ("Mon, 31 Feb 2020 10:00:00 GMT", None),
    ],
)
def test_formats(text: str, expected: datetime | None) -> None:
    assert parse_date(text) == expected


def test_json_feed_rfc822_dates_are_read() -> None:
    body = (
        b'{"version": "https://jsonfeed.org/version/1", "title": "F", "items": [{"id": "1",'
        b' "url": "https://e.x/1", "title": "T", "content_text": "x",'
        b' "date_published": "Fri, 31 May 2019 12:17:58 -0700"}]}'
    )
    (item,) = parse_json_feed(body)
    assert item.published == datetime(2019, 5, 31, 19, 17, 58, tzinfo=UTC)


@pytest.mark.parametrize("element", ["dcterms:modified", "dcterms:issued"])
def test_items_dated_only_by_dcterms_are_dated_on_both_paths(element: str) -> None:
    body = (
        '<rss version="2.0" xmlns:dcterms="http://purl.org/dc/terms/"><channel><title>F</title>'
        f"<item><title>T</title><link>https://e.x/1</link><{element}>2021-01-29T16:42:00Z"
        f"</{element}></item></channel></rss>"
    ).encode()
    fast = fast_items(body, None)
    assert fast is not None
    expected = datetime(2021, 1, 29, 16, 42, tzinfo=UTC)
    assert fast[0].published == expected
    assert feedparser_items(body, url="https://e.x/", content_type=None)[0].published == expected


def test_zone_abbreviations_on_the_fast_path_and_feedparsers_agree() -> None:
    body = (
        b'<rss version="2.0"><channel><title>F</title><item><title>T</title>'
        b"<link>https://e.x/1</link><pubDate>Fri, 29 Jan 2021 16:42:00 CET</pubDate>"
        b"</item></channel></rss>"
    )
    fast = fast_items(body, None)
    assert fast is not None
    slow = feedparser_items(body, url="https://e.x/", content_type=None)
    assert fast[0].published == slow[0].published == datetime(2021, 1, 29, 15, 42, tzinfo=UTC)
