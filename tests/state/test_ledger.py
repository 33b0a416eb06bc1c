"""The delivery ledger on both backends: a real SQLite file and a real PostgreSQL."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from digest.state import MIGRATIONS
from digest.state.db import Database
from digest.state.ledger import Ledger


@pytest.fixture
def ledger(database: str) -> Iterator[Ledger]:
    db = Database.open(database, MIGRATIONS)
    yield Ledger(db)
    db.close()


def test_enqueue_is_idempotent_and_skips_suppressed(ledger: Ledger) -> None:
    ledger.suppress("Gone@Example.com", "hard bounce")
    assert ledger.enqueue("e1", ["a@example.com", "B@example.com", "gone@example.com"]) == 2
    assert ledger.enqueue("e1", ["a@example.com", "b@example.com", "c@example.com"]) == 1
    assert ledger.pending("e1", 10) == ["a@example.com", "b@example.com", "c@example.com"]
    assert ledger.is_suppressed("GONE@example.com")
    assert ledger.counts("e1") == {"pending": 3, "sent": 0, "failed": 0, "skipped": 0}


def test_claim_marks_rows_and_counts_attempts(ledger: Ledger) -> None:
    ledger.enqueue("e1", [f"u{i}@example.com" for i in range(5)])
    first = ledger.claim("e1", 2, now=0.0)
    assert first == [("u0@example.com", 1), ("u1@example.com", 1)]
    assert ledger.pending("e1", 10) == ["u2@example.com", "u3@example.com", "u4@example.com"]
    ledger.release("e1", "u0@example.com", "451 busy", not_before=100.0)
    ledger.mark_sent("e1", "u1@example.com", "id-1")
    assert [e for e, _ in ledger.claim("e1", 10, now=50.0)] == [
        f"u{i}@example.com" for i in (2, 3, 4)
    ]
    assert ledger.next_due("e1") == 100.0
    assert ledger.claim("e1", 10, now=100.0) == [("u0@example.com", 2)]
    assert ledger.next_due("e1") is None


def test_rows_left_sending_are_recovered_in_order(tmp_path: Path) -> None:
    """SQLite has one sender: whatever it left `sending` is in doubt when it starts again."""
    ledger = Ledger(Database.open(tmp_path / "t.db", MIGRATIONS))
    ledger.enqueue("e1", ["a@example.com", "b@example.com", "c@example.com"])
    ledger.claim("e1", 2, now=0.0)
    reopened = Ledger(Database.open(tmp_path / "t.db", MIGRATIONS))
    assert reopened.counts("e1")["pending"] == 3
    assert reopened.recover_in_doubt("e1") == ["a@example.com", "b@example.com"]
    assert [e for e, _ in reopened.claim("e1", 2, now=0.0)] == ["a@example.com", "b@example.com"]


def test_failures_and_skips_have_reasons(ledger: Ledger) -> None:
    ledger.enqueue("e1", ["a@example.com", "b@example.com", "c@example.com", "d@example.com"])
    ledger.mark_failed(
        "e1", "a@example.com", "550 5.1.1 unknown", permanent=True, kind="hard bounce"
    )
    ledger.mark_failed("e1", "b@example.com", "451 busy", permanent=False)
    ledger.mark_skipped("e1", "c@example.com", "unsubscribed")
    ledger.mark_sent("e1", "d@example.com", None)
    assert ledger.counts("e1") == {"pending": 0, "sent": 1, "failed": 2, "skipped": 1}
    assert ledger.reasons("e1", "failed") == {"hard bounce": 1, "retries exhausted": 1}
    assert ledger.reasons("e1", "skipped") == {"unsubscribed": 1}


def test_suppressed_after_enqueue_is_skipped_at_claim(ledger: Ledger) -> None:
    ledger.enqueue("e2", ["a@example.com", "b@example.com"])
    ledger.suppress("a@example.com", "hard bounce in e1")
    assert ledger.claim("e2", 10, now=0.0) == [("b@example.com", 1)]
    assert ledger.reasons("e2", "skipped") == {"suppressed": 1}


def test_editions_are_independent(ledger: Ledger) -> None:
    ledger.enqueue("e1", ["a@example.com"])
    ledger.mark_sent("e1", "a@example.com", "x")
    assert ledger.enqueue("e2", ["a@example.com"]) == 1
    assert ledger.pending("e2", 5) == ["a@example.com"]


def test_shared_senders_claim_apart_and_take_over_a_dead_ones_rows(
    postgres_url: str, pg_env: dict[str, str]
) -> None:
    """On PostgreSQL two senders never claim the same row, nothing held is put back at start,
    and rows whose lease ran out (their sender died) are claimed again, attempt counted."""
    first = Ledger(Database.open(postgres_url, MIGRATIONS))
    second = Ledger(Database.open(postgres_url, MIGRATIONS))
    first.enqueue("e1", [f"u{i}@example.com" for i in range(6)])
    with first.db.transaction():
        held = first.claim("e1", 2, now=0.0, lease=30.0)
        # While the first sender's claim is open, the second skips its locked rows.
        taken = second.claim("e1", 3, now=0.0, lease=30.0)
    assert {e for e, _ in held}.isdisjoint(e for e, _ in taken)
    assert len(held) == 2 and len(taken) == 3
    assert second.recover_in_doubt("e1", now=10.0) == []
    assert [e for e, _ in second.claim("e1", 10, now=10.0)] == [
        e for e in (f"u{i}@example.com" for i in range(6)) if e not in {x for x, _ in held + taken}
    ]
    for email, _ in taken:
        second.mark_sent("e1", email, None)
    assert sorted(second.recover_in_doubt("e1", now=31.0)) == sorted(e for e, _ in held)
    again = second.claim("e1", 10, now=31.0)
    assert sorted(again) == sorted((e, 2) for e, _ in held)
    assert second.counts("e1") == {"pending": 3, "sent": 3, "failed": 0, "skipped": 0}


def test_the_send_pace_is_shared_by_every_sender(database: str) -> None:
    one = Ledger(Database.open(database, MIGRATIONS))
    other = Ledger(Database.open(database, MIGRATIONS))
    assert one.reserve_pace(10, rate=10.0, now=100.0) == 100.0
    assert other.reserve_pace(5, rate=10.0, now=100.5) == 101.0
    assert one.reserve_pace(1, rate=10.0, now=200.0) == 200.0
