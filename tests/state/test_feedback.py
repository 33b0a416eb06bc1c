"""state.feedback: events kept once, soft bounces per edition in a window, per-edition counts,
one-time tokens, processed messages; the ledger found by a provider's message id."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from digest.state import MIGRATIONS, State, open_state
from digest.state.db import Database

NOW = datetime(2026, 11, 27, 12, 0, tzinfo=UTC)


@pytest.fixture
def state(database: str) -> Iterator[State]:
    opened = open_state(database)
    yield opened
    opened.close()


def record(state: State, event_id: str, kind: str, edition: str | None, at: datetime) -> bool:
    return state.feedback.record(
        "mailbox", event_id, "Ada@Example.com", kind, edition_id=edition, detail="", at=at, now=NOW
    )


def test_an_event_is_recorded_once(state: State) -> None:
    assert record(state, "m1:ada@example.com", "bounce", "2026-11-27", NOW)
    assert not record(state, "m1:ada@example.com", "bounce", "2026-11-27", NOW)
    (row,) = state.feedback.of("ada@example.com")
    assert (row.email, row.kind, row.edition_id, row.at) == (
        "ada@example.com",
        "bounce",
        "2026-11-27",
        NOW,
    )


def test_soft_bounces_count_once_per_edition_within_the_window(state: State) -> None:
    record(state, "a", "soft", "2026-11-20", NOW - timedelta(days=7))
    record(state, "b", "soft", "2026-11-20", NOW - timedelta(days=6))  # the same message again
    record(state, "c", "soft", None, NOW - timedelta(days=2))
    record(state, "d", "soft", None, NOW - timedelta(days=1))
    record(state, "e", "soft", "2026-09-01", NOW - timedelta(days=80))
    record(state, "f", "bounce", "2026-11-27", NOW)
    assert state.feedback.soft_bounces("ada@example.com", NOW - timedelta(days=30)) == 3
    assert state.feedback.soft_bounces("ada@example.com", NOW - timedelta(days=90)) == 4
    assert state.feedback.soft_bounces("other@example.com", NOW - timedelta(days=90)) == 0


def test_counts_join_send_time_hard_bounces_with_later_ones(state: State) -> None:
    edition = "2026-11-27"
    state.ledger.enqueue(edition, ["ada@example.com", "bob@example.com", "cy@example.com"])
    state.ledger.mark_failed(
        edition, "bob@example.com", "550 5.1.1", permanent=True, kind="hard bounce"
    )
    state.ledger.mark_failed(edition, "cy@example.com", "554 spam", permanent=True, kind="rejected")
    for source, email, kind, outcome in (
        ("postmark", "ada@example.com", "bounce", "suppressed"),
        ("mailbox", "ada@example.com", "bounce", "already bounced"),  # the same person twice
        ("postmark", "bob@example.com", "bounce", "already bounced"),  # also refused at send
        ("ses", "cy@example.com", "soft", "counted: soft bounce 1 of 3"),
        ("ses", "dee@example.com", "soft", "suppressed"),
        ("ses", "eve@example.com", "complaint", "suppressed"),
        ("sendgrid", "eve@example.com", "complaint", "already complained"),
    ):
        event = f"{email}:{kind}"
        state.feedback.record(
            source, event, email, kind, edition_id=edition, detail="", at=NOW, now=NOW
        )
        state.feedback.set_outcome(source, event, outcome)
    state.feedback.record(
        "ses", "x", "fay@example.com", "complaint", edition_id=None, detail="", at=NOW, now=NOW
    )
    assert state.feedback.counts(edition) == {"bounced": 3, "complained": 1}
    assert state.feedback.counts("2026-11-28") == {"bounced": 0, "complained": 0}


def test_a_token_is_good_once_and_old_ones_are_dropped(state: State) -> None:
    at = NOW.timestamp()
    assert state.feedback.use_token("mailgun", "t1", at, keep_after=at - 600)
    assert not state.feedback.use_token("mailgun", "t1", at, keep_after=at - 600)
    assert state.feedback.use_token("postmark", "t1", at, keep_after=at - 600)
    later = at + 3600
    assert state.feedback.use_token("mailgun", "t2", later, keep_after=later - 600)
    rows = state.db.conn.execute("SELECT token FROM webhook_tokens ORDER BY token").fetchall()
    assert [row[0] for row in rows] == ["t2"]


def test_processed_messages_are_remembered(state: State) -> None:
    state.feedback.mark_message("mid:<a@x>", "bounce", NOW)
    state.feedback.mark_message("mid:<a@x>", "bounce", NOW)
    assert state.feedback.message_seen(["mid:<a@x>", "mid:<b@x>"]) == {"mid:<a@x>"}


def test_forget_deletes_an_addresses_events(state: State) -> None:
    record(state, "a", "bounce", None, NOW)
    assert state.feedback.forget("ADA@example.com") == 1
    assert state.feedback.of("ada@example.com") == []


def test_the_ledger_is_found_by_provider_id_and_address(state: State) -> None:
    state.ledger.enqueue("2026-11-27", ["ada@example.com", "bob@example.com"])
    state.ledger.mark_sent("2026-11-27", "ada@example.com", "pm-1")
    state.ledger.mark_sent("2026-11-27", "bob@example.com", "pm-2")
    assert state.ledger.by_provider_id(["nope", "pm-2", ""]) == [("2026-11-27", "bob@example.com")]
    assert state.ledger.by_provider_id([]) == []


def test_an_older_database_gains_the_feedback_tables(tmp_path: Path) -> None:
    path = tmp_path / "old.db"
    position = next(i for i, ddl in enumerate(MIGRATIONS) if "CREATE TABLE feedback" in ddl)
    Database.open(path, MIGRATIONS[:position]).close()
    upgraded = open_state(str(path))
    try:
        assert record(upgraded, "a", "bounce", None, NOW)
        version = upgraded.db.conn.execute("PRAGMA user_version").fetchone()[0]
        assert version == len(MIGRATIONS)
    finally:
        upgraded.close()
