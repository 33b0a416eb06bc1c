"""Split and merge on the desk, in Debian's Chromium (Playwright) against the app on 127.0.0.1.

The sample project plus a wire feed whose two items the grouping puts with the sample's
Baltic and Chile stories. The editor splits the wire's Chile article off (it becomes a story of
its own, in the desk and in the email preview, and stays so after a reload), then merges it
back; once the edition is stored the choices are gone.
"""

from __future__ import annotations

import re
import shutil
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pytest

from digest.config import load_config
from digest.state import open_state
from tests.conftest import REPO
from tests.web.test_desk_browser import (
    MIN_TARGET,
    browser,
    desk_page,
    desk_served,
    run_edition,
    shot,
)

__all__ = ["browser"]  # the Chromium fixture, shared with the desk's other browser test

pytestmark = pytest.mark.browser

LITHIUM = "Chile's lithium auction draws record bids from carmakers"
WIRE_LITHIUM = "Carmakers pile into record Chilean lithium sale"
WIRE_KEY = "https://wire.example.com/chile-lithium"
WIRE_SOURCE = """
[[sources]]
name = "Wire Service"
url = "examples/sources/wire.xml"
kind = "feed"
section = "World"
"""


@pytest.fixture
def served(project: Path) -> Iterator[tuple[str, Path]]:
    shutil.copy(REPO / "tests" / "data" / "web" / "wire.xml", project / "examples" / "sources")
    with (project / "config.toml").open("a", encoding="utf-8") as config:
        config.write(WIRE_SOURCE)
    with desk_served(project) as base:
        yield base, project


def card(page: Any, headline: str) -> Any:
    return page.locator("#stories article.story", has=page.locator("h3", has_text=headline))


def test_an_editor_splits_a_group_and_merges_two_stories(
    served: tuple[str, Path], browser: Any
) -> None:
    from playwright.sync_api import expect

    base, project = served
    page = desk_page(browser, base)
    chile = card(page, LITHIUM)
    expect(chile.locator(".also")).to_contain_text("Wire Service")
    expect(card(page, WIRE_LITHIUM)).to_have_count(0)
    page.evaluate("window.deskMarker = 'no page load since'")
    frame = page.frame_locator("#frame")

    chile.locator("summary", has_text="Grouping").click()
    chile.get_by_role("button", name=f"Split off Wire Service from “{LITHIUM}”").click()
    expect(page.locator("#flash")).to_contain_text(f"Split “{WIRE_LITHIUM}” off")
    expect(card(page, WIRE_LITHIUM)).to_have_count(1)
    expect(card(page, LITHIUM).locator(".also")).to_have_count(0)
    expect(frame.locator("body")).to_contain_text(WIRE_LITHIUM)
    assert page.evaluate("window.deskMarker") == "no page load since"

    page.reload()  # the choice is kept for this edition, not only on the page
    expect(card(page, WIRE_LITHIUM)).to_have_count(1)

    wire = card(page, WIRE_LITHIUM)
    wire.locator("summary", has_text="Grouping").click()
    wire.get_by_label(re.compile("^Same event as")).select_option(label=LITHIUM)
    shot(page, "desk-merge")
    wire.get_by_role("button", name=re.compile("^Merge")).click()
    expect(page.locator("#flash")).to_contain_text(f"Merged “{WIRE_LITHIUM}” into “{LITHIUM}”")
    expect(card(page, WIRE_LITHIUM)).to_have_count(0)
    expect(card(page, LITHIUM).locator(".also")).to_contain_text("Wire Service")
    expect(frame.locator("body")).not_to_contain_text(WIRE_LITHIUM)
    assert page.errors == []

    phone = desk_page(browser, base, 375)
    lead = phone.locator("#stories article.story").first  # the Baltic story, with the wire's
    lead.locator("summary", has_text="Grouping").click()
    controls = lead.locator(".regroup button:visible, .regroup select:visible").all()
    assert len(controls) == 3  # split off the wire's article; the list of stories; merge
    for control in controls:
        box = control.bounding_box()
        assert box is not None and box["height"] >= MIN_TARGET, control.inner_text()
    assert phone.evaluate("document.documentElement.scrollWidth") <= 375

    cfg = load_config(project / "config.toml", {"DIGEST_NEWSLETTER__BASE_URL": base})
    state = open_state(cfg.state_database)
    try:
        assert WIRE_KEY in state.groups.apart() and state.groups.together()
    finally:
        state.close()
    with ThreadPoolExecutor(1) as pool:  # Playwright's loop runs on this thread
        assert pool.submit(run_edition, cfg).result() == 3
    state = open_state(cfg.state_database)
    try:  # stored: the edition's splits and merges are gone with it
        assert state.groups.apart() == frozenset() and state.groups.together() == ()
    finally:
        state.close()
