"""ClickLog on a real SQLite file: one count per (edition, link)."""

from __future__ import annotations

from datetime import UTC, datetime

from digest.state import open_state

NOW = datetime(2026, 11, 27, 7, 0, tzinfo=UTC)


def test_clicks_count_per_edition_and_link(database: str) -> None:
    state = open_state(database)
    for url in ("https://a/1", "https://a/2", "https://a/2"):
        state.clicks.record("2026-11-27", url, NOW)
    state.clicks.record("2026-11-28", "https://a/1", NOW)
    assert state.clicks.of("2026-11-27") == {"https://a/2": 2, "https://a/1": 1}
    assert list(state.clicks.of("2026-11-27")) == ["https://a/2", "https://a/1"]
    assert state.clicks.total("2026-11-27") == 3 and state.clicks.total("nope") == 0
