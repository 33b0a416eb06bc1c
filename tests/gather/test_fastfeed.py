"""The fast lxml path gives the same articles as feedparser, and steps aside when unsure."""

from __future__ import annotations

from pathlib import Path

import pytest

from digest.gather.fastfeed import fast_items
from digest.gather.feeds import feedparser_items
from digest.gather.items import FeedItem, item_to_article
from digest.gather.jsonfeed import parse_json_feed
from digest.models import Article, SourceConfig

FEEDS = Path(__file__).resolve().parent.parent / "data" / "gather" / "feeds"
SOURCE = SourceConfig(name="s", url="https://feeds.example/", kind="feed")


def _articles(items: list[FeedItem]) -> list[Article | None]:
    return [item_to_article(i, feed_url=SOURCE.url, source=SOURCE) for i in items]


def _plain_feeds() -> list[Path]:
    return sorted((FEEDS / "real").glob("*.xml")) + sorted(FEEDS.glob("feed-rs-fixtures/*/*.xml"))


def test_fast_path_matches_feedparser_on_real_feeds() -> None:
    compared = items = text_equal = 0
    for path in _plain_feeds():
        body = path.read_bytes()
        fast = fast_items(body, None)
        if fast is None:
            continue
        compared += 1
        slow = _articles(feedparser_items(body, url=SOURCE.url, content_type=None))
        quick = _articles(fast)
        assert len(quick) == len(slow), path.name
        for mine, theirs in zip(quick, slow, strict=True):
            if theirs is None or mine is None:
                continue
            items += 1
            assert mine.url == theirs.url, path.name
            assert mine.title == theirs.title, path.name
            if mine.published and theirs.published:
                assert mine.published == theirs.published, path.name
            text_equal += mine.text == theirs.text
    assert compared >= 60
    assert text_equal >= 0.9 * items, f"{text_equal} of {items} texts equal"


@pytest.mark.parametrize(
    ("body", "content_type"),
    [
        (b'<?xml version="1.0"?><!DOCTYPE rss [<!ENTITY a "b">]><rss version="2.0"/>', None),
        (
            b'<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#"'
            b' xmlns="http://my.netscape.com/rdf/simple/0.9/"><item><title>T</title>'
            b"<link>https://e.x/a</link></item></rdf:RDF>",
            None,
        ),
        (b'<rss version="2.0"><channel><item></channel></rss>', None),
        (b'<feed xmlns="http://purl.org/atom/ns#"></feed>', None),
        (b'<rss version="0.91"><channel></channel></rss>', None),
    ],
)
def test_fast_path_steps_aside(body: bytes, content_type: str | None) -> None:
    assert fast_items(body, content_type) is None


def test_dangerous_markup_is_sanitised_on_the_fast_path() -> None:
    body = b"""<rss version="2.0"><channel><item><title>T</title><link>https://e.x/a</link>
    <description>&lt;p onclick="x()"&gt;Hi&lt;script&gt;alert(1)&lt;/script&gt;
    &lt;a href="javascript:alert(1)"&gt;link&lt;/a&gt;&lt;/p&gt;</description>
    </item></channel></rss>"""
    items = fast_items(body, None)
    assert items is not None
    (article,) = _articles(items)
    assert article is not None
    assert article.html == '<p>Hi\n    <a rel="noopener noreferrer nofollow">link</a></p>'
    assert "alert" not in article.text


def test_json_feed_items() -> None:
    items = parse_json_feed((FEEDS / "json" / "jsonfeed_elastic_1.1.json").read_bytes())
    assert items and all(i.link for i in items)


_RSS_FR = (
    b'<?xml version="1.0"?><rss version="2.0"><channel><title>Actu</title>'
    b"<language>fr-FR</language><item><title>Le budget</title>"
    b"<link>https://e.x/a</link><description>Le conseil a vot\xc3\xa9.</description></item>"
    b"</channel></rss>"
)
_ATOM_DE = (
    b'<?xml version="1.0"?><feed xmlns="http://www.w3.org/2005/Atom" xml:lang="de">'
    b"<title>F</title><entry><title>Haushalt</title><link href='https://e.x/b'/>"
    b"<content type='text'>Der Rat hat abgestimmt.</content></entry>"
    b"<entry xml:lang='en'><title>Budget</title><link href='https://e.x/c'/>"
    b"<content type='text'>The council voted.</content></entry></feed>"
)


@pytest.mark.parametrize(
    ("body", "languages"),
    [(_RSS_FR, ["fr-FR"]), (_ATOM_DE, ["de", "en"])],
)
def test_the_feeds_declared_language_reaches_the_article(body: bytes, languages: list[str]) -> None:
    """RSS <language> and Atom's inherited xml:lang, alike on both parsers."""
    fast = fast_items(body, None)
    assert fast is not None
    slow = feedparser_items(body, url=SOURCE.url, content_type=None)
    for items in (fast, slow):
        assert [a.language for a in _articles(items) if a] == languages


def test_a_json_feeds_language_and_no_tag_for_junk() -> None:
    body = (
        b'{"version": "https://jsonfeed.org/version/1.1", "language": "es", "items": ['
        b'{"url": "https://e.x/1", "title": "Uno", "content_text": "Hola."},'
        b'{"url": "https://e.x/2", "title": "Dos", "content_text": "Ol\xc3\xa1.",'
        b' "language": "pt_BR"},'
        b'{"url": "https://e.x/3", "title": "Tres", "content_text": "?", "language": "*"}]}'
    )
    assert [a.language for a in _articles(parse_json_feed(body)) if a] == ["es", "pt-BR", None]
