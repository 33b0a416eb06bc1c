"""FiringLog on a real SQLite file: a firing runs once, a cut-short one is claimed again."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from digest.state import open_state

DUE = datetime(2026, 11, 27, 7, 0, tzinfo=UTC)


def test_a_firing_is_claimed_once_and_again_only_when_cut_short(database: str) -> None:
    state = open_state(database)
    firing = state.firings.claim("daily", "2026-11-27T07:00", DUE, DUE)
    assert firing is not None and firing.status == "running" and firing.edition_id is None
    with state.db.transaction():
        state.firings.link("daily", "2026-11-27T07:00", "2026-11-27")
    state.firings.settle("daily", "2026-11-27T07:00", "interrupted", DUE, note="SIGTERM")
    again = state.firings.claim("daily", "2026-11-27T07:00", DUE, DUE + timedelta(minutes=5))
    assert again is not None and again.edition_id == "2026-11-27" and again.note == "SIGTERM"
    state.firings.settle("daily", "2026-11-27T07:00", "done", DUE + timedelta(minutes=6))
    assert state.firings.claim("daily", "2026-11-27T07:00", DUE, DUE + timedelta(hours=1)) is None
    assert state.firings.claim("weekly", "2026-11-27T07:00", DUE, DUE) is not None  # own kind


def test_waiting_firings_and_decisions(database: str) -> None:
    state = open_state(database)
    state.firings.claim("daily", "2026-11-27T07:00", DUE, DUE)
    deadline = DUE + timedelta(hours=2)
    state.firings.settle("daily", "2026-11-27T07:00", "waiting", DUE, deadline=deadline)
    (waiting,) = state.firings.waiting()
    assert waiting.deadline == deadline and waiting.finished_at is None
    assert state.firings.claim("daily", "2026-11-27T07:00", DUE, DUE) is None  # not re-run
    state.firings.settle("daily", "2026-11-27T07:00", "done", deadline, decision="skipped")
    assert state.firings.waiting() == []
    (decided,) = state.firings.decisions()
    assert decided.decision == "skipped" and decided.finished_at == deadline
    state.firings.note_start(DUE)
    assert state.firings.last_start() == DUE
