"""The editor's splits and merges: kept until an edition with those articles is stored."""

from __future__ import annotations

from datetime import UTC, datetime

from digest.state import open_state

NOW = datetime(2026, 11, 27, 7, 0, tzinfo=UTC)


def test_splits_and_merges_last_until_their_edition_is_stored(database: str) -> None:
    state = open_state(database)
    assert state.groups.apart() == frozenset() and state.groups.together() == ()
    state.groups.separate("https://a/1", NOW)
    state.groups.merge("https://b/1", "https://c/1", NOW)
    state.groups.merge("https://b/1", "https://d/1", NOW)  # merged elsewhere: replaces
    state.groups.merge("https://e/1", "https://a/1", NOW)  # into a split-off article's story
    assert state.groups.apart() == {"https://a/1"}
    assert state.groups.together() == (
        ("https://b/1", "https://d/1"),
        ("https://e/1", "https://a/1"),
    )
    state.groups.separate("https://e/1", NOW)  # separating undoes its merge
    assert state.groups.apart() == {"https://a/1", "https://e/1"}
    assert state.groups.together() == (("https://b/1", "https://d/1"),)
    state.editorial.consume(["https://d/1", "https://a/1"], "weekly")  # not the desk's edition
    assert state.groups.together() == (("https://b/1", "https://d/1"),)
    state.editorial.consume(["https://d/1", "https://a/1"])
    assert state.groups.apart() == {"https://e/1"} and state.groups.together() == ()
    state.groups.reset()
    assert state.groups.apart() == frozenset()
    state.close()
