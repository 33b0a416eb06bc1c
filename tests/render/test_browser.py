"""The rendered email in a real Chromium (Debian's, through Playwright): layout, dark mode, scripts.

Screenshots land in test-artifacts/render/ for a person to look at.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest

from digest.models import Digest, Section, Story
from digest.render import RenderSettings, render_for
from digest.render.settings import contrast_ratio
from tests.conftest import REPO, require
from tests.render.sample import SUBSCRIBERS, links_for, load_sample

pytestmark = pytest.mark.browser

CHROMIUM = Path("/usr/bin/chromium")
ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]
ARTIFACTS = REPO / "test-artifacts" / "render"
LONG_URL = "https://example.com/" + "a-very-long-path-segment-without-any-break/" * 6
LONG_WORD = "Donaudampfschifffahrtsgesellschaftskapitänswitwenrentenversicherung" * 2

# Every text element with its colour and the first ancestor background that is not transparent.
COLOURS_JS = """
() => [...document.querySelectorAll('h1,h2,h3,p,li,a,address')]
  .filter(el => el.offsetParent !== null && el.textContent.trim())
  .map(el => {
    let bg = null, node = el;
    while (node && node.nodeType === 1) {
      const c = getComputedStyle(node).backgroundColor;
      if (c && c !== 'rgba(0, 0, 0, 0)' && c !== 'transparent') { bg = c; break; }
      node = node.parentElement;
    }
    return {text: el.textContent.trim().slice(0, 40), fg: getComputedStyle(el).color,
            bg: bg || 'rgb(255, 255, 255)'};
  })
"""


def _hex(rgb: str) -> str:
    parts = rgb[rgb.index("(") + 1 : rgb.index(")")].split(",")
    return "#" + "".join(f"{int(float(p)):02x}" for p in parts[:3])


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    require(CHROMIUM.exists(), "Chromium")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        yield browser
        browser.close()


def _open(browser: Any, html: str, width: int, scheme: str = "light") -> Any:
    page = browser.new_page(viewport={"width": width, "height": 900}, color_scheme=scheme)
    page.route("**/*", lambda route: route.abort())  # tests never touch the network
    page.set_content(html, wait_until="load")
    return page


def _shot(page: Any, name: str) -> None:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)


def _sample_html(**settings: Any) -> str:
    digest, newsletter = load_sample()
    return render_for(
        digest, newsletter, RenderSettings(**settings), SUBSCRIBERS[0], links_for(SUBSCRIBERS[0])
    ).html


def _world_digest() -> tuple[Digest, Any]:
    """Long words, a long URL and Cyrillic, Arabic and CJK stories."""
    digest, newsletter = load_sample()
    base = digest.stories[0]
    stories = (
        replace(base, headline=LONG_WORD, key_points=(f"See {LONG_URL} for details.",)),
        replace(
            base,
            headline="Москва оценила разговор как дипломатическую победу",
            key_points=("Российские СМИ назвали звонок рекордно долгим.",),
        ),
        replace(
            base,
            headline="موسكو ترى في المكالمة انتصاراً دبلوماسياً",
            key_points=("استمرت المكالمة ساعتين دون تنازلات كبيرة.",),
        ),
        replace(
            base,
            headline="莫斯科认为这次通话是一次外交胜利",
            key_points=("俄罗斯媒体称这是一次创纪录的长时间通话。" * 3,),
        ),
    )
    return replace(digest, sections=(Section(name="World", stories=stories),)), newsletter


def test_sample_fits_a_phone_and_a_desktop(browser: Any) -> None:
    html = _sample_html()
    phone = _open(browser, html, 375)
    assert phone.evaluate("document.documentElement.scrollWidth") <= 375
    _shot(phone, "sample-375")
    desktop = _open(browser, html, 1024)
    widths = desktop.evaluate(
        "[...document.querySelectorAll('.dg-card')].map(e => e.getBoundingClientRect().width)"
    )
    assert widths and all(abs(width - 600) < 1 for width in widths), widths
    assert desktop.evaluate("document.documentElement.scrollWidth") <= 1024
    _shot(desktop, "sample-1024")


@pytest.mark.parametrize("language", ["en", "ar"])
def test_long_words_and_scripts_wrap(browser: Any, language: str) -> None:
    digest, newsletter = _world_digest()
    newsletter = replace(newsletter, language=language)
    html = render_for(
        digest, newsletter, RenderSettings(), SUBSCRIBERS[0], links_for(SUBSCRIBERS[0])
    ).html
    page = _open(browser, html, 375)
    assert page.evaluate("document.documentElement.scrollWidth") <= 375
    text = page.evaluate("document.body.innerText")
    for story in digest.stories:
        assert story.headline[:20] in text
    arabic = page.locator("h3", has_text="موسكو")
    assert arabic.evaluate("el => getComputedStyle(el).direction") == "rtl"
    _shot(page, f"scripts-{language}-375")


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_text_contrast_in_light_and_dark(browser: Any, scheme: str) -> None:
    page = _open(browser, _sample_html(), 1024, scheme)
    colours = page.evaluate(COLOURS_JS)
    assert len(colours) > 30
    low = [
        (c["text"], c["fg"], c["bg"])
        for c in colours
        if contrast_ratio(_hex(c["fg"]), _hex(c["bg"])) < 4.5
    ]
    assert not low, low
    body = _hex(
        page.evaluate("getComputedStyle(document.querySelector('.dg-body')).backgroundColor")
    )
    assert (body == "#111827") is (scheme == "dark")
    _shot(page, f"sample-{scheme}")


def test_readable_with_images_off(browser: Any) -> None:
    html = _sample_html(logo_url="https://cdn.example.org/logo.png")
    page = _open(browser, html, 375)  # every request is aborted: the logo does not load
    images = page.evaluate("[...document.images].map(i => [i.alt, i.naturalWidth])")
    assert images == [["The Morning Digest", 0]]
    text = page.evaluate("document.body.innerText")
    digest, _ = load_sample()
    for story in digest.stories:
        assert story.headline in text
    assert page.evaluate("document.documentElement.scrollWidth") <= 375


def test_empty_section_story_renders(browser: Any) -> None:
    digest, newsletter = load_sample()
    bare = Story(headline="No points, no link", url="", source="Wire", key_points=(), section="X")
    digest = replace(digest, sections=(Section(name="X", stories=(bare,)),))
    html = render_for(
        digest, newsletter, RenderSettings(), SUBSCRIBERS[0], links_for(SUBSCRIBERS[0])
    ).html
    page = _open(browser, html, 375)
    assert "No points, no link" in page.evaluate("document.body.innerText")
    assert page.evaluate("document.documentElement.scrollWidth") <= 375
