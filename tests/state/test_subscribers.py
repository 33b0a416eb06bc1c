"""state.subscribers: the list's tables, added by a migration to databases made before them."""

from __future__ import annotations

import sqlite3
from datetime import UTC, datetime
from pathlib import Path

import pytest

from digest.state import MIGRATIONS, NewSubscriber, open_state

NOW = datetime(2026, 11, 27, 7, 0, tzinfo=UTC)


def new(email: str) -> NewSubscriber:
    return NewSubscriber(email, "", "active", ("World",), "daily", None, "test", True)


def test_an_old_database_gains_the_tables_and_keeps_its_rows(tmp_path: Path) -> None:
    path = tmp_path / "old.db"
    index = MIGRATIONS.index(next(m for m in MIGRATIONS if "CREATE TABLE subscribers" in m))
    conn = sqlite3.connect(path)
    for ddl in MIGRATIONS[:index]:
        conn.executescript(ddl)
    conn.execute(f"PRAGMA user_version={index}")
    conn.execute("INSERT INTO suppressions VALUES ('ada@example.com', 'unsubscribed', 'x')")
    conn.commit()
    conn.close()
    state = open_state(str(path))
    assert state.ledger.is_suppressed("ada@example.com")
    assert state.subscribers.counts()["active"] == 0


def test_addresses_match_in_any_case_and_are_unique(database: str) -> None:
    state = open_state(database)
    (first,) = state.subscribers.insert([new("Ada@Example.com")], NOW)
    record = state.subscribers.get("ADA@example.COM")
    assert record is not None and record.id == first and record.email == "Ada@Example.com"
    assert state.subscribers.by_uid(record.uid) == record
    import psycopg

    with pytest.raises((sqlite3.IntegrityError, psycopg.IntegrityError)):
        state.subscribers.insert([new("ada@example.com")], NOW)


def test_deleting_a_subscriber_deletes_their_history(database: str) -> None:
    state = open_state(database)
    (ada,) = state.subscribers.insert([new("ada@example.com")], NOW)
    state.events.add([(ada, NOW, "operator", "subscribed", "")])
    state.subscribers.add_confirmation("n1", ada, "", (), NOW)
    state.subscribers.delete(ada)
    assert state.events.history(ada) == []
    assert state.subscribers.confirmation("n1") is None
