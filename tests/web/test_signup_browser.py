"""The whole path a person takes, in Debian's Chromium (Playwright) against `digest serve`'s app
run by uvicorn on 127.0.0.1: subscribe, confirm from the email in the outbox, receive the next
edition, change preferences on a phone-sized screen, unsubscribe in one click.

Screenshots land in test-artifacts/web/ for a person to look at.
"""

from __future__ import annotations

import email
import email.policy
import re
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime
from email.message import EmailMessage
from pathlib import Path
from typing import Any

import pytest

from digest import pipeline
from digest.config import load_config
from digest.state import open_state
from tests.conftest import REPO, require
from tests.render.test_browser import ARGS, CHROMIUM
from tests.web.live import listening, serving

pytestmark = pytest.mark.browser

ARTIFACTS = REPO / "test-artifacts" / "web"
NOW = datetime(2026, 11, 27, 7, 0, tzinfo=UTC)
ADDRESS = "reader.one@example.net"
MIN_TARGET = 44  # px: the smallest comfortable touch target (WCAG 2.5.5, Apple HIG)


@pytest.fixture
def served(project: Path) -> Iterator[tuple[str, dict[str, str]]]:
    """The app on a free port of 127.0.0.1, its base_url pointing there; stopped afterwards."""
    from digest.web import create_app

    listener, base = listening()
    env = {"DIGEST_SECRET": "browser-secret", "DIGEST_NEWSLETTER__BASE_URL": base}
    env["DIGEST_SCHEDULE__WEEKLY_CRON"] = "0 7 * * mon"  # the weekly choice needs an edition
    cfg = load_config(project / "config.toml", env)
    with serving(create_app(cfg, env), listener):
        yield base, env


@pytest.fixture
def page() -> Iterator[Any]:
    require(CHROMIUM.exists(), "Chromium")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        context = browser.new_context(viewport={"width": 375, "height": 800})
        opened = context.new_page()
        opened.route(re.compile(r"^(?!http://127\.0\.0\.1:).*"), lambda route: route.abort())
        yield opened
        browser.close()


def shot(page: Any, name: str) -> None:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)


def eml(project: Path, prefix: str) -> EmailMessage:
    (path,) = (project / "outbox").glob(f"{prefix}--{ADDRESS}-*.eml")
    message = email.message_from_bytes(path.read_bytes(), policy=email.policy.default)
    assert isinstance(message, EmailMessage)
    return message


def link(message: EmailMessage, base: str, route: str) -> str:
    text = message.get_body(("plain",)).get_content()  # type: ignore[union-attr]
    found = re.search(rf"{re.escape(base)}{route}\?\S+", text)
    assert found, text
    return found[0]


def fits_a_phone(page: Any) -> None:
    """No sideways scrolling at 375 px; every control at least 44 px tall, with a label."""
    page.wait_for_load_state("load")  # after a form's navigation: the stylesheets are in
    assert page.evaluate("document.documentElement.scrollWidth") <= 375
    for control in page.locator(
        "button, select, input:not([type=hidden]):not([tabindex='-1'])"
    ).all():
        box = control.bounding_box()
        if control.get_attribute("type") in ("radio", "checkbox"):
            box = control.locator("xpath=ancestor::label").bounding_box()
        else:
            assert control.evaluate(
                "e => e.labels === null || e.labels.length > 0 || e.tagName === 'BUTTON'"
            )
        assert box is not None and box["height"] >= MIN_TARGET, control.evaluate("e => e.outerHTML")


def test_subscribe_confirm_receive_change_and_unsubscribe(
    project: Path, served: tuple[str, dict[str, str]], page: Any
) -> None:
    base, env = served
    page.goto(f"{base}/subscribe")
    fits_a_phone(page)
    page.get_by_label("Email address").fill(ADDRESS)
    page.get_by_label("Name").fill("Reader One")
    page.get_by_label("Everything, including sections added later").check()
    shot(page, "subscribe")
    page.get_by_role("button", name="Subscribe").click()
    page.get_by_role("heading", name="Check your inbox").wait_for()

    page.goto(link(eml(project, "confirm"), base, "/confirm"))
    fits_a_phone(page)
    page.get_by_role("button", name="Confirm subscription").click()
    page.get_by_role("heading", name="You are subscribed").wait_for()
    shot(page, "confirmed")

    cfg = load_config(project / "config.toml", env)

    def run_edition() -> int:
        worker = open_state(cfg.state_database)
        try:
            # force: the gate wants https links, and this server is plain http on 127.0.0.1
            return pipeline.run(cfg, worker, NOW, env, force=True).sent
        finally:
            worker.close()

    # Playwright's sync API runs an event loop on this thread; gathering runs its own.
    with ThreadPoolExecutor(1) as pool:
        assert pool.submit(run_edition).result() == 4
    state = open_state(cfg.state_database)
    edition = eml(project, "2026-11-27")
    html = edition.get_body(("html",)).get_content()  # type: ignore[union-attr]
    assert "Hi Reader" in html

    page.goto(link(edition, base, "/preferences"))
    fits_a_phone(page)
    page.get_by_label("Only the sections I tick:").check()
    page.get_by_label("Science").check()
    page.get_by_label("Weekly: the week's best stories").check()
    page.get_by_label("Time zone").select_option("Asia/Tokyo")
    page.get_by_label("Time zone").focus()
    page.keyboard.press("Tab")  # the Save button is next in tab order after the zone list
    focused = page.evaluate("document.activeElement.textContent")
    assert focused == "Save preferences"
    page.keyboard.press("Enter")
    page.get_by_role("status").filter(has_text="Saved.").wait_for()
    shot(page, "preferences-saved")
    record = state.subscribers.get(ADDRESS)
    assert record is not None and record.sections == ("Science",)
    assert (record.frequency, record.timezone) == ("weekly", "Asia/Tokyo")

    footer = re.search(r'href="([^"]+/unsubscribe\?t=[^"]+)"', html)
    assert footer
    page.goto(footer[1].replace("&amp;", "&"))
    assert state.subscribers.get(ADDRESS).status == "active"  # type: ignore[union-attr]
    page.get_by_role("button", name="Unsubscribe").click()
    page.get_by_text(f"{ADDRESS} will get no more emails").wait_for()
    fits_a_phone(page)
    shot(page, "unsubscribed")
    assert state.subscribers.get(ADDRESS).status == "unsubscribed"  # type: ignore[union-attr]
    page.get_by_role("button", name="Resubscribe").click()
    page.get_by_text("Welcome back").wait_for()
    one_click = edition["List-Unsubscribe"].split(">")[0].strip().lstrip("<")
    answer = page.request.post(
        one_click,
        data="List-Unsubscribe=One-Click",
        headers={"Content-Type": "application/x-www-form-urlencoded"},
    )
    assert answer.status == 200
    assert state.subscribers.get(ADDRESS).status == "unsubscribed"  # type: ignore[union-attr]
