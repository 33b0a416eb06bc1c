"""The rendered email in a real Chromium (Debian's, through Playwright): layout, dark mode, scripts.

Every edition is opened at 320, 375, 600 and 1024 px in light and dark mode: nothing overflows,
every text is at least 14 px and 4.5:1 against its background, and at 375 px every link is a
tap target of at least 44 x 44 px. Screenshots land in test-artifacts/render/; with
DIGEST_SCREENSHOTS=docs/screenshots the README's screenshots are written there too.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest

from digest.models import Digest, Section, Story
from digest.render import RenderSettings, render_for
from digest.render.settings import contrast_ratio
from tests.conftest import REPO, require
from tests.render.sample import SUBSCRIBERS, edition_html, links_for, load_sample

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

WIDTHS = (320, 375, 600, 1024)
SCHEMES = ("light", "dark")
PHONE = 375
MAX_DOC_HEIGHT = 3200  # the README's screenshots stop here (the 30-story edition is 9,500 px)
MIN_TAP = 44
MIN_FONT = 14
# The README's screenshots: (edition, width, scheme) -> file name in DIGEST_SCREENSHOTS.
README_SHOTS = {
    ("sample", 375, "light"): "digest-375px.png",
    ("sample", 375, "dark"): "digest-375px-dark.png",
    ("sample", 320, "light"): "digest-320px.png",
    ("sample", 1024, "light"): "digest-desktop-1024px.png",
    ("sample", 1024, "dark"): "digest-desktop-dark.png",
    ("compact", 375, "light"): "digest-compact-375px.png",
    ("thirty", 600, "light"): "digest-30-stories-600px.png",
}

# Every visible element holding text of its own: its text, colour, size and the first ancestor
# background that is not transparent.
TEXTS_JS = """
() => [...document.body.querySelectorAll('*')]
  .filter(el => el.offsetParent !== null
    && [...el.childNodes].some(n => n.nodeType === 3 && n.textContent.trim()))
  .map(el => {
    let bg = null, node = el;
    while (node && node.nodeType === 1) {
      const c = getComputedStyle(node).backgroundColor;
      if (c && c !== 'rgba(0, 0, 0, 0)' && c !== 'transparent') { bg = c; break; }
      node = node.parentElement;
    }
    const style = getComputedStyle(el);
    return {text: el.textContent.trim().slice(0, 40), fg: style.color,
            size: parseFloat(style.fontSize), bg: bg || 'rgb(255, 255, 255)'};
  })
"""
LINKS_JS = """
() => [...document.querySelectorAll('a[href]')].filter(a => a.offsetParent !== null)
  .map(a => { const r = a.getBoundingClientRect();
              return {text: a.textContent.trim().slice(0, 40), w: r.width, h: r.height}; })
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


@pytest.fixture(scope="module")
def editions() -> dict[str, str]:
    return {name: edition_html(name) for name in ("sample", "compact", "thirty")}


@pytest.mark.parametrize("scheme", SCHEMES)
@pytest.mark.parametrize("width", WIDTHS)
@pytest.mark.parametrize("edition", ["sample", "compact", "thirty"])
def test_every_width_and_scheme(
    browser: Any, editions: dict[str, str], edition: str, width: int, scheme: str
) -> None:
    page = _open(browser, editions[edition], width, scheme)
    assert page.evaluate("document.documentElement.scrollWidth") <= width, "overflow"
    texts = page.evaluate(TEXTS_JS)
    assert len(texts) > 20
    small = [(t["text"], t["size"]) for t in texts if t["size"] < MIN_FONT]
    assert not small, small
    low = [
        (t["text"], t["fg"], t["bg"])
        for t in texts
        if contrast_ratio(_hex(t["fg"]), _hex(t["bg"])) < 4.5
    ]
    assert not low, low
    body = _hex(
        page.evaluate("getComputedStyle(document.querySelector('.dg-body')).backgroundColor")
    )
    assert (body == "#111827") is (scheme == "dark")
    if width == PHONE:
        links = page.evaluate(LINKS_JS)
        assert len(links) >= 8
        tiny = [(a["text"], round(a["w"]), round(a["h"])) for a in links
                if a["w"] < MIN_TAP or a["h"] < MIN_TAP]  # fmt: skip
        assert not tiny, tiny
    if width >= 600:
        widths = page.evaluate(
            "[...document.querySelectorAll('.dg-card')].map(e => e.getBoundingClientRect().width)"
        )
        assert widths and all(abs(w - 600) < 1 for w in widths), widths
    _shot(page, f"{edition}-{width}-{scheme}")
    target = os.environ.get("DIGEST_SCREENSHOTS")
    if target and (edition, width, scheme) in README_SHOTS:
        folder = REPO / target
        folder.mkdir(parents=True, exist_ok=True)
        height = min(page.evaluate("document.documentElement.scrollHeight"), MAX_DOC_HEIGHT)
        page.screenshot(
            path=str(folder / README_SHOTS[edition, width, scheme]),
            full_page=True,
            clip={"x": 0, "y": 0, "width": width, "height": height},
        )


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
