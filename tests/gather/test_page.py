"""extract_page on the sample article as a web page, page sources, and full_text feeds."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from digest.errors import SourceError
from digest.gather import extract_page, gather_sources
from digest.models import SourceConfig

from .conftest import Server

DATA = Path(__file__).resolve().parent.parent / "data" / "gather"
HEADLINE = "Rosenberg: Trump-Putin Call Viewed as a Win in Russia"
CHROME = (
    "Would you like any refinements to this version?",
    "Leave A Comment",
    "Live Tv",
    "Newsletter",
    "Subscribe to our newsletter to stay.",
)


def test_sample_page_gives_headline_section_and_no_chrome() -> None:
    article = extract_page((DATA / "putin-call.html").read_bytes(), source="sample")
    assert article.title == HEADLINE
    assert article.section == "World"
    assert article.url == "https://news.example.com/world/rosenberg-trump-putin-call"
    assert article.published == datetime(2025, 3, 19, 7, 30, tzinfo=UTC)
    paragraphs = article.text.split("\n\n")
    assert paragraphs[0] == "Moscow Sees Diplomatic Victory in Lengthy Trump-Putin Discussion"
    for chrome in CHROME:
        assert chrome not in paragraphs
    assert "“We had a great call,” Trump told Fox News." in paragraphs


def test_site_suffix_is_dropped_from_a_title_without_h1() -> None:
    html = (
        "<html><head><title>Markets rally on rate hopes | Example News</title></head><body>"
        "<article><p>"
        + "Shares rose across Europe on Monday as investors bet on cuts. " * 8
        + "</p><p>"
        + "Bond yields fell to their lowest level in a year, traders said. " * 6
        + "</p></article></body></html>"
    )
    article = extract_page(html, url="https://example.com/m")
    assert article.title == "Markets rally on rate hopes"
    assert article.url == "https://example.com/m"


@pytest.mark.parametrize(
    ("head", "language"),
    [
        ('<html lang="fr-CA"><head>', "fr-CA"),
        ('<html><head><meta http-equiv="Content-Language" content="de, en">', "de"),
        ('<html><head><meta property="og:locale" content="pt_BR">', "pt-BR"),
        ("<html><head>", None),
    ],
)
def test_the_pages_declared_language_reaches_the_article(head: str, language: str | None) -> None:
    html = (
        head
        + "<title>Markets</title></head><body><article><p>"
        + "Shares rose across Europe on Monday as investors bet on cuts. " * 8
        + "</p></article></body></html>"
    )
    assert extract_page(html, url="https://example.com/m").language == language


def test_page_without_text_raises_source_error() -> None:
    with pytest.raises(SourceError, match="no article text"):
        extract_page("<html><body><nav>Home</nav></body></html>", url="https://x.test/")


def test_local_page_source_uses_config_section(tmp_path: Path) -> None:
    (tmp_path / "p.html").write_bytes((DATA / "putin-call.html").read_bytes())
    source = SourceConfig(name="pages", url="p.html", kind="page", section="Europe")
    result = gather_sources([source], base_dir=tmp_path)
    (article,) = result.articles
    assert (article.title, article.section, article.source) == (HEADLINE, "Europe", "pages")


def test_full_text_fetches_the_linked_page(server: Server, tmp_path: Path) -> None:
    page = (DATA / "putin-call.html").read_bytes()
    teaser = f"""<?xml version="1.0"?><rss version="2.0"><channel><title>W</title>
    <item><title>{HEADLINE}</title><link>{server.url("/story")}</link>
    <description>Short teaser.</description></item>
    <item><title>Broken link</title><link>{server.url("/gone")}</link>
    <description>Only a teaser.</description></item></channel></rss>""".encode()
    server.routes["/feed"] = lambda h, n: (200, {}, teaser)
    server.routes["/story"] = lambda h, n: (200, {"Content-Type": "text/html"}, page)
    source = SourceConfig(name="w", url=server.url("/feed"), kind="feed", full_text=True)
    result = gather_sources([source], base_dir=tmp_path)
    story, broken = result.articles
    assert story.title == HEADLINE
    assert "Izvestia summed it up" in story.text
    assert story.section == "World"
    assert broken.text == "Only a teaser."
    assert [p.subject for p in result.problems] == ["w"]
    assert "HTTP 404" in result.problems[0].message
