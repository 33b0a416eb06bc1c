"""subscribers.mailbox: a real Maildir and a real mbox of returned mail from several MTAs
(Postfix, Exim, Sendmail, qmail, Gmail, Outlook/Exchange), with mail that is not a bounce,
broken MIME, a truncated message, unsubscribe requests and a bounce for a stranger."""

from __future__ import annotations

import mailbox
from datetime import timedelta
from pathlib import Path

import pytest

from digest.errors import InputError
from digest.models import message_id
from digest.state import State
from digest.subscribers import BounceSettings, Returned, add_subscriber, process_mailbox
from tests.conftest import DATA
from tests.subscribers.conftest import NOW

BOUNCES = DATA / "bounces"
EDITION = "2026-11-27"
HARD = {
    "postfix_hard.eml": "gone@example.net",
    "exim_hard.eml": "nobody@example.org",
    "sendmail_hard.eml": "left@example.com",
    "qmail_hard.eml": "old@example.net",
    "gmail_hard.eml": "missing.person@gmail.com",
    "outlook_hard.eml": "former@contoso.com",
}
SOFT = {"postfix_delayed.eml": "slow@example.org", "outlook_delayed.eml": "busy@example.com"}
LISTED = (
    *HARD.values(),
    *SOFT.values(),
    "ada@example.com",
    "grace@example.com",
    "linus@example.org",
)
LATER = NOW + timedelta(days=1)


def make_mailbox(kind: str, folder: Path, files: list[Path]) -> Path:
    """A Maildir or an mbox holding `files`, written by the stdlib as a mail server would."""
    path = folder / ("Maildir" if kind == "maildir" else "bounces.mbox")
    box: mailbox.Mailbox[mailbox.Message] = (
        mailbox.Maildir(path, create=True) if kind == "maildir" else mailbox.mbox(path, create=True)
    )
    for file in files:
        box.add(file.read_bytes())
    box.close()
    return path


@pytest.fixture
def listed(state: State) -> State:
    for address in LISTED:
        add_subscriber(state, address, now=NOW - timedelta(days=30))
    state.ledger.enqueue(EDITION, LISTED)
    for address in LISTED:
        state.ledger.mark_sent(EDITION, address, None)
    return state


def status(state: State, address: str) -> str:
    record = state.subscribers.get(address)
    assert record is not None
    return record.status


def by_subject(results: list[Returned]) -> dict[str, Returned]:
    return {r.subject: r for r in results}


@pytest.mark.parametrize("kind", ["maildir", "mbox"])
def test_a_mailbox_of_returned_mail_is_applied_once(
    listed: State, tmp_path: Path, kind: str
) -> None:
    files = sorted(BOUNCES.glob("*.eml"))
    path = make_mailbox(kind, tmp_path, files)
    results = list(process_mailbox(listed, path, BounceSettings(), now=LATER))
    assert len(results) == len(files)
    tally: dict[str, int] = {}
    for returned in results:
        tally[returned.result] = tally.get(returned.result, 0) + 1
    assert tally == {
        "bounce": 9,  # six hard, two delays, one for a stranger
        "not a bounce": 3,  # an auto-reply, a reader's reply, broken MIME
        "unreadable": 1,  # truncated before its From line: flufl.bounce raises
        "unsubscribe request": 1,
        "unsubscribe request not applied": 1,
    }
    for address in HARD.values():
        assert status(listed, address) == "bounced", address
        record = listed.subscribers.get(address)
        assert record is not None and record.status_reason is not None
        assert f"(mailbox, edition {EDITION})" in record.status_reason
        assert listed.events.history(record.id)[-1].source == "bounce"
    for address in SOFT.values():
        assert status(listed, address) == "active"
        (row,) = listed.feedback.of(address)
        assert (row.kind, row.edition_id) == ("soft", EDITION)
    assert listed.feedback.counts(EDITION) == {"bounced": 6, "complained": 0}
    assert status(listed, "grace@example.com") == "unsubscribed"
    grace = listed.subscribers.get("grace@example.com")
    assert grace is not None
    assert listed.events.history(grace.id)[-1].source == "unsubscribe email"
    for untouched in ("ada@example.com", "linus@example.org"):  # auto-reply, reply, forged
        assert status(listed, untouched) == "active"
    assert listed.subscribers.get("stranger@example.net") is None
    assert not listed.ledger.is_suppressed("stranger@example.net")
    lines = [line for r in results for line in r.lines()]
    assert any("stranger@example.net: hard bounce" in x and "not on the list" in x for x in lines)
    assert any("unreadable (IndexError" in x for x in lines)
    assert any("only the subscriber's own address may ask" in x for x in lines)

    again = list(process_mailbox(listed, path, BounceSettings(), now=LATER + timedelta(hours=1)))
    assert {r.result for r in again} == {"already processed"}
    for address in SOFT.values():
        assert len(listed.feedback.of(address)) == 1


def test_delay_warnings_for_three_editions_suppress(listed: State, tmp_path: Path) -> None:
    template = (BOUNCES / "postfix_delayed.eml").read_text()
    original = message_id(EDITION, "slow@example.org", "example.com")
    files = []
    for day in ("2026-11-24", "2026-11-25", "2026-11-26"):
        listed.ledger.enqueue(day, ["slow@example.org"])
        text = template.replace(original, message_id(day, "slow@example.org", "example.com"))
        text = text.replace("20261127110540.4Xk3Ab1c2Dz9sWd", f"{day}.4Xk3Ab1c2Dz9sWd")
        file = tmp_path / f"{day}.eml"
        file.write_text(text)
        files.append(file)
    results = list(
        process_mailbox(
            listed, make_mailbox("maildir", tmp_path, files), BounceSettings(), now=LATER
        )
    )
    assert [r.outcomes[0].result for r in results] == [
        "counted: 1 of 3 soft bounces in 30 days",
        "counted: 2 of 3 soft bounces in 30 days",
        "suppressed",
    ]
    tied = sorted(str(r.outcomes[0].edition_id) for r in results)
    assert tied == ["2026-11-24", "2026-11-25", "2026-11-26"]
    assert status(listed, "slow@example.org") == "bounced"
    last = results[-1].outcomes[0].edition_id
    assert last is not None and listed.feedback.counts(last) == {"bounced": 1, "complained": 0}


def test_what_is_not_a_mailbox_is_refused_naming_it(state: State, tmp_path: Path) -> None:
    folder = tmp_path / "folder"
    folder.mkdir()
    text = tmp_path / "notes.txt"
    text.write_text("hello\n")
    for path, what in (
        (tmp_path / "missing", "no such Maildir or mbox"),
        (folder, "not a Maildir"),
        (text, "not an mbox"),
    ):
        with pytest.raises(InputError, match=what) as info:
            list(process_mailbox(state, path, BounceSettings(), now=NOW))
        assert str(path) in info.value.message
