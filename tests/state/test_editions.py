"""EditionStore and PreferenceStore on a real SQLite file."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from digest.state import State, open_state

NOW = datetime(2026, 11, 27, 7, 0, tzinfo=UTC)


@pytest.fixture
def state(database: str) -> State:
    return open_state(database)


def add(state: State, edition_id: str, created: datetime = NOW) -> None:
    with state.db.transaction():
        state.editions.add(
            edition_id,
            created=created,
            subject=f"Subject {edition_id}",
            stories=3,
            rendered={"edition_id": edition_id, "html": "<p>x</p>"},
            browser_html="<html></html>",
        )


def test_ids_are_per_day_and_unique(state: State) -> None:
    assert state.editions.next_id(NOW) == "2026-11-27"
    add(state, "2026-11-27")
    assert state.editions.next_id(NOW) == "2026-11-27-2"
    add(state, "2026-11-27-2")
    assert state.editions.next_id(NOW) == "2026-11-27-3"


def test_unfinished_until_finished(state: State) -> None:
    assert state.editions.unfinished() is None
    add(state, "2026-11-27")
    record = state.editions.unfinished()
    assert record is not None and record.rendered == {
        "edition_id": "2026-11-27",
        "html": "<p>x</p>",
    }
    state.editions.finish("2026-11-27", NOW + timedelta(minutes=5))
    assert state.editions.unfinished() is None
    done = state.editions.get("2026-11-27")
    assert done is not None and done.status == "done" and done.finished is not None


def test_recent_newest_first(state: State) -> None:
    add(state, "2026-11-26", NOW - timedelta(days=1))
    add(state, "2026-11-27")
    assert [r.id for r in state.editions.recent()] == ["2026-11-27", "2026-11-26"]


def test_link_secret_is_generated_once_unless_given(state: State, database: str) -> None:
    first = state.link_secret(None)
    assert len(first) == 64
    state.close()
    again = open_state(database)
    assert again.link_secret(None) == first
    assert again.link_secret("from-env") == "from-env"


def test_preferences_override_and_update(state: State) -> None:
    assert state.preferences.sections("ada@example.com") is None
    state.preferences.choose("ada@example.com", ("World",), NOW)
    state.preferences.choose("Ada@Example.com", ("World", "Science"), NOW)
    assert state.preferences.sections("ada@example.com") == ("World", "Science")
    assert state.preferences.all() == {"ada@example.com": ("World", "Science")}
