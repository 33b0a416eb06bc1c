"""The delivery ledger on a real SQLite file."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from digest.state.db import Database
from digest.state.ledger import LEDGER_SCHEMA, Ledger


@pytest.fixture
def ledger(tmp_path: Path) -> Iterator[Ledger]:
    db = Database.open(tmp_path / "t.db", [LEDGER_SCHEMA])
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


def test_rows_left_sending_are_recovered_in_order(ledger: Ledger, tmp_path: Path) -> None:
    ledger.enqueue("e1", ["a@example.com", "b@example.com", "c@example.com"])
    ledger.claim("e1", 2, now=0.0)
    reopened = Ledger(Database.open(tmp_path / "t.db", [LEDGER_SCHEMA]))
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
