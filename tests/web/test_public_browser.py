"""The public face in Debian's Chromium (Playwright) against `digest serve`'s app run by uvicorn
on 127.0.0.1: a visitor reads the home page at 1280 and 375 px, signs up from its form, walks
the archive to an edition's web copy and follows the feed; a publisher's page carries the
desk's embeddable form and signs a reader up from there (its site in [web] signup_origins).

Screenshots land in test-artifacts/web/; with DIGEST_SCREENSHOTS=docs/screenshots the README's
home page screenshots are written there too.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import feedparser
import pytest

from digest.config import load_config
from digest.web import create_app
from tests.web.desk import NOW, TOKEN, gathered
from tests.web.live import listening, serving
from tests.web.test_desk_browser import (
    ARTIFACTS,
    MIN_TARGET,
    no_sideways_scroll,
    opened,
    run_edition,
    shot,
    sign_in,
)
from tests.web.test_desk_browser import browser as browser  # the fixture

pytestmark = pytest.mark.browser

PUBLISHER = "http://publisher.example/join"  # http: from https, a POST to http says Origin: null
READER = "reader.two@example.net"


@pytest.fixture
def served(project: Path) -> Iterator[tuple[str, Path]]:
    """The app on a free port of 127.0.0.1 over the sample project, one edition sent; the
    publisher's site listed in [web] signup_origins."""
    config = project / "config.toml"
    listed = f'signup_origins = ["{urlsplit(PUBLISHER)._replace(path="").geturl()}"]'
    config.write_text(re.sub(r"^signup_origins = \[\]", listed, config.read_text(), flags=re.M))
    listener, base = listening()
    env = {"DIGEST_SECRET": "browser-secret", "DIGEST_EDITOR_TOKEN": TOKEN}
    env["DIGEST_NEWSLETTER__BASE_URL"] = base
    with ThreadPoolExecutor(1) as pool:  # the pipeline runs an event loop of its own
        cfg = pool.submit(gathered, project, env).result()
        assert pool.submit(run_edition, cfg).result() == 3
    cfg = load_config(project / "config.toml", env)
    with serving(create_app(cfg, env, clock=lambda: NOW), listener):
        yield base, project


def basics(page: Any, width: int) -> None:
    """What an accessibility checker looks at first: a language, one h1, every control named
    and big enough to tap, links with text; and no sideways scroll."""
    no_sideways_scroll(page, width)
    assert page.evaluate("document.documentElement.lang") == "en"
    assert page.locator("h1").count() == 1
    for control in page.locator("button, input:not([type=hidden]):not([tabindex='-1'])").all():
        if control.get_attribute("type") in ("radio", "checkbox"):
            box = control.locator("xpath=ancestor::label").bounding_box()
        else:
            assert control.evaluate("e => e.tagName === 'BUTTON' || e.labels.length > 0")
            box = control.bounding_box()
        assert box is not None and box["height"] >= MIN_TARGET, control.evaluate("e => e.outerHTML")
    for link in page.locator("a").all():
        assert link.inner_text().strip(), link.evaluate("e => e.outerHTML")
    assert page.errors == []


def test_a_visitor_reads_the_home_page_signs_up_and_walks_the_archive(
    browser: Any, served: tuple[str, Path]
) -> None:
    base, project = served
    for width, cut in ((1280, 0), (375, 1500)):  # the README's copy: whole, or its top
        page = opened(browser, width)
        page.goto(base)
        basics(page, width)
        band = page.locator("header.band")
        assert band.evaluate("e => getComputedStyle(e).backgroundColor") == "rgb(29, 78, 216)"
        feed = page.locator("head link[rel=alternate][type='application/atom+xml']")
        assert feed.get_attribute("href") == "/archive.atom"
        page.get_by_role("heading", name="Latest edition").wait_for()
        assert page.locator(".headlines li").count() >= 3
        height = cut or page.evaluate("document.documentElement.scrollHeight")
        shot(page, f"home-{width}px", readme=f"home-{width}px.png", height=height)
        page.goto(f"{base}/archive")
        basics(page, width)
        assert page.locator("head link[rel=alternate]").get_attribute("href") == "/archive.atom"
        shot(page, f"archive-{width}px")
        page.context.close()

    page = opened(browser, 375)
    page.goto(base)
    page.get_by_label("Email address").fill(READER)
    page.get_by_label("Name").fill("Reader Two")
    page.get_by_role("button", name="Subscribe").click()
    page.get_by_role("heading", name="Check your inbox").wait_for()
    assert list((project / "outbox").glob(f"confirm--{READER}-*.eml"))

    page.goto(base)
    page.get_by_role("navigation").get_by_role("link", name="Archive").click()
    page.get_by_role("heading", name="Past editions").wait_for()
    basics(page, 375)
    page.locator(".issues a").first.click()
    page.wait_for_url(f"{base}/archive/2026-11-27")
    assert "Trump-Putin" in page.content()

    answer = page.request.get(f"{base}/archive.atom")
    assert answer.headers["content-type"].startswith("application/atom+xml")
    parsed = feedparser.parse(answer.body())
    assert parsed.bozo == 0 and len(parsed.entries) == 1
    page.goto(parsed.entries[0].link)
    assert "Trump-Putin" in page.content()


def test_the_embed_form_works_on_a_publishers_page(browser: Any, served: tuple[str, Path]) -> None:
    base, project = served
    page = opened(browser, 1280)
    sign_in(page, base)
    page.goto(base)
    code = page.get_by_label("HTML to copy")
    code.scroll_into_view_if_needed()
    no_sideways_scroll(page, 1280)
    snippet = code.input_value()
    code.locator("xpath=ancestor::section").screenshot(path=str(ARTIFACTS / "desk-embed.png"))
    assert f'action="{base}/subscribe"' in snippet

    # The publisher's own page, with nothing of ours but the pasted snippet.
    publisher = opened(browser, 375)
    publisher.route(PUBLISHER, lambda route: route.fulfill(content_type="text/html", body=snippet))
    publisher.goto(PUBLISHER)
    assert not publisher.locator("[name=website]").is_visible()  # the honeypot, unstyled
    publisher.get_by_label("Email address").fill(READER)
    publisher.get_by_label("Name (optional)").fill("Reader Two")
    with publisher.expect_request(f"{base}/subscribe") as sending:
        publisher.get_by_role("button", name=re.compile("^Subscribe to ")).click()
    assert sending.value.headers["origin"] == "http://publisher.example"
    publisher.get_by_role("heading", name="Check your inbox").wait_for()
    assert list((project / "outbox").glob(f"confirm--{READER}-*.eml"))
