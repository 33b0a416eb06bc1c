"""The editor's desk in `digest serve`: signed in with DIGEST_EDITOR_TOKEN at /login (it used to
be `/preview?k=TOKEN`, which put the token in URLs, logs and redirects), an editor drops and
pins stories, writes the intro, sends a test, gathers and approves."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from digest import pipeline
from digest.config import Config, load_config
from digest.state import open_state
from tests.web.desk import ENV, LOCK, client, csrf_of, gathered, login, post, version_of


@pytest.fixture
def cfg(project: Path) -> Config:
    return gathered(project)


def test_the_desk_needs_a_session_and_is_off_without_the_token(cfg: Config) -> None:
    browser = client(cfg)
    assert browser.get("/editions/next", follow_redirects=False).headers["location"] == "/login"
    csrf = csrf_of(browser.get("/login").text)
    refused = post(browser, "/editions/next/stories", csrf, key=LOCK, action="drop")
    assert refused.status_code == 403
    no_token = client(cfg, {"DIGEST_SECRET": "s"})
    assert "Set DIGEST_EDITOR_TOKEN" in no_token.get("/editions/next").text
    assert no_token.post("/editions/next/intro", data={"intro": "x"}).status_code == 404
    old_link = browser.get("/preview?k=editor-token", follow_redirects=False)
    assert old_link.headers["location"] == "/editions/next"  # and the token is not carried on


def test_editor_drops_pins_writes_intro_and_sends_a_test(cfg: Config) -> None:
    browser = client(cfg)
    csrf = login(browser)
    page = browser.get("/editions/next").text
    assert "smart-lock firmware" in page and "value='drop'" in page
    dropped = browser.post(
        "/editions/next/stories",
        data={"csrf": csrf, "key": LOCK, "action": "drop", "version": version_of(page)},
    )
    assert dropped.status_code == 200 and "Dropped “Researchers find flaw" in dropped.text
    bad = post(browser, "/editions/next/stories", csrf, key="https://x/y", action="pin")
    assert bad.status_code == 400
    post(browser, "/editions/next/intro", csrf, intro="Morning <all>")
    assert "Morning &lt;all&gt;" in browser.get("/editions/next/email.html").text
    assert "smart-lock" not in browser.get("/editions/next/email.txt").text
    sent = browser.post("/editions/next/test", data={"csrf": csrf, "email": "ed@example.com"})
    assert "Test sent to ed@example.com via outbox" in sent.text
    assert len(list((cfg.base_dir / "outbox").glob("*-test--ed@example.com-*.eml"))) == 1
    invalid = post(browser, "/editions/next/test", csrf, email="nope")
    assert invalid.status_code == 400 and "Test not sent" in invalid.text


def test_editor_gathers_and_approves_from_the_desk(project: Path) -> None:
    environ = {**ENV, "DIGEST_SCHEDULE__REQUIRE_APPROVAL": "true"}
    cfg = load_config(project / "config.toml", environ)
    browser = client(cfg, environ)
    csrf = login(browser)
    gathered_now = browser.post("/gather", data={"csrf": csrf, "return": "/"})
    assert "Gathered 9 article(s)" in gathered_now.text
    state = open_state(cfg.state_database)
    now = datetime(2026, 11, 27, 6, 0, tzinfo=UTC)
    assert pipeline.run(cfg, state, now, environ).sent == 0
    version = version_of(browser.get("/editions/next").text)
    approved = browser.post("/editions/next/approve", data={"csrf": csrf, "version": version})
    assert f"Approved version {version}: “" in approved.text and "(9 stories)" in approved.text
    assert pipeline.run(cfg, state, now, environ).sent == 3
