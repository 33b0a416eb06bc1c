"""`digest edit` and the editor's desk are one store: the rewrites, places, subject and the
approvals with who made them, from the command line, show on the desk and in the edition."""

from __future__ import annotations

import email
import email.policy
from datetime import UTC, datetime
from email.message import EmailMessage
from pathlib import Path

from digest.config import load_config
from digest.state import open_state
from tests.cli.runner import digest
from tests.web.desk import client, login, post, version_of

DAY = datetime(2026, 11, 27, 6, 0, tzinfo=UTC)
LOCK = "https://tech.example.net/2026/smart-lock-flaw"
CABLES = "https://news.example.org/world/baltic-undersea-cables"


def test_rewrites_places_and_subject_from_the_command_line(project: Path) -> None:
    def edit(*args: str) -> str:
        result = digest("edit", *args, cwd=project, now=DAY)
        assert result.returncode == 0, result.stderr
        return result.stdout

    assert digest("gather", cwd=project, now=DAY).returncode == 0
    moved = edit("move", LOCK, "top")
    assert f"moved top: {LOCK}" in moved
    assert "subject: Researchers find flaw in popular smart-lock firmware + 8 more" in moved
    edit("headline", CABLES, "Baltic states guard their cables")
    edit("points", CABLES, "Patrols and sensors.", "After three incidents.")
    edit("headline", CABLES, "--clear")
    rosenberg = "https://news.example.org/world/rosenberg-trump-putin-call"
    assert "cannot move up" in edit("move", rosenberg, "up")  # the first of World now
    shown = edit("show")
    assert f"{LOCK} (place 1)" in shown and "key points: 2 rewritten" in shown
    assert "subject: (automatic)" in shown
    edit("subject", "Cables & locks")
    assert "subject: Cables & locks" in edit("show")
    unknown = digest("edit", "move", "https://nowhere.example/x", "top", cwd=project, now=DAY)
    assert unknown.returncode == 2 and "not an article waiting" in unknown.stderr
    usage = digest("edit", "subject", cwd=project, now=DAY)
    assert usage.returncode == 2 and "give TEXT or --clear" in usage.stderr

    cfg = load_config(project / "config.toml", {})
    browser = client(cfg)
    login(browser)
    page = browser.get("/editions/next").text
    assert "value='Cables &amp; locks'" in page and "Patrols and sensors." in page
    lead = page.split("id='story-1'", 1)[1].split("id='story-2'", 1)[0]
    assert "smart-lock firmware" in lead and "Lead story" in lead

    assert "sent to 3 recipient(s)" in digest("run", cwd=project, now=DAY).stdout
    (sent,) = (project / "outbox").glob("2026-11-27--ada*.eml")
    message = email.message_from_bytes(sent.read_bytes(), policy=email.policy.default)
    assert isinstance(message, EmailMessage) and message["Subject"] == "Cables & locks"
    text = message.get_body(("plain",)).get_content()  # type: ignore[union-attr]
    assert "After three incidents." in text
    assert "subject: (automatic)" in edit("show")  # used up by the edition


def test_approve_and_hold_record_who_from_the_command_line(project: Path) -> None:
    env = {"DIGEST_SCHEDULE__REQUIRE_APPROVAL": "true"}
    assert digest("gather", cwd=project, env=env, now=DAY).returncode == 0
    approved = digest("edit", "approve", "--by", "Ada Lovelace", cwd=project, env=env, now=DAY)
    assert approved.returncode == 0 and "approved: " in approved.stdout
    held = digest("edit", "hold", cwd=project, env=env, now=DAY)
    assert held.returncode == 0 and "held: " in held.stdout
    state = open_state(load_config(project / "config.toml", env).state_database)
    decisions = state.editorial.decisions()
    assert [d.decision for d in decisions] == ["held", "approved"]
    assert decisions[1].editor == "Ada Lovelace" and decisions[0].editor  # the login name
    gated = digest("run", cwd=project, env=env, now=DAY)
    assert "waits for an editor's approval" in gated.stdout and "/editions/next" in gated.stdout


def test_command_line_edits_are_versioned_changes_the_desk_checks(project: Path) -> None:
    """A desk page loaded before a `digest edit` cannot overwrite it: the edit bumps the
    edition's version and is logged with who made it, so the desk's change of the same story
    is refused naming it, while a change of another story still commutes."""
    assert digest("gather", cwd=project, now=DAY).returncode == 0
    cfg = load_config(project / "config.toml", {})
    desk = client(cfg)
    csrf = login(desk)
    seen = version_of(desk.get("/editions/next").text)
    edited = digest("edit", "headline", LOCK, "Locks open by themselves", cwd=project, now=DAY)
    assert edited.returncode == 0, edited.stderr
    assert digest("edit", "move", LOCK, "top", cwd=project, now=DAY).returncode == 0
    assert version_of(desk.get("/editions/next").text) == str(int(seen) + 2)

    clash = post(desk, "/editions/next/story", csrf, key=LOCK, headline="Mine", version=seen)
    assert clash.status_code == 409
    assert f"Rewrote {LOCK}" in clash.text and "changed by" in clash.text
    other = post(desk, "/editions/next/story", csrf, key=CABLES, headline="Cables", version=seen)
    assert other.status_code == 303
    page = desk.get("/editions/next").text
    assert "Locks open by themselves" in page and "Mine" not in page

    # An approval from the command line names the version it approved; a desk approval made
    # on the page loaded before it is refused.
    now = version_of(page)
    approved = digest("edit", "approve", "--by", "Grace Hopper", cwd=project, now=DAY)
    assert approved.returncode == 0, approved.stderr
    late = post(desk, "/editions/next/approve", csrf, version=now)
    assert late.status_code == 409 and "changed by Grace Hopper" in late.text
    assert f"(version {now})" in desk.get("/editions/next").text
    # A move that changes nothing spends no version.
    before = version_of(desk.get("/editions/next").text)
    stay = digest("edit", "move", LOCK, "top", cwd=project, now=DAY)
    assert "cannot move top" in stay.stdout
    assert version_of(desk.get("/editions/next").text) == before
