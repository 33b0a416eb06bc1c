"""The editor's path through the desk in Debian's Chromium (Playwright) against `digest serve`'s
app run by uvicorn on 127.0.0.1: sign in, open the next edition, drop a story and see it gone
from the preview and from the test send in the outbox, move a story to the top and see the
subject change on the page, approve; every action without a page load, by keyboard too.

Screenshots at 1280 and 375 px land in test-artifacts/web/; with DIGEST_SCREENSHOTS=docs/
screenshots the README's desk screenshots are written there too.
"""

from __future__ import annotations

import email
import email.policy
import os
import re
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from email.message import EmailMessage
from pathlib import Path
from typing import Any

import pytest

from digest import pipeline
from digest.config import Config, load_config
from digest.state import open_state
from digest.web import create_app
from tests.conftest import REPO, require
from tests.render.test_browser import ARGS, CHROMIUM
from tests.web.desk import NOW, TOKEN, gathered
from tests.web.live import listening, serving

pytestmark = pytest.mark.browser

ARTIFACTS = REPO / "test-artifacts" / "web"
LOCK = "Researchers find flaw in popular smart-lock firmware"
LITHIUM = "Chile's lithium auction draws record bids from carmakers"
MIN_TARGET = 44  # px, on a phone


@contextmanager
def desk_served(project: Path) -> Iterator[str]:
    """The app on a free port of 127.0.0.1 over the project, gathered; its clock set."""
    listener, base = listening()
    env = {"DIGEST_SECRET": "browser-secret", "DIGEST_EDITOR_TOKEN": TOKEN}
    env["DIGEST_NEWSLETTER__BASE_URL"] = base
    gathered(project, env)
    cfg = load_config(project / "config.toml", env)
    with serving(create_app(cfg, env, clock=lambda: NOW), listener):
        yield base


@pytest.fixture
def served(project: Path) -> Iterator[tuple[str, Path]]:
    """The desk over the sample project."""
    with desk_served(project) as base:
        yield base, project


@pytest.fixture
def browser() -> Iterator[Any]:
    require(CHROMIUM.exists(), "Chromium")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        yield launched
        launched.close()


def opened(browser: Any, width: int) -> Any:
    context = browser.new_context(viewport={"width": width, "height": 1000})
    page = context.new_page()
    page.route(re.compile(r"^(?!http://127\.0\.0\.1:).*"), lambda route: route.abort())
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.errors = errors
    return page


def shot(page: Any, name: str, readme: str = "", height: int = 0) -> None:
    """The whole page into test-artifacts/web/; the README's copy cut at `height` px."""
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)
    target = os.environ.get("DIGEST_SCREENSHOTS")
    if target and readme:
        folder = REPO / target
        folder.mkdir(parents=True, exist_ok=True)
        width = page.viewport_size["width"]
        clip = {"x": 0, "y": 0, "width": width, "height": height}
        page.screenshot(path=str(folder / readme), full_page=True, clip=clip)


def run_edition(cfg: Config) -> int:
    """Send the next edition as `digest run` does (forced: the gate wants https links)."""
    state = open_state(cfg.state_database)
    try:
        return pipeline.run(cfg, state, NOW, {"DIGEST_SECRET": "browser-secret"}, force=True).sent
    finally:
        state.close()


def sign_in(page: Any, base: str) -> None:
    page.goto(f"{base}/editions/next")
    page.get_by_label("Your name").fill("Ada Lovelace")
    page.get_by_label("Editor token").fill(TOKEN)
    page.get_by_role("button", name="Sign in").click()
    page.get_by_role("heading", name=re.compile("^Next edition")).wait_for()
    assert TOKEN not in page.url


def desk_page(browser: Any, base: str, width: int = 1280) -> Any:
    """A fresh browser page at `width` px, signed in to the desk at the next edition."""
    page = opened(browser, width)
    sign_in(page, base)
    return page


def no_sideways_scroll(page: Any, width: int) -> None:
    page.wait_for_load_state("load")
    assert page.evaluate("document.documentElement.scrollWidth") <= width, page.url


