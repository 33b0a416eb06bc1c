"""Feed titles, text and images as a reader should see them, on the fast path and feedparser's."""

from __future__ import annotations

import pytest

from digest.gather import parse_feed
from digest.gather.fastfeed import fast_items
from digest.gather.feeds import feed_items, feedparser_items
from digest.gather.items import FeedItem, item_to_article
from digest.models import Article, SourceConfig

URL = "https://blog.example/feed"
SOURCE = SourceConfig(name="s", url=URL, kind="feed")


def _rss(item: str, ns: str = "") -> bytes:
    return (
        f'<?xml version="1.0" encoding="utf-8"?><rss version="2.0"{ns}><channel><title>F</title>'
        f"<item><link>https://blog.example/1</link>{item}</item></channel></rss>"
    ).encode()


def _both(body: bytes) -> tuple[Article, Article]:
    fast = fast_items(body, None)
    assert fast is not None, "the fast path should read this feed"
    slow = feedparser_items(body, url=URL, content_type=None)
    quick = item_to_article(fast[0], feed_url=URL, source=SOURCE)
    careful = item_to_article(slow[0], feed_url=URL, source=SOURCE)
    assert quick is not None and careful is not None
    return quick, careful


@pytest.mark.parametrize(
    ("title", "expected"),
    [
        (
            "Why std::vector&lt;bool&gt; is not a container",
            "Why std::vector<bool> is not a container",
        ),
        ("Why std::vector&amp;lt;bool&amp;gt; is not", "Why std::vector<bool> is not"),
        ("&lt;script&gt;alert('x')&lt;/script&gt;Safe title", "Safe title"),
        ("A &lt;b&gt;bold&lt;/b&gt; move", "A bold move"),
        ("Tom &amp; Jerry", "Tom & Jerry"),
        ("\u202egnp.cod\u202c is a picture", "gnp.cod is a picture"),
    ],
)
def test_rss_titles_on_both_paths(title: str, expected: str) -> None:
    quick, careful = _both(_rss(f"<title>{title}</title><description>Text.</description>"))
    assert quick.title == careful.title == expected


def test_json_feed_titles_are_plain_text() -> None:
    body = (
        '{"version": "https://jsonfeed.org/version/1.1", "items": [{"id": "1", "url":'
        ' "https://blog.example/1", "title": "Die Rückkehr von <i> und <b>",'
        ' "content_text": "Text."}]}'
    ).encode()
    (article,) = parse_feed(body, url=URL, content_type="application/feed+json", source="s")
    assert article.title == "Die Rückkehr von <i> und <b>"
    assert article.source == "s"


def test_atom_title_types() -> None:
    body = b"""<feed xmlns="http://www.w3.org/2005/Atom"><title>F</title>
    <entry><title type="text">x &lt; y &amp; &lt;b&gt;</title><link href="https://e.x/1"/>
    <content type="html">&lt;p&gt;Text.&lt;/p&gt;</content></entry>
    <entry><title type="html">A &lt;em&gt;big&lt;/em&gt; &amp;lt;day&amp;gt;</title>
    <link href="https://e.x/2"/><content type="html">&lt;p&gt;Text.&lt;/p&gt;</content></entry>
    </feed>"""
    fast = fast_items(body, None)
    assert fast is not None
    slow = feedparser_items(body, url=URL, content_type=None)
    for items in (fast, slow):
        titles = [item_to_article(i, feed_url=URL, source=SOURCE) for i in items]
        assert [a.title for a in titles if a] == ["x < y & <b>", "A big <day>"]


def test_blocks_separate_words_and_embeds_leave_no_markup() -> None:
    description = (
        "&lt;div&gt;First line.&lt;/div&gt;&lt;div&gt;Second line.&lt;/div&gt;"
        "&lt;table&gt;&lt;tr&gt;&lt;td&gt;Clicks&lt;/td&gt;&lt;td&gt;N/A&lt;/td&gt;&lt;/tr&gt;"
        "&lt;/table&gt;&lt;p&gt;Video:&lt;iframe src='https://www.youtube.com/embed/x' "
        "width='320'/&gt;&lt;/p&gt;&lt;p&gt;After the video.&lt;/p&gt;"
        "&lt;script&gt;alert('x')&lt;/script&gt;&lt;noscript&gt;Enable JS&lt;/noscript&gt;"
    )
    for article in _both(_rss(f"<title>T</title><description>{description}</description>")):
        assert article.text.split("\n\n") == [
            "First line.",
            "Second line.",
            "Clicks",
            "N/A",
            "Video:",
            "After the video.",
        ]


def test_bidi_controls_never_reach_the_text_or_author() -> None:
    item = FeedItem(
        link="https://e.x/1",
        title="T",
        html="<p>File \u202egnp.cod\u202c attached \u2066here\u2069.</p>",
        author="\u202bEve\u202c",
        category="\u2067World\u2069",
    )
    article = item_to_article(item, feed_url=URL, source=SOURCE)
    assert article is not None
    assert article.text == "File gnp.cod attached here."
    assert article.author == "Eve"
    assert article.section == "World"
    assert "\u202e" not in (article.html or "")


def test_an_empty_content_encoded_never_hides_the_description() -> None:
    body = _rss(
        "<title>Episode 5</title><description>Show notes: guests and links.</description>"
        "<content:encoded></content:encoded>",
        ' xmlns:content="http://purl.org/rss/1.0/modules/content/"',
    )
    quick, careful = _both(body)
    assert quick.text == careful.text == "Show notes: guests and links."


