"""The rendered email in a real Chromium (Debian's, through Playwright): layout, dark mode, scripts.

Every edition is opened at 320, 375, 600 and 1024 px in light and dark mode: nothing overflows,
every text is at least 14 px and 4.5:1 against its background, and at 375 px every link is a
tap target of at least 44 x 44 px. On a phone the lead's headline starts on the first screen,
and the 30-story edition stays short. Stories' pictures are answered with a local picture
(tests/data/render/picture.svg), every other request is refused; one test refuses them all.
Screenshots land in test-artifacts/render/; with DIGEST_SCREENSHOTS=docs/screenshots the
README's screenshots are written there too.
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
from tests.render.sample import (
    DATA,
    SUBSCRIBERS,
    edition_html,
    links_for,
    load_sample,
    sized_digest,
)

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
MAX_DOC_HEIGHT = 3200  # the README's screenshots stop here (the 30-story edition is ~5,400 px)
# Where the lead's headline starts at 375 px, at most: the first phone screen (issue 24)
LEAD_TOP = {"sample": 600, "thirty": 700}
THIRTY_MAX_HEIGHT = 7000  # the 30-story edition at 375 px (it was 10,353 px as a list)
PICTURE = (DATA / "picture.svg").read_bytes()
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


def _answer(route: Any) -> None:
    """A story's picture gets the local one; anything else (the logo too) is refused."""
    if "/images/" in route.request.url:
        route.fulfill(body=PICTURE, content_type="image/svg+xml")
    else:
        route.abort()


def _open(
    browser: Any, html: str, width: int, scheme: str = "light", *, images: bool = True
) -> Any:
    page = browser.new_page(viewport={"width": width, "height": 900}, color_scheme=scheme)
    # tests never touch the network
    page.route("**/*", _answer if images else lambda route: route.abort())
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


@pytest.mark.parametrize("edition", ["sample", "thirty"])
def test_lead_headline_on_the_first_phone_screen(
    browser: Any, editions: dict[str, str], edition: str
) -> None:
    page = _open(browser, editions[edition], PHONE)
    top = page.evaluate("document.querySelector('h2.dg-lead').getBoundingClientRect().top")
    assert top <= LEAD_TOP[edition], f"the lead headline starts at {top:.0f} px"
    assert page.evaluate("document.querySelectorAll('h1').length") == 1


def test_thirty_stories_are_short_and_every_story_linked(
    browser: Any, editions: dict[str, str]
) -> None:
    page = _open(browser, editions["thirty"], PHONE)
    height = page.evaluate("document.documentElement.scrollHeight")
    assert height <= THIRTY_MAX_HEIGHT, f"{height} px tall"
    hrefs = set(page.evaluate("[...document.querySelectorAll('a.dg-link')].map(a => a.href)"))
    digest, _ = sized_digest(30, outlets=40)
    assert len(digest.stories) == 30
    assert all(story.url in hrefs for story in digest.stories), "a visible link to each"
    quick = page.evaluate(
        "[...document.querySelectorAll('li a.dg-link')].map(a => a.getBoundingClientRect().height)"
    )
    assert len(quick) == 30 - 1 - RenderSettings().tiers.top_stories
    assert all(height >= MIN_TAP for height in quick)


def test_lead_picture_has_its_text_and_box(browser: Any, editions: dict[str, str]) -> None:
    digest, _ = load_sample()
    lead = digest.stories[0]
    for width in (PHONE, 1024):
        page = _open(browser, editions["sample"], width)
        picture = page.locator("img.dg-img").first
        assert picture.get_attribute("src") == lead.image_url
        assert picture.get_attribute("alt") == lead.headline, "the headline, none given"
        assert (picture.get_attribute("width"), picture.get_attribute("height")) == ("552", "311")
        box = picture.bounding_box()
        assert box is not None and box["width"] <= 552 and box["width"] <= width - 48
        assert picture.evaluate("img => img.naturalWidth") > 0, "the picture loaded"


def test_readable_with_images_off(browser: Any) -> None:
    html = _sample_html(logo_url="https://cdn.example.org/logo.png")
    page = _open(browser, html, 375, images=False)  # every request is refused
    images = page.evaluate("[...document.images].map(i => [i.alt, i.naturalWidth])")
    digest, _ = load_sample()
    lead, thumbnailed = digest.stories[0], digest.sections[1].stories[0]
    assert images == [
        ["The Morning Digest", 0],
        [lead.headline, 0],
        [thumbnailed.headline, 0],
    ]
    # the boxes keep their place, so the text around them does not jump when they load
    box = page.locator("img.dg-img").first.bounding_box()
    assert box is not None and abs(box["height"] - box["width"] * 311 / 552) < 2
    text = page.evaluate("document.body.innerText")
    for story in digest.stories:
        assert story.headline in text
    assert page.evaluate("document.documentElement.scrollWidth") <= 375
    top = page.evaluate("document.querySelector('h2.dg-lead').getBoundingClientRect().top")
    assert top <= LEAD_TOP["sample"]
    _shot(page, "sample-375-images-off")
    target = os.environ.get("DIGEST_SCREENSHOTS")
    if target:
        height = min(page.evaluate("document.documentElement.scrollHeight"), MAX_DOC_HEIGHT)
        page.screenshot(
            path=str(REPO / target / "digest-375px-images-off.png"),
            full_page=True,
            clip={"x": 0, "y": 0, "width": 375, "height": height},
        )


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
