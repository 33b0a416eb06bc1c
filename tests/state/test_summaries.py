"""SummaryStore on both backends: kept with who made it, replaced on purpose, an unsummarizable
article kept with its reason, and the calls the next edition has spent."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from digest.models import Article, Summary
from digest.state import State, StoredSummary, open_state

NOW = datetime(2026, 11, 27, 7, 0, tzinfo=UTC)
SUMMARY = Summary("Council approves budget", "World", ("Spending rises.", "Opponents object."))


def article(n: int) -> Article:
    return Article(url=f"https://example.com/{n}", title=f"T {n}", text="Body.", source="s")


def stored(n: int, summary: Summary | None = SUMMARY, calls: int = 1, **kw: str) -> StoredSummary:
    return StoredSummary(
        f"https://example.com/{n}",
        summary,
        kw.get("kind", "llm"),
        kw.get("model", "tiny"),
        kw.get("settings", "abc"),
        calls,
        kw.get("note", ""),
    )


@pytest.fixture
def state(database: str) -> State:
    opened = open_state(database)
    opened.articles.remember(tuple(article(n) for n in range(4)), NOW)
    return opened


def test_a_summary_is_kept_with_who_made_it(state: State) -> None:
    state.summaries.put([stored(0), stored(1, None, 0, kind="extractive", note="no text")], NOW)
    found = state.summaries.get(["https://example.com/0", "https://example.com/1", "nope"])
    assert set(found) == {"https://example.com/0", "https://example.com/1"}
    first = found["https://example.com/0"]
    assert first.summary == SUMMARY and (first.kind, first.model, first.settings) == (
        "llm",
        "tiny",
        "abc",
    )
    assert first.calls == 1 and first.made_at == NOW
    second = found["https://example.com/1"]
    assert second.summary is None and second.note == "no text" and second.kind == "extractive"


def test_put_replaces_the_summary_of_the_same_article(state: State) -> None:
    state.summaries.put([stored(0)], NOW)
    other = Summary("Budget passes", None, ("Unicode: café, 東京.",))
    state.summaries.put([stored(0, other, 2, model="big")], NOW + timedelta(hours=1))
    (again,) = state.summaries.get(["https://example.com/0"]).values()
    assert again.summary == other and again.model == "big" and again.calls == 2
    assert again.made_at == NOW + timedelta(hours=1)


def test_calls_spent_count_only_articles_in_no_edition_yet(state: State) -> None:
    state.summaries.put([stored(n, calls=n + 1) for n in range(4)], NOW)
    keys = [f"https://example.com/{n}" for n in range(4)]
    assert state.summaries.calls_waiting(keys) == 1 + 2 + 3 + 4
    assert state.summaries.calls_waiting(keys[:2]) == 1 + 2
    with state.db.transaction():
        state.articles.assign(keys[:1], "2026-11-27")
    assert state.summaries.calls_waiting(keys) == 2 + 3 + 4
    assert state.summaries.calls_waiting([]) == 0


def test_many_keys_are_read_in_batches(state: State) -> None:
    state.summaries.put([stored(n) for n in range(3)], NOW)
    keys = [f"https://example.com/{n}" for n in range(1200)]
    assert len(state.summaries.get(keys)) == 3
