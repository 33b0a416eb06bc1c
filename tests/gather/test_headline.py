"""A page's headline: its own candidates agreed between them, never the site's name."""

from __future__ import annotations

import gzip
from pathlib import Path

import pytest

from digest.gather.page import extract_page

PAGES = Path(__file__).resolve().parent.parent / "data" / "gather" / "pages"
BODY = "<p>" + "The committee met on Tuesday and agreed the budget for next year. " * 6 + "</p>"


def _page(head: str, body_top: str = "", url: str = "https://news.example/a") -> str:
    return extract_page(
        f"<html><head><meta charset='utf-8'>{head}</head><body>{body_top}"
        f"<article>{BODY}</article></body></html>",
        url=url,
    ).title


def _meta(name: str, value: str) -> str:
    return f'<meta property="{name}" content="{value}">'


@pytest.mark.parametrize(
    ("head", "body_top", "url", "expected"),
    [
        # A lone <h1> that is the site's banner loses to what the page says it is about.
        (
            _meta("og:title", "Letters delayed by a week") + "<title>Letters delayed</title>",
            "<h1>India Post</h1>",
            "https://www.indiapost.example/a",
            "Letters delayed by a week",
        ),
        (
            "<title>Jangan Membenci Satu Kaum | Kabar tentang Dunia Islam</title>",
            "<h1>Kabar tentang Dunia Islam</h1>",
            "https://kabarislamia.example/a",
            "Jangan Membenci Satu Kaum",
        ),
        (
            _meta("og:title", "Neue Regeln für Radwege"),
            "<nav><h1>Hauptmenü</h1></nav>",
            "https://stadt.example/a",
            "Neue Regeln für Radwege",
        ),
        # Site stripping keeps the headline side, whichever side the site is on.
        (
            "<title>Opinion | Republicans Are Following Trump to Nowhere</title>",
            "",
            "https://www.nytimes.example/a",
            "Republicans Are Following Trump to Nowhere",
        ),
        (
            "<title>Covid-19 - what we know so far | BBC News</title>",
            "",
            "https://www.bbc.example/news/1",
            "Covid-19 - what we know so far",
        ),
        (
            "<title>Diario HOY | Darán bendición a los nuevos templos</title>",
            "",
            "https://www.hoy.example/a",
            "Darán bendición a los nuevos templos",
        ),
        (
            "<title>Luftqualität 2019 | Umweltbundesamt</title>",
            "",
            "https://www.umweltbundesamt.example/a",
            "Luftqualität 2019",
        ),
        (
            _meta("og:site_name", "The Daily Planet")
            + "<title>The Daily Planet - Mayor resigns after vote</title>",
            "",
            "https://planet.example/a",
            "Mayor resigns after vote",
        ),
        # JSON-LD headline and twitter:title take part; <h1> agreeing with them wins.
        (
            '<script type="application/ld+json">{"@type": "NewsArticle", "headline":'
            ' "Rates held at 4%", "publisher": {"name": "Money Daily"}}</script>'
            "<title>Money Daily</title>",
            "<h1>Money Daily</h1><h1>Rates held at 4%</h1>",
            "https://m.example/a",
            "Rates held at 4%",
        ),
        (
            _meta("og:title", "The year in review") + "<title>Nicolas</title>",
            "<h1>Hi, I'm Nicolas.</h1>",
            "https://nicolas.example/2019",
            "The year in review",
        ),
    ],
)
def test_headline_from_agreeing_candidates(
    head: str, body_top: str, url: str, expected: str
) -> None:
    assert _page(head, body_top, url) == expected


def test_the_site_name_alone_is_never_the_headline() -> None:
    title = _page(_meta("og:site_name", "Example News") + "<title>Example News</title>")
    assert title != "Example News"
    assert title.startswith("The committee met")  # the text's first line instead


def test_a_headline_with_its_own_dash_stays_whole() -> None:
    title = _page(
        "<title>Star Wars Jedi review - shoots for the moon, lands among the stars</title>"
    )
    assert title == "Star Wars Jedi review - shoots for the moon, lands among the stars"


def test_real_page_whose_h1_is_the_site_banner() -> None:
    html = gzip.decompress(next(PAGES.glob("21486419*.html.gz")).read_bytes())
    url = "https://kabarislamia.com/2015/03/30/jangan-membenci-satu-kaum-secara-berlebihan/"
    assert extract_page(html, url=url).title == "Jangan Membenci Satu Kaum Secara Berlebihan"
