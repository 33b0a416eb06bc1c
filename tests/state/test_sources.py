"""SourceLog: the last gather of each source, and since when it has been failing."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from digest.state import open_state

NOW = datetime(2026, 11, 27, 7, 0, tzinfo=UTC)


def test_last_run_and_last_success(database: str) -> None:
    state = open_state(database)
    state.sources.record([("a", "ok", 3, None), ("b", "error", 0, "HTTP 500")], NOW)
    later = NOW + timedelta(hours=1)
    state.sources.record([("a", "error", 0, "timed out"), ("b", "not-modified", 0, None)], later)
    health = state.sources.health()
    assert health["a"].status == "error" and health["a"].error == "timed out"
    assert health["a"].last_ok_at == NOW and health["a"].checked_at == later
    assert health["b"].status == "not-modified" and health["b"].last_ok_at == later
