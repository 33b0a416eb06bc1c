"""What the desk's forms do to the next edition, seen through the real pipeline: drop, pin,
restore, move (the subject follows the lead), rewrite a story, the subject and the intro, a
test send with [TEST], approve and hold with who and when, and `digest edit` seeing it all."""

from __future__ import annotations

import email
import email.policy
from email.message import EmailMessage
from pathlib import Path

import pytest

from digest import editorial
from digest.config import Config, load_config
from digest.state import open_state
from tests.web.desk import CABLES, ENV, LEAD, LITHIUM, LOCK, NOW, client, gathered, login, post


@pytest.fixture
def cfg(project: Path) -> Config:
    return gathered(project)


def next_html(browser: object) -> str:
    return browser.get("/editions/next/email.html").text  # type: ignore[attr-defined,no-any-return]


def test_drop_restore_and_pin_show_at_once_in_the_page_and_the_preview(cfg: Config) -> None:
    browser = client(cfg)
    csrf = login(browser)
    assert "smart-lock" in next_html(browser)
    dropped = post(browser, "/editions/next/stories", csrf, key=LOCK, action="drop", view="phone")
    assert dropped.status_code == 303
    assert dropped.headers["location"] == "/editions/next?view=phone"
    page = browser.get(dropped.headers["location"]).text
    assert "Dropped “Researchers find flaw in popular smart-lock firmware”." in page
    assert "Not in this edition" in page and "value='restore'" in page
    assert "smart-lock" not in next_html(browser)
    assert "Dropped “" not in browser.get("/editions/next").text  # shown once
    restored = post(browser, "/editions/next/stories", csrf, key=LOCK, action="restore")
    assert restored.status_code == 303 and "smart-lock" in next_html(browser)
    post(browser, "/editions/next/stories", csrf, key=LOCK, action="pin")
    page = browser.get("/editions/next").text
    assert "Pinned “Researchers find flaw" in page
    assert "Subject: Researchers find flaw in popular smart-lock firmware + 8 more" in page
    state = open_state(cfg.state_database)
    assert state.editorial.actions() == {LOCK: "pin"}  # the store `digest edit` reads


def test_moving_a_story_to_the_top_changes_the_subject_on_the_page(cfg: Config) -> None:
    browser = client(cfg)
    csrf = login(browser)
    before = browser.get("/editions/next").text
    assert "value='Rosenberg: Trump-Putin Call Viewed as a Win in Russia + 8 more'" in before
    moved = post(browser, "/editions/next/stories", csrf, key=LITHIUM, action="top")
    assert moved.status_code == 303
    page = browser.get("/editions/next").text
    assert "now leads the edition. Subject: Chile&#39;s lithium auction" in page
    assert "value='Chile&#39;s lithium auction draws record bids from carmakers + 8 more'" in page
    assert "<span class='inbox-subject'>Chile&#39;s lithium auction" in page
    state = open_state(cfg.state_database)
    built, _ = editorial.next_edition(cfg, state, NOW, ENV)
    assert built is not None and editorial.reading_order(built.digest)[:2] == [LITHIUM, LEAD]
    # Up and down swap neighbours within a section; the first of a section cannot go up.
    assert post(browser, "/editions/next/stories", csrf, key=LEAD, action="down").status_code == 303
    built, _ = editorial.next_edition(cfg, state, NOW, ENV)
    assert built is not None and editorial.reading_order(built.digest)[:3] == [
        LITHIUM,
        CABLES,
        LEAD,
    ]
    refused = post(browser, "/editions/next/stories", csrf, key=CABLES, action="up")
    assert refused.status_code == 400 and "cannot move up" in refused.text
    assert post(browser, "/editions/next/stories", csrf, key=LEAD, action="jump").status_code == 400
    assert (
        post(browser, "/editions/next/stories", csrf, key="https://x/y", action="drop").status_code
        == 400
    )


def test_rewriting_a_story_and_the_subject_and_intro(cfg: Config) -> None:
    browser = client(cfg)
    csrf = login(browser)
    saved = post(
        browser,
        "/editions/next/story",
        csrf,
        key=LEAD,
        headline="  Moscow   cheers the call ",
        points="The Kremlin calls it a success.\n\n  Kyiv is wary.  \n",
        action="save",
    )
    assert saved.status_code == 303
    html = next_html(browser)
    assert "Moscow cheers the call" in html and "Kyiv is wary." in html
    page = browser.get("/editions/next").text
    assert "Saved “Moscow cheers the call”." in page and "tag-edit" in page
    assert "value='Moscow cheers the call + 8 more'" in page  # the subject follows the lead
    too_long = post(browser, "/editions/next/story", csrf, key=LEAD, headline="x" * 301)
    assert too_long.status_code == 400 and "headline: at most 300 characters" in too_long.text
    post(browser, "/editions/next/story", csrf, key=LEAD, action="reset")
    assert "Moscow cheers" not in next_html(browser)

    post(browser, "/editions/next/subject", csrf, subject="Three things worth your time")
    page = browser.get("/editions/next").text
    assert "Subject saved: Three things worth your time" in page
    assert "Use the automatic subject" in page
    message = browser.get("/editions/next/message.eml")
    assert message.headers["content-type"].startswith("message/rfc822")
    parsed = email.message_from_bytes(message.content, policy=email.policy.default)
    assert parsed["Subject"] == "Three things worth your time"
    post(browser, "/editions/next/subject", csrf, action="reset")
    assert "Subject is automatic: Rosenberg" in browser.get("/editions/next").text
    same = post(
        browser,
        "/editions/next/subject",
        csrf,
        subject="Rosenberg: Trump-Putin Call Viewed as a Win in Russia + 8 more",
    )
    assert same.status_code == 303
    assert open_state(cfg.state_database).editorial.subject() is None  # automatic stays automatic

    post(browser, "/editions/next/intro", csrf, intro="Morning <all> & welcome")
    assert "Morning &lt;all&gt; &amp; welcome" in next_html(browser)
    assert "Morning <all> & welcome" in browser.get("/editions/next/email.txt").text


