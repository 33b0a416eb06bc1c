"""ResultLog on a real SQLite file: each edition's counts, as `digest status` and the desk show
them, and which editions the archive lists."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from digest.state import State, open_state

NOW = datetime(2026, 11, 27, 7, 0, tzinfo=UTC)


def edition(state: State, edition_id: str, at: datetime, emails: list[str]) -> None:
    with state.db.transaction():
        state.editions.add(
            edition_id, created=at, subject=f"S {edition_id}", stories=1, rendered={},
            browser_html="<p>x</p>",
        )  # fmt: skip
        state.ledger.enqueue(edition_id, emails)


def test_counts_of_an_edition(database: str) -> None:
    state = open_state(database)
    people = ["a@x.org", "b@x.org", "c@x.org", "d@x.org"]
    edition(state, "e1", NOW, people)
    state.ledger.mark_sent("e1", "a@x.org", "id-a")
    state.ledger.mark_sent("e1", "b@x.org", "id-b")
    state.ledger.mark_failed(
        "e1", "c@x.org", "550 no such user", permanent=True, kind="hard bounce"
    )
    state.clicks.record("e1", "https://a/1", NOW)
    state.ledger.suppress("b@x.org", "unsubscribed")  # after e1 (the real clock is later)
    result = state.results.result("e1")
    assert result is not None
    assert (result.sent, result.failed, result.pending, result.bounced) == (2, 1, 1, 1)
    assert result.failed_by_reason == (("hard bounce", 1),)
    assert (result.unsubscribed, result.clicks, result.was_sent) == (1, 1, True)
    assert state.results.result("nope") is None


def test_an_unsubscribe_counts_for_the_last_edition_before_it(database: str) -> None:
    state = open_state(database)
    edition(state, "old", NOW - timedelta(days=30), ["a@x.org"])
    state.ledger.mark_sent("old", "a@x.org", None)
    edition(state, "new", datetime.now(UTC) + timedelta(days=1), ["a@x.org"])
    state.ledger.mark_sent("new", "a@x.org", None)
    state.ledger.suppress("a@x.org", "unsubscribed")  # now: after "old", before "new"
    old, new = state.results.result("old"), state.results.result("new")
    assert old is not None and new is not None
    assert (old.unsubscribed, new.unsubscribed) == (1, 0)
    assert [r.record.id for r in state.results.recent(5)] == ["new", "old"]
    assert state.results.preceding(new.record) == old.record.created
    assert state.results.last_made("daily") == new.record.created
    assert state.results.last_made("weekly") is None


def test_the_archive_lists_only_editions_someone_got(database: str) -> None:
    state = open_state(database)
    edition(state, "sent", NOW, ["a@x.org"])
    edition(state, "waiting", NOW + timedelta(hours=1), ["a@x.org"])
    state.ledger.mark_sent("sent", "a@x.org", None)
    assert [e.id for e in state.results.sent_editions()] == ["sent"]
    assert state.results.was_sent("sent") and not state.results.was_sent("waiting")