def test_media_content_without_type_and_relative_images() -> None:
    body = _rss(
        "<title>T</title><description>&lt;p&gt;Hi &lt;img src='/img/a.png'&gt;&lt;/p&gt;"
        '</description><media:content url="https://i.guim.example/img/photo.jpg?w=460"'
        ' width="460"/>',
        ' xmlns:media="http://search.yahoo.com/mrss/"',
    )
    for article in _both(body):
        assert article.image_url == "https://i.guim.example/img/photo.jpg?w=460"
        assert 'src="https://blog.example/img/a.png"' in (article.html or "")
    video = _rss(
        '<title>T</title><media:content url="https://v.example/clip.mp4"/>',
        ' xmlns:media="http://search.yahoo.com/mrss/"',
    )
    for article in _both(video):
        assert article.image_url is None


XHTML_ATOM = b"""<feed xmlns="http://www.w3.org/2005/Atom"><title>F</title><entry><title>T</title>
<link href="https://e.x/1"/><content type="application/xhtml+xml"><div
xmlns="http://www.w3.org/1999/xhtml"><p>Inline xhtml content.</p></div></content></entry></feed>"""
BASE64_ATOM = b"""<feed xmlns="http://www.w3.org/2005/Atom"><title>F</title><entry><title>T</title>
<link href="https://e.x/1"/><content type="text/html" mode="base64">PHA+QmFzZTY0IGNvbnRlbnQuPC9wPg==
</content></entry></feed>"""
UNESCAPED_RSS = _rss("<title>T</title><description>Raw <b>markup</b> inside.</description>")
RSS_090 = b"""<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#"
xmlns="http://my.netscape.com/rdf/simple/0.9/"><channel><title>F</title></channel>
<item><title>Old format</title><link>https://e.x/1</link></item></rdf:RDF>"""


@pytest.mark.parametrize(
    ("body", "words"),
    [
        (XHTML_ATOM, "Inline xhtml content."),
        (UNESCAPED_RSS, "Raw markup inside."),
        (RSS_090, "Old format"),
    ],
)
def test_what_the_fast_path_cannot_read_falls_back_to_feedparser(body: bytes, words: str) -> None:
    assert fast_items(body, None) is None
    (item,) = feed_items(body, url=URL, content_type=None)
    article = item_to_article(item, feed_url=URL, source=SOURCE)
    assert article is not None
    assert words in (article.title, article.text)


def test_base64_content_is_not_read_as_text_by_the_fast_path() -> None:
    assert fast_items(BASE64_ATOM, None) is None
    (item,) = feed_items(BASE64_ATOM, url=URL, content_type=None)
    assert "PHA+" not in item.html


def test_latin1_declared_utf8_feed_on_the_fast_path() -> None:
    body = (
        '<?xml version="1.0" encoding="ISO-8859-1"?><rss version="2.0"><channel><title>F</title>'
        "<item><title>Neu veröffentlicht</title><link>https://e.x/1</link>"
        "<description>Das Buch wurde veröffentlicht.</description></item></channel></rss>"
    ).encode()
    fast = fast_items(body, "application/rss+xml; charset=ISO-8859-1")
    assert fast is not None
    article = item_to_article(fast[0], feed_url=URL, source=SOURCE)
    assert article is not None
    assert (article.title, article.text) == ("Neu veröffentlicht", "Das Buch wurde veröffentlicht.")


def test_links_in_code_samples_are_text_not_rewritten() -> None:
    body = _rss(
        '<title>T</title><description>&lt;p&gt;Write &lt;code&gt;&amp;lt;a href="/wiki"&amp;gt;'
        '&lt;/code&gt; or &lt;a href="/docs"&gt;read the docs&lt;/a&gt;.&lt;/p&gt;</description>'
    )
    for article in _both(body):
        assert article.text == 'Write <a href="/wiki"> or read the docs.'
        assert 'href="https://blog.example/docs"' in (article.html or "")


def test_rss1_dc_description_and_itunes_summary_are_read_on_the_fast_path() -> None:
    rdf = b"""<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#"
    xmlns="http://purl.org/rss/1.0/" xmlns:dc="http://purl.org/dc/elements/1.1/">
    <item rdf:about="https://e.x/1"><title>XML</title><link>https://e.x/1</link>
    <dc:description>XML is placing heavy loads on the Internet.</dc:description></item>
    </rdf:RDF>"""
    podcast = _rss(
        "<title>Ep</title><description>Yun shows Scott...</description>"
        "<itunes:summary>Yun shows Scott how to use the diagnostics tool.</itunes:summary>",
        ' xmlns:itunes="http://www.itunes.com/dtds/podcast-1.0.dtd"',
    )
    for body, text in (
        (rdf, "XML is placing heavy loads on the Internet."),
        (podcast, "Yun shows Scott how to use the diagnostics tool."),
    ):
        for article in _both(body):
            assert article.text == text


def test_a_wrapped_description_is_one_paragraph_not_one_per_line() -> None:
    body = _rss(
        "<title>T</title><description>\n    The project is pleased to announce the sixth update"
        " of its\nstable release (codename &lt;q&gt;bullseye&lt;/q&gt;).\n\nA second paragraph."
        "\n</description>"
    )
    for article in _both(body):
        assert article.text.split("\n\n") == [
            "The project is pleased to announce the sixth update of its stable release"
            " (codename bullseye).",
            "A second paragraph.",
        ]
