"""EditorialStore on a real SQLite file."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from digest.state import open_state

NOW = datetime(2026, 11, 27, 7, 0, tzinfo=UTC)


def test_choices_intro_and_consume(tmp_path: Path) -> None:
    state = open_state(str(tmp_path / "d.db"))
    state.editorial.choose("https://a/1", "pin", NOW)
    state.editorial.choose("https://a/2", "pin", NOW)
    state.editorial.choose("https://a/2", "drop", NOW)
    state.editorial.choose("https://a/3", "drop", NOW)
    state.editorial.choose("https://a/3", None, NOW)
    assert state.editorial.actions() == {"https://a/1": "pin", "https://a/2": "drop"}
    state.editorial.set_intro("  Hello  ", NOW)
    assert state.editorial.intro() == "Hello"
    state.editorial.set_intro("", NOW)
    assert state.editorial.intro() is None
    state.editorial.set_intro("Again", NOW)
    state.editorial.consume(["https://a/1"])
    assert state.editorial.actions() == {"https://a/2": "drop"}
    assert state.editorial.intro() is None


def test_approvals_until_an_edition_is_stored(tmp_path: Path) -> None:
    state = open_state(str(tmp_path / "d.db"))
    assert not state.editorial.is_approved("abc")
    state.editorial.approve("abc", NOW)
    state.editorial.approve("abc", NOW)
    assert state.editorial.is_approved("abc") and not state.editorial.is_approved("abd")
    state.editorial.consume([])
    assert not state.editorial.is_approved("abc")
