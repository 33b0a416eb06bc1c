"""Add a story by URL and send the approved edition, in Debian's Chromium against the desk
served by uvicorn: the page comes from a real HTTP server on 127.0.0.1 and lands in the
edition preview where the editor placed it; the confirmation names the audience, the messages
arrive in the outbox once each, and a second editor's confirmation made on the same version
is refused."""

from __future__ import annotations

import email
import email.policy
import re
import time
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from digest.config import load_config
from digest.web import create_app
from tests.web.article_server import EUROPA_TITLE, EUROPA_URL, article_server
from tests.web.desk import NOW, gathered
from tests.web.live import listening, serving
from tests.web.test_desk_browser import browser, opened, shot  # noqa: F401 (fixture)
from tests.web.test_desk_team_browser import editor, order

pytestmark = pytest.mark.browser

AUDIENCE = ("ada@example.com", "grace@example.com", "linus@example.org")
ARRIVAL_SECONDS = 60  # a bound on a loaded machine, not a timing: the loop ends on arrival


@pytest.fixture
def served(project: Path) -> Iterator[tuple[str, str, Path]]:
    """The desk (its pages allowed to fetch 127.0.0.1) and the article server."""
    listener, base = listening()
    env = {
        "DIGEST_SECRET": "browser-secret",
        "DIGEST_EDITOR_TOKEN": "editor-token",
        "DIGEST_WEB__FETCH_PRIVATE": "true",
    }
    gathered(project, env)
    cfg = load_config(project / "config.toml", env)
    with article_server() as pages, serving(create_app(cfg, env, clock=lambda: NOW), listener):
        yield base, pages, project


def arrived(outbox: Path, count: int) -> list[Path]:
    """The .eml files once `count` are there (the send runs after the desk's answer)."""
    deadline = time.monotonic() + ARRIVAL_SECONDS
    while len(found := sorted(outbox.glob("*.eml"))) < count and time.monotonic() < deadline:
        time.sleep(0.05)
    return found


def test_an_added_page_is_placed_then_the_edition_is_sent_once(
    served: tuple[str, str, Path],
    browser: Any,  # noqa: F811
) -> None:
    from playwright.sync_api import expect

    base, pages, project = served
    ada, grace = editor(browser, base, "Ada Lovelace"), editor(browser, base, "Grace Hopper")
    before = order(ada)

    # Add the page after the lead: it is the second story, in the list and in the preview.
    ada.get_by_label("Page URL").fill(f"{pages}/europa")
    ada.get_by_label("Place").select_option(value=f"after:{before[0]}")
    ada.get_by_role("button", name="Fetch and add").click()
    expect(ada.locator("#flash .flash")).to_contain_text("it is story 2, pinned in")
    shot(ada, "desk-added-by-url")
    expect(ada.locator("article.story").nth(1)).to_have_attribute("data-key", EUROPA_URL)
    assert order(ada) == [before[0], EUROPA_URL, *before[1:]]
    body = ada.frame_locator("#frame").locator("body")
    expect(body).to_contain_text("Water Plumes")
    text = body.inner_text()
    lead = ada.locator("article.story h3").first.inner_text()
    third = ada.locator("article.story h3").nth(2).inner_text()
    assert text.index(lead) < text.index("Water Plumes") < text.index(third)
    # A page that is not one says so on the page, and the address stays in the field.
    ada.get_by_label("Page URL").fill(f"{pages}/report.pdf")
    ada.get_by_role("button", name="Fetch and add").click()
    expect(ada.locator("#flash .flash")).to_contain_text("is not a web page")
    expect(ada.get_by_label("Page URL")).to_have_value(f"{pages}/report.pdf")

    # Approve, then send: the confirmation names the audience.
    ada.get_by_role("button", name=re.compile("^Approve as")).click()
    expect(ada.locator("#flash .flash")).to_contain_text("Approved version")
    for page in (ada, grace):
        page.goto(f"{base}/editions/next")
        page.get_by_role("link", name="Send now…").click()
        expect(page.get_by_role("heading", name="Send to 3 subscribers now?")).to_be_visible()
    shot(ada, "desk-send-confirm")
    ada.get_by_role("button", name="Send to 3 subscribers").click()
    expect(ada.locator("#flash .flash")).to_contain_text("to 3 subscribers, by Ada Lovelace")
    messages = arrived(project / "outbox", len(AUDIENCE))
    # Grace confirms from the page she loaded on the same version: refused, nothing sent.
    grace.get_by_role("button", name="Send to 3 subscribers").click()
    expect(grace.locator("#flash .flash")).to_contain_text("changed by Ada Lovelace")

    addresses = Counter(
        email.message_from_bytes(p.read_bytes(), policy=email.policy.default)["To"]
        .addresses[0]
        .addr_spec
        for p in messages
    )
    assert addresses == Counter(dict.fromkeys(AUDIENCE, 1))
    assert len(list((project / "outbox").glob("*.eml"))) == len(AUDIENCE)
    first = email.message_from_bytes(messages[0].read_bytes(), policy=email.policy.default)
    plain = first.get_body(("plain",))
    assert plain is not None and EUROPA_TITLE[:30] in plain.get_content()
    # Refusals are 409 and 415 answers, which Chromium logs; the added story's image is on
    # its site, a request the test's browser aborts (ERR_FAILED). Nothing else may go wrong.
    expected = re.compile(r"status of 4(09|15)|net::ERR_FAILED")
    errors = [e for e in ada.errors + grace.errors if not expected.search(e)]
    assert errors == []


def test_an_approved_edition_is_scheduled_for_a_time(
    served: tuple[str, str, Path],
    browser: Any,  # noqa: F811
) -> None:
    from playwright.sync_api import expect

    ada, project = editor(browser, served[0], "Ada Lovelace"), served[2]
    ada.get_by_role("button", name=re.compile("^Approve as")).click()
    expect(ada.locator("#flash .flash")).to_contain_text("Approved version")
    ada.get_by_role("link", name="Send now…").click()
    ada.get_by_label("Send at").fill("2026-11-27T06:30")
    ada.get_by_role("button", name="Schedule for 3 subscribers").click()
    expect(ada.locator("#flash .flash")).to_contain_text(
        "for Fri 27 Nov, 06:30 (Europe/London), to 3 subscribers, by Ada Lovelace"
    )
    assert not list((project / "outbox").glob("*.eml"))  # the scheduler sends it at 06:30
    assert ada.errors == []


def test_a_link_dropped_on_a_story_is_added_after_it(
    served: tuple[str, str, Path],
    browser: Any,  # noqa: F811
) -> None:
    from playwright.sync_api import expect

    ada = editor(browser, served[0], "Ada Lovelace")
    before = order(ada)
    link = ada.evaluate_handle(
        "url => { const d = new DataTransfer(); d.setData('text/uri-list', url); return d; }",
        f"{served[1]}/europa",
    )
    target = ada.locator(f"article.story[data-key='{before[2]}']")
    target.dispatch_event("dragover", {"dataTransfer": link})
    target.dispatch_event("drop", {"dataTransfer": link})
    expect(ada.locator("#flash .flash")).to_contain_text("it is story 4, pinned in")
    assert order(ada) == [*before[:3], EUROPA_URL, *before[3:]]
    assert [e for e in ada.errors if "net::ERR_FAILED" not in e] == []  # its image: aborted