def test_an_editor_curates_tests_and_approves_the_next_edition(
    served: tuple[str, Path], browser: Any
) -> None:
    from playwright.sync_api import expect

    base, project = served
    page = desk_page(browser, base)
    frame = page.frame_locator("#frame")
    expect(frame.locator("body")).to_contain_text("smart-lock")
    page.evaluate("window.deskMarker = 'no page load since'")

    page.get_by_role("button", name=f"Drop “{LOCK}”").click()
    expect(page.locator("#flash")).to_contain_text(f"Dropped “{LOCK}”.")
    expect(frame.locator("body")).not_to_contain_text("smart-lock")
    assert LOCK not in page.locator("#stories .story").all_inner_texts().__str__()
    expect(page.locator(".offstage")).to_contain_text(LOCK)

    page.get_by_label("Address").fill("ed@example.com")
    page.get_by_role("button", name="Send test").click()
    expect(page.locator("#flash")).to_contain_text("Test sent to ed@example.com")
    (sent,) = (project / "outbox").glob("2026-11-27-test--ed@example.com-*.eml")
    message = email.message_from_bytes(sent.read_bytes(), policy=email.policy.default)
    assert isinstance(message, EmailMessage) and message["Subject"].startswith("[TEST] ")
    html = message.get_body(("html",)).get_content()  # type: ignore[union-attr]
    assert "smart-lock" not in html and "Baltic states" in html

    subject = page.get_by_label(re.compile("^Subject line"))
    expect(subject).to_have_value(re.compile("^Rosenberg: Trump-Putin Call"))
    page.get_by_role("button", name=f"Make Lead “{LITHIUM}”").click()
    expect(subject).to_have_value(f"{LITHIUM} + 7 more")
    expect(page.locator(".inbox-subject")).to_have_text(f"{LITHIUM} + 7 more")
    expect(page.locator("#flash")).to_contain_text(f"Subject: {LITHIUM} + 7 more")
    expect(page.locator("#story-1")).to_contain_text(LITHIUM)
    expect(frame.locator("body")).to_contain_text(LITHIUM)
    focused = page.evaluate("document.activeElement.closest('article')?.id")
    assert focused == "story-1"  # the moved story keeps the focus

    # Keyboard: the control Tab reaches next shows a focus ring.
    page.locator("#story-3 button[value='up']").focus()
    page.keyboard.press("Tab")
    ring = page.evaluate("getComputedStyle(document.activeElement).outlineStyle")
    assert ring == "solid" and page.evaluate("document.activeElement.tagName") == "BUTTON"

    page.get_by_role("tab", name="Plain text").click()
    expect(page.locator("#frame")).to_have_attribute("src", re.compile(r"email\.txt"))
    expect(frame.locator("body")).to_contain_text("IN THIS EDITION")
    page.get_by_role("tab", name="As a subscriber").click()
    picker = page.get_by_label("Subscriber", exact=True)
    expect(picker).to_be_visible()
    picker.select_option(picker.locator("option", has_text="Linus").get_attribute("value"))
    expect(page.locator("#frame")).to_have_attribute("src", re.compile(r"as=\d+"))
    expect(frame.locator("body")).to_contain_text("Hi Linus")
    page.get_by_role("tab", name="Desktop").click()
    expect(picker).to_be_hidden()

    page.get_by_role("button", name="Approve as Ada Lovelace").click()
    expect(page.locator("#approval")).to_contain_text("Approved by Ada Lovelace")
    expect(page.locator("#head .pill")).to_have_text("Approved")
    assert page.evaluate("window.deskMarker") == "no page load since"
    assert page.errors == []
    shot(page, "desk-1280", "desk-1280px.png", 1400)

    page.get_by_role("textbox", name=re.compile("^Intro")).fill("One change after approval.")
    page.get_by_role("button", name="Save intro").click()
    expect(page.locator("#approval")).to_contain_text("Changed since Ada Lovelace approved it")
    page.reload()
    expect(page.locator("#flash")).to_be_empty()  # a result shows once, not again on reload

    phone = desk_page(browser, base, 375)
    no_sideways_scroll(phone, 375)
    for control in phone.locator("#stories button:visible, #approval button, #test button").all():
        box = control.bounding_box()
        assert box is not None and box["height"] >= MIN_TARGET, control.inner_text()
    shot(phone, "desk-375", "desk-375px.png", 1600)

    cfg = load_config(project / "config.toml", {"DIGEST_NEWSLETTER__BASE_URL": base})
    with ThreadPoolExecutor(1) as pool:  # Playwright's loop runs on this thread; a run has its own
        assert pool.submit(run_edition, cfg).result() == 3
    for path in ("/", "/login", "/editions/2026-11-27", "/editions/2026-11-27?view=subscriber"):
        phone.goto(base + path)
        no_sideways_scroll(phone, 375)
    shot(phone, "desk-375-dashboard")
    assert phone.errors == []
