"""Local-time batches: queued in the ledger only when due, once; an edition waits for them."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from digest.state import LocalBatch, open_state

NOW = datetime(2026, 11, 27, 7, 0, tzinfo=UTC)


def test_batches_join_the_ledger_when_due_and_only_once(database: str) -> None:
    state = open_state(database)
    with state.db.transaction():
        state.editions.add("e1", created=NOW, subject="s", stories=1, rendered={}, browser_html="")
        state.batches.plan(
            "e1",
            [
                LocalBatch("e1", "America/New_York", NOW + timedelta(hours=5), ("n@x.com",)),
                LocalBatch("e1", "Asia/Tokyo", NOW + timedelta(hours=15), ("t@x.com", "u@x.com")),
            ],
        )
    state.ledger.suppress("u@x.com", "unsubscribed")
    assert state.batches.waiting("e1") == (3, NOW + timedelta(hours=5))
    assert state.resumable() == []  # nothing due: nothing to resume yet
    assert state.release_due(NOW + timedelta(hours=4)) == []
    (released,) = state.release_due(NOW + timedelta(hours=5))
    assert released.zone == "America/New_York"
    assert state.ledger.counts("e1")["pending"] == 1
    assert [r.id for r in state.resumable()] == ["e1"]
    assert state.release_due(NOW + timedelta(hours=6)) == []  # released once
    state.release_due(NOW + timedelta(hours=15))
    assert state.ledger.counts("e1")["pending"] == 2  # the suppressed address was left out
    assert state.batches.waiting("e1") == (0, None) and state.batches.next_send() is None
