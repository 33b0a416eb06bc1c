"""EditorialStore on a real SQLite file."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from digest.models import Summary
from digest.state import Decision, StoryEdit, open_state

NOW = datetime(2026, 11, 27, 7, 0, tzinfo=UTC)


def test_choices_intro_and_consume(database: str) -> None:
    state = open_state(database)
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


def test_approvals_until_an_edition_is_stored(database: str) -> None:
    state = open_state(database)
    assert not state.editorial.is_approved("abc")
    state.editorial.approve("abc", NOW)
    state.editorial.approve("abc", NOW)
    assert state.editorial.is_approved("abc") and not state.editorial.is_approved("abd")
    state.editorial.consume([])
    assert not state.editorial.is_approved("abc")


def test_rewrites_places_and_subject_last_until_an_edition_is_stored(database: str) -> None:
    state = open_state(database)
    state.editorial.edit_story("https://a/1", headline="New", key_points=None, now=NOW)
    state.editorial.edit_story("https://a/2", headline=None, key_points=["One", "Twö"], now=NOW)
    state.editorial.edit_story("https://a/3", headline="X", key_points=["Y"], now=NOW)
    state.editorial.edit_story("https://a/3", headline=None, key_points=None, now=NOW)
    edits = state.editorial.story_edits()
    assert edits == {
        "https://a/1": StoryEdit("New", None),
        "https://a/2": StoryEdit(None, ("One", "Twö")),
    }
    summary = Summary(headline="Old", section="World", key_points=("A", "B"))
    assert edits["https://a/1"].applied(summary) == Summary("New", "World", ("A", "B"))
    assert edits["https://a/2"].applied(summary) == Summary("Old", "World", ("One", "Twö"))
    state.editorial.set_order(["https://a/2", "https://a/1", "https://a/2"], NOW)
    assert state.editorial.order() == {"https://a/2": 0, "https://a/1": 1}
    state.editorial.choose("https://a/1", "pin", NOW)  # a pin goes on top: its place is given up
    assert state.editorial.order() == {"https://a/2": 0}
    state.editorial.set_subject("  Three things  ", NOW)
    assert state.editorial.subject() == "Three things"
    state.editorial.consume(["https://a/1"], "weekly")  # the weekly edition leaves them be
    assert state.editorial.subject() == "Three things" and state.editorial.order()
    state.editorial.consume(["https://a/1"])
    assert state.editorial.story_edits() == {"https://a/2": StoryEdit(None, ("One", "Twö"))}
    assert state.editorial.order() == {} and state.editorial.subject() is None


def test_approvals_and_holds_are_recorded_with_who_and_when(database: str) -> None:
    state = open_state(database)
    later = NOW + timedelta(minutes=5)
    state.editorial.approve("abc", NOW, editor="Ada")
    state.editorial.approve("xyz", NOW, "weekly", editor="Grace")
    state.editorial.hold("abc", later, editor="Linus")
    assert not state.editorial.is_approved("abc") and state.editorial.is_approved("xyz")
    assert state.editorial.decisions() == [
        Decision("daily", "held", "abc", "Linus", later),
        Decision("daily", "approved", "abc", "Ada", NOW),
    ]
    assert [d.editor for d in state.editorial.decisions(after=NOW)] == ["Linus"]
    assert [d.editor for d in state.editorial.decisions(until=NOW)] == ["Ada"]
    assert [d.editor for d in state.editorial.decisions("weekly")] == ["Grace"]
    state.editorial.consume([])
    assert len(state.editorial.decisions()) == 2  # history stays
