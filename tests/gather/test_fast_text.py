"""The fast per-item helpers give exactly what the slower, obvious versions give.

sanitized_html_to_text (regexes on nh3's output) against html_to_text (an lxml tree walk), the
cleaner's one-regex prefilter against its table row by row, and absolute links without urljoin
against the full join: on every item of the feed corpus and on generated input.
"""

from __future__ import annotations

import random
import re
from collections.abc import Callable, Iterator
from pathlib import Path
from urllib.parse import urljoin

import pytest

from digest.errors import SourceError
from digest.gather.clean import RULES, clean_text, is_chrome, section_label
from digest.gather.feeds import feed_items
from digest.gather.items import FeedItem, _article_url, item_to_article
from digest.gather.markup import html_to_text, sanitize_html, sanitized_html_to_text
from digest.gather.urls import canonical_url
from digest.models import SourceConfig

FEEDS = Path(__file__).resolve().parent.parent / "data" / "gather" / "feeds"


def corpus_items() -> Iterator[FeedItem]:
    for path in sorted(FEEDS.rglob("*")):
        if path.suffix not in (".xml", ".json"):
            continue
        try:
            yield from feed_items(path.read_bytes(), url="http://example.com/f", content_type=None)
        except SourceError:
            continue


@pytest.fixture(scope="module")
def fragments() -> list[str]:
    found = [text for item in corpus_items() for text in (item.html, item.title) if text]
    assert len(found) > 2000
    return found


def test_text_of_sanitised_html_equals_the_tree_walk_on_the_corpus(fragments: list[str]) -> None:
    for fragment in fragments:
        safe = sanitize_html(fragment)
        assert sanitized_html_to_text(safe) == html_to_text(safe), safe[:300]


_PIECES = (
    "word", "two words", " ", "  ", "\t", "\n", "\r\n", "\u00a0", "&amp;", "&lt;b&gt;", "&nbsp;",
    "&eacute;", "&#233;", "&", "<", ">", '"', "\u2009", "\u3000", "\u200b", "caf\u00e9",
    "<p>", "</p>", "<br>", "<br/>", "<hr>", "<b>", "</b>", "<i>x</i>", "<pre> a  b </pre>",
    "<ul><li>one<li>two</ul>", "<table><tr><td>c</td></tr></table>", "<h2>head</h2>",
    '<a href="http://e.com/?a=1&b=2" title="x > y">link</a>', '<img src="http://e.com/i.png"'
    ' alt="a > b">', "<div>d</div>", "<span>s</span>", "<script>alert(1)</script>",
    "<style>p{}</style>", "<!-- c -->", "<blockquote>q</blockquote>", "<figure><figcaption>"
    "cap</figcaption></figure>", "<p><p>", "</li>", "<dl><dt>t<dd>d</dl>", "<sub>2</sub>",
    "\r", "\x85", "\u2028", "\u2029", "\u200b", " \n ", "&#10;", "&#160;",
)  # fmt: skip


def test_text_of_sanitised_html_equals_the_tree_walk_on_generated_markup() -> None:
    rng = random.Random(3)
    for _ in range(6000):
        markup = "".join(rng.choice(_PIECES) for _ in range(rng.randint(1, 25)))
        safe = sanitize_html(markup)
        assert sanitized_html_to_text(safe) == html_to_text(safe), (markup, safe)


def slow_is_chrome(line: str) -> str | None:
    """Each rule on the line as it is, then on its words without wrapping ("- Next")."""
    for text in (line, line.strip(" -\u2013\u2014\u2022*\u00b7>\u00bb\u203a<\u00ab[](){}|:_=~#")):
        words = len(text.split())
        for rule in RULES:
            if words <= rule.max_words and rule.pattern.fullmatch(text):
                return rule.name
    return None


def test_cleaner_prefilter_decides_like_the_table(fragments: list[str]) -> None:
    lines = [line for f in fragments for line in html_to_text(sanitize_html(f)).splitlines()]
    lines += ["Newsletter", "Share", "Comments", "Follow us on X", "We use cookies " * 12]
    assert len(lines) > 5000
    for line in lines:
        assert is_chrome(line) == slow_is_chrome(line), line


def slow_clean_text(text: str) -> tuple[str, str | None]:
    lines = [re.sub(r"[ \t\u00a0]+", " ", raw).strip() for raw in text.splitlines()]
    kept = [line for line in lines if line and slow_is_chrome(line) is None]
    section = None
    while kept and (label := section_label(kept[0])) is not None:
        section = section or label
        kept.pop(0)
    return "\n\n".join(kept), section


@pytest.mark.parametrize(
    "text",
    [
        "a  b\n\n c\t d",
        "World\nx\u00a0\u00a0y\n Subscribe  now \nLeave a comment",
        "News > World\n\tReal  sentence here.\u2009Thin space kept.",
        "plain line",
        "  \n\t\n",
        "",
    ],
)
def test_clean_text_collapses_spaces_as_before(text: str) -> None:
    cleaned = clean_text(text)
    assert (cleaned.text, cleaned.section) == slow_clean_text(text)


def test_clean_text_equals_the_line_by_line_version_on_the_corpus(fragments: list[str]) -> None:
    for fragment in fragments[:1500]:
        text = html_to_text(sanitize_html(fragment))
        cleaned = clean_text(text)
        assert (cleaned.text, cleaned.section) == slow_clean_text(text)


def slow_article_url(feed_url: str, link: str) -> str | None:
    url = urljoin(feed_url, link)
    if url.lower().startswith(("http://", "https://")):
        return canonical_url(url)
    if ":" not in link and not feed_url.lower().startswith(("http://", "https://")):
        return url
    return None


_URL_PIECES = (
    "http://", "https://", "HTTP://", "h.example", "H.Example.COM", ":8080", ":443", ":80", "/",
    "//", "a", "b", "..", ".", "?", "q=1", "&", "utm_source=x", "#", "frag", ";", "p=2", "%20",
    " ", "@", "user:pw@", "[::1]", "\t", "é", "\u3000", "\n", "%", "[", "0", "http:/",
)  # fmt: skip


def test_absolute_links_skip_urljoin_with_the_same_result() -> None:
    links = [item.link for item in corpus_items() if item.link]
    rng = random.Random(5)
    links += [
        "".join(rng.choice(_URL_PIECES) for _ in range(rng.randint(1, 9))) for _ in range(5000)
    ]
    assert len(links) > 5500
    for base in ("http://example.com/feed.xml", "https://example.com/a/b/", "examples/feed.xml"):
        for link in links:
            link = link.strip()
            assert outcome(_article_url, base, link) == outcome(slow_article_url, base, link)


def outcome(func: Callable[[str, str], str | None], base: str, link: str) -> object:
    try:
        return func(base, link)
    except ValueError as exc:
        return ("ValueError", str(exc))


def test_an_item_with_a_malformed_link_is_dropped_not_the_feed() -> None:
    items = [
        FeedItem(link="http://[bad/x", title="Bad", html="<p>b</p>"),
        FeedItem(link="http://e.com/a", title="A", html="<p>a</p>"),
    ]
    source = SourceConfig(name="s", url="http://e.com/feed", kind="feed")
    articles = [item_to_article(i, feed_url="http://e.com/feed", source=source) for i in items]
    assert articles[0] is None
    assert articles[1] is not None and articles[1].url == "http://e.com/a"
