"""Bytes to text: HTTP charset, BOM, declaration, each verified; mojibake and bidi repaired."""

from __future__ import annotations

import codecs
import gzip
import json
import subprocess
import sys
from pathlib import Path

import pytest

from digest.gather.decoding import decode_document, utf8_xml
from digest.gather.page import extract_page
from digest.gather.unicode import entering, one_line

PAGES = Path(__file__).resolve().parent.parent / "data" / "gather" / "pages"
GERMAN = "1Password für Mac generiert Einmal-Passwörter"
BODY = "<p>" + "Die Nutzer können jetzt Einmal-Passwörter erzeugen, sagt der Hersteller. " * 6


def _page(head: str, charset: str = "utf-8") -> bytes:
    html = f"<html><head>{head}<title>{GERMAN}</title></head><body><article><h1>{GERMAN}</h1>"
    return (html + BODY + "</p></article></body></html>").encode(charset)


@pytest.mark.parametrize(
    ("body", "content_type"),
    [
        (_page('<meta charset="utf-8">'), None),  # lxml alone ignores <meta charset>
        (_page('<meta charset="iso-8859-1">'), None),  # UTF-8 under a Latin-1 declaration
        (_page(""), "text/html; charset=ISO-8859-1"),  # ... or under a Latin-1 header
        (_page('<meta charset="iso-8859-1">', "latin-1"), None),  # really Latin-1
        (_page("", "latin-1"), "text/html; charset=windows-1252"),
        (codecs.BOM_UTF8 + _page(""), "text/html; charset=iso-8859-1"),  # a BOM is proof
        (codecs.BOM_UTF16_LE + _page("", "utf-16-le"), None),
        (_page("", "cp1252"), None),  # nothing declared, not UTF-8: detected
    ],
)
def test_pages_decode_by_header_bom_and_declaration_verified(
    body: bytes, content_type: str | None
) -> None:
    assert GERMAN in decode_document(body, content_type)
    article = extract_page(body, url="https://heise.example/a", content_type=content_type)
    assert article.title == GERMAN


def test_a_real_utf8_page_declared_only_by_meta_charset() -> None:
    html = gzip.decompress(next(PAGES.glob("11ea381a*.html.gz")).read_bytes())
    article = extract_page(html, url="http://www.autoracing.com.br/classificacao-nascar/")
    assert article.title == "Classificação NASCAR"
    assert "ção" in article.text and "Ã§" not in article.text and "Ã£" not in article.text


def test_a_feed_declaring_latin1_but_sending_utf8_reads_as_utf8() -> None:
    xml = '<?xml version="1.0" encoding="ISO-8859-1"?><rss><title>veröffentlicht</title></rss>'
    fixed = utf8_xml(xml.encode("utf-8"), None)
    assert "veröffentlicht".encode() in fixed and b'encoding="utf-8"' in fixed
    latin = utf8_xml(xml.encode("latin-1"), "text/xml; charset=iso-8859-1")
    assert "veröffentlicht".encode() in latin
    plain = b'<?xml version="1.0" encoding="utf-8"?><rss/>'
    assert utf8_xml(plain, None) is plain  # nothing to do costs nothing


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("verÃ¶ffentlicht", "veröffentlicht"),
        ("Itâ€™s here", "It\u2019s here"),
        ("\u202egnp.cod\u202c", "gnp.cod"),
        ("a\u2066b\u2069c\u202ad", "abcd"),
        ("São Paulo é ótimo", "São Paulo é ótimo"),  # right already: untouched
        ("Ð¯ Ð»ÑŽÐ±Ð»ÑŽ", "Я люблю"),
        ("“curly” quotes stay", "“curly” quotes stay"),
    ],
)
def test_text_entering_is_repaired(text: str, expected: str) -> None:
    assert entering(text) == expected
    assert one_line(f"  {text}\n ") == expected


def test_a_page_does_not_load_dateparsers_locales() -> None:
    """htmldate's extensive search compiles dateparser's 208 locales (~7 s) on first use."""
    html = gzip.decompress(next(PAGES.glob("57b4dafd*.html.gz")).read_bytes())
    code = (
        "import sys; from digest.gather.page import extract_page\n"
        "extract_page(sys.stdin.buffer.read(), url='https://blog.comwrap.com/x')\n"
        "print('dateparser' in sys.modules)"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], input=html, capture_output=True, check=True, timeout=900
    )
    assert done.stdout.strip() == b"False"


def test_german_real_page_headline_and_text() -> None:
    gold = json.loads((PAGES / "gold.json").read_text(encoding="utf-8"))
    path = next(PAGES.glob("57b4dafd*.html.gz"))
    key = path.name.split(".")[0]
    article = extract_page(gzip.decompress(path.read_bytes()), url=gold[key]["url"])
    assert article.title.startswith("Die elektronische Patientenakte (ePA)")
    first_gold_line = gold[key]["articleBody"].split("\n")[0].strip()
    assert first_gold_line[:60] in article.text
