"""`digest bounces PATH`, as an operator runs it: an edition goes out, mail comes back to a real
Maildir (and the same mail as an mbox), `digest bounces` applies it, `digest status` counts it
for the edition, and the next edition's outbox has nobody who bounced or unsubscribed."""

from __future__ import annotations

import json
import mailbox
from datetime import UTC, datetime
from pathlib import Path

from tests.cli.runner import digest
from tests.conftest import DATA

DAY1 = datetime(2026, 11, 27, 7, 0, tzinfo=UTC)
DAY2 = datetime(2026, 11, 28, 7, 0, tzinfo=UTC)
HARD = (
    "gone@example.net",
    "nobody@example.org",
    "left@example.com",
    "old@example.net",
    "missing.person@gmail.com",
    "former@contoso.com",
)
SOFT = ("slow@example.org", "busy@example.com")
EMPTY_OK = {"DIGEST_COMPOSE__SEND_WHEN_EMPTY": "true"}


def add_readers(project: Path) -> None:
    """The bundled list plus the readers whose mail comes back in tests/data/bounces."""
    csv = project / "subscribers" / "subscribers.csv"
    extra = "".join(f"{address},,,active\n" for address in (*HARD, *SOFT))
    csv.write_text(csv.read_text() + extra)


def returned_mail(folder: Path, kind: str) -> Path:
    path = folder / ("Maildir" if kind == "maildir" else "bounces.mbox")
    box: mailbox.Mailbox[mailbox.Message] = (
        mailbox.Maildir(path, create=True) if kind == "maildir" else mailbox.mbox(path, create=True)
    )
    for file in sorted((DATA / "bounces").glob("*.eml")):
        box.add(file.read_bytes())
    box.close()
    return path


def recipients_of(project: Path, edition: str) -> set[str]:
    return {
        path.name.split("--", 1)[1].rsplit("-", 1)[0]
        for path in (project / "outbox").glob(f"{edition}--*.eml")
    }


def test_returned_mail_is_applied_counted_and_the_next_edition_skips_them(
    project: Path, tmp_path: Path
) -> None:
    add_readers(project)
    assert digest("run", cwd=project, now=DAY1).returncode == 0
    assert set(HARD) <= recipients_of(project, "2026-11-27")

    result = digest("bounces", str(returned_mail(tmp_path, "maildir")), cwd=project, now=DAY1)
    assert result.returncode == 0, result.stderr
    out = result.stdout
    for address in HARD:
        assert f"{address}: hard bounce" in out and "(edition 2026-11-27) -> suppressed" in out
    for address in SOFT:
        assert f"{address}: soft bounce" in out
    assert "counted: 1 of 3 soft bounces in 30 days" in out
    assert "stranger@example.net: hard bounce" in out and "not on the list" in out
    assert "grace@example.com: unsubscribe" in out
    assert "unreadable (IndexError" in result.stderr  # the truncated message, one line
    assert "Traceback" not in result.stderr
    summary = out.strip().splitlines()[-1]
    assert summary.endswith(
        "15 message(s): 9 bounce; 1 unsubscribe request; 1 unsubscribe request not applied;"
        " 3 not a bounce; 1 unreadable; 6 suppressed; 1 unsubscribed; 2 counted; 1 not on the list"
    )

    listed = digest("subscribers", "list", "--status", "bounced", cwd=project, now=DAY1)
    for address in HARD:
        assert address in listed.stdout
    status = json.loads(digest("status", "--json", cwd=project, now=DAY1).stdout)
    (edition,) = [e for e in status["editions"] if e["id"] == "2026-11-27"]
    assert (edition["bounced"], edition["complained"]) == (6, 0)

    # The same mail read again, this time as an mbox: every message was seen already.
    again = digest("bounces", str(returned_mail(tmp_path, "mbox")), cwd=project, now=DAY1)
    assert again.returncode == 0
    assert again.stdout.strip().endswith("15 message(s): 15 already processed")

    # The next edition (nothing new gathered, so an empty one on purpose) skips them all.
    assert digest("run", cwd=project, env=EMPTY_OK, now=DAY2).returncode == 0
    day2 = recipients_of(project, "2026-11-28")
    assert day2 >= {"ada@example.com", *SOFT}
    assert not day2 & {*HARD, "grace@example.com"}


def test_bounces_reads_the_configured_mailbox_and_refuses_what_is_not_one(
    project: Path, tmp_path: Path
) -> None:
    none = digest("bounces", cwd=project)
    assert none.returncode == 2 and "no mailbox to read: give a PATH" in none.stderr
    assert "[bounces] mailbox" in none.stderr
    missing = digest("bounces", str(tmp_path / "nowhere"), cwd=project)
    assert missing.returncode == 2 and "nowhere: no such Maildir or mbox" in missing.stderr
    env = {"DIGEST_BOUNCES__MAILBOX": str(returned_mail(tmp_path, "mbox"))}
    configured = digest("bounces", cwd=project, env=env, now=DAY1)
    assert configured.returncode == 0, configured.stderr
    assert "15 message(s)" in configured.stdout
    bad = digest("bounces", cwd=project, env={"DIGEST_BOUNCES__SOFT_LIMIT": "0"})
    assert bad.returncode == 2 and "bounces.soft_limit: must be a positive" in bad.stderr
