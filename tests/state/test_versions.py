"""VersionLog on SQLite and PostgreSQL: a counter per kind bumped with each change, the log of
changes since a version, and a change rolled back with its transaction leaves no trace."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from digest.state import open_state

NOW = datetime(2026, 11, 27, 7, 0, tzinfo=UTC)


def test_each_change_bumps_its_kinds_version_and_is_logged(database: str) -> None:
    state = open_state(database)
    assert state.versions.current() == 0
    with state.db.transaction():
        assert state.versions.begin() == 0
        assert state.versions.record("up", "place:k1", "Ada", "Moved up.", NOW) == 1
    with state.db.transaction():
        assert state.versions.begin() == 1
        state.versions.record("save", "words:k2", "Grace", "Saved.", NOW)
    with state.db.transaction():
        assert state.versions.begin("weekly") == 0
        state.versions.record("approve", "decision", "Ada", "Approved.", NOW, "weekly")
    assert (state.versions.current(), state.versions.current("weekly")) == (2, 1)
    since = state.versions.since(1)
    assert [(c.version, c.op, c.target, c.editor, c.at) for c in since] == [
        (2, "save", "words:k2", "Grace", NOW)
    ]
    assert len(state.versions.since(0)) == 2
    with pytest.raises(RuntimeError), state.db.transaction():
        state.versions.begin()
        state.versions.record("drop", "place:k3", "Ada", "Dropped.", NOW)
        raise RuntimeError("the change failed")
    assert state.versions.current() == 2 and len(state.versions.since(0)) == 2
    state.close()


def test_decisions_name_the_version_they_were_made_on(database: str) -> None:
    state = open_state(database)
    state.editorial.approve("abc", NOW, editor="Ada", version=4)
    state.editorial.hold("abc", NOW, editor="Grace")
    assert [(d.decision, d.version) for d in state.editorial.decisions()] == [
        ("held", None),
        ("approved", 4),
    ]
    state.close()