def test_a_test_send_has_test_in_the_subject_and_leaves_nothing_behind(cfg: Config) -> None:
    browser = client(cfg)
    csrf = login(browser)
    post(browser, "/editions/next/stories", csrf, key=LOCK, action="drop")
    sent = post(browser, "/editions/next/test", csrf, email="ed@example.com")
    assert sent.status_code == 303
    page = browser.get("/editions/next").text
    assert "Test sent to ed@example.com via outbox" in page and "), by Ada Lovelace." in page
    (path,) = (cfg.base_dir / "outbox").glob("2026-11-27-test--ed@example.com-*.eml")
    message = email.message_from_bytes(path.read_bytes(), policy=email.policy.default)
    assert isinstance(message, EmailMessage)
    assert message["Subject"].startswith("[TEST] Rosenberg")
    assert "smart-lock" not in message.get_body(("plain",)).get_content()  # type: ignore[union-attr]
    assert "value='ed@example.com'" in browser.get("/editions/next").text  # remembered
    state = open_state(cfg.state_database)
    assert state.editions.recent() == [] and state.ledger.counts("2026-11-27")["pending"] == 0
    for address in ("nope", "", "ü@example.com"):
        refused = post(browser, "/editions/next/test", csrf, email=address)
        assert refused.status_code == 400, address
        assert "flash-error" in refused.text


def test_approve_and_hold_say_who_and_when_and_a_change_asks_again(project: Path) -> None:
    environ = {**ENV, "DIGEST_SCHEDULE__REQUIRE_APPROVAL": "true"}
    cfg = gathered(project, environ)
    browser = client(cfg, environ)
    csrf = login(browser, name="Grace Hopper")
    page = browser.get("/editions/next").text
    assert "Not approved yet." in page and "Scheduled runs send only an approved edition" in page
    seen = page.split("name='seen' value='", 1)[1].split("'", 1)[0]
    approved = post(browser, "/editions/next/approve", csrf, seen=seen)
    assert approved.status_code == 303
    page = browser.get("/editions/next").text
    assert "Approved version 0: “Rosenberg" in page and "(9 stories)" in page
    assert "<strong>Approved</strong> by Grace Hopper, Fri 27 Nov, 06:00 (version 0)." in page
    assert "pill-approved" in page
    post(browser, "/editions/next/stories", csrf, key=LOCK, action="drop")
    page = browser.get("/editions/next").text
    assert "Changed since Grace Hopper approved it" in page
    stale = post(browser, "/editions/next/approve", csrf, seen=seen)
    assert stale.status_code == 400 and "changed since you looked at it" in stale.text
    post(browser, "/editions/next/stories", csrf, key=LOCK, action="restore")
    assert "<strong>Approved</strong> by Grace Hopper" in browser.get("/editions/next").text
    held = post(browser, "/editions/next/hold", csrf)
    assert held.status_code == 303
    page = browser.get("/editions/next").text
    assert "Held: it will not go out" in page and "<strong>Held</strong> by Grace Hopper" in page
    state = open_state(cfg.state_database)
    decisions = state.editorial.decisions()
    assert [(d.decision, d.editor, d.version) for d in decisions] == [
        ("held", "Grace Hopper", 3),
        ("approved", "Grace Hopper", 0),
    ]
    from digest import pipeline

    assert (
        pipeline.run(load_config(project / "config.toml", environ), state, NOW, environ).sent == 0
    )
    post(browser, "/editions/next/approve", csrf)
    assert pipeline.run(cfg, state, NOW, environ).sent == 3
    after = browser.get("/editions/2026-11-27").text
    assert "approved by Grace Hopper, Fri 27 Nov, 06:00" in after


def test_gather_from_the_dashboard_and_an_empty_desk(project: Path) -> None:
    cfg = load_config(project / "config.toml", {})
    browser = client(cfg)
    csrf = login(browser)
    empty = browser.get("/editions/next").text
    assert "Nothing to edit yet" in empty and "No article has been gathered" in empty
    front = browser.get("/").text
    assert "Nothing gathered yet" in front and "Gather now" in front
    gathered_now = post(browser, "/gather", csrf, **{"return": "/"})
    assert gathered_now.status_code == 303 and gathered_now.headers["location"] == "/"
    front = browser.get("/").text
    assert "Gathered 9 article(s) from 4 source(s)." in front
    assert "Rosenberg: Trump-Putin Call Viewed as a Win in Russia + 8 more" in front
    elsewhere = post(browser, "/gather", csrf, **{"return": "https://evil.example/"})
    assert elsewhere.headers["location"] == "/editions/next"


def test_the_command_line_and_the_desk_are_one_store(cfg: Config) -> None:
    browser = client(cfg)
    csrf = login(browser)
    state = open_state(cfg.state_database)
    state.editorial.choose(CABLES, "drop", NOW)  # as `digest edit drop` does
    editorial.set_subject(state, "From the command line", NOW)
    page = browser.get("/editions/next").text
    assert "value='From the command line'" in page
    assert "Baltic states agree" in page.split("Not in this edition", 1)[1]
    post(browser, "/editions/next/story", csrf, key=LOCK, headline="Locks that open themselves")
    assert state.editorial.story_edits()[LOCK].headline == "Locks that open themselves"
