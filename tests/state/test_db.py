"""Opening and migrating the state database, on both backends."""

from __future__ import annotations

import multiprocessing
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

from digest.state import MIGRATIONS
from digest.state.db import Database

ROUNDS = 40


def test_processes_opening_a_new_database_together_migrate_it_once(database: str) -> None:
    def open_and_count(_: int) -> int:
        db = Database.open(database, MIGRATIONS)
        try:
            return int(db.conn.execute("SELECT count(*) FROM deliveries").fetchone()[0])
        finally:
            db.close()

    with ThreadPoolExecutor(max_workers=4) as pool:
        assert list(pool.map(open_and_count, range(4))) == [0, 0, 0, 0]
    db = Database.open(database, MIGRATIONS)
    assert db._version() == len(MIGRATIONS)
    db.close()


def _open_new_databases(folder: str, barrier: Any, errors: Any) -> None:
    """One of two processes: each round both open the same new database at the same moment."""
    for round_ in range(ROUNDS):
        barrier.wait()
        try:
            Database.open(Path(folder) / str(round_) / "digest.db", MIGRATIONS).close()
        except Exception as exc:
            errors.put(f"round {round_}: {exc}")


def test_two_processes_opening_new_sqlite_databases_together_never_see_a_lock(
    tmp_path: Path,
) -> None:
    """The WAL switch of a new file waits for a concurrent opener (without the wait, 63 of
    100 rounds raised "database is locked" here)."""
    context = multiprocessing.get_context("spawn")
    barrier = context.Barrier(2)
    errors = context.Queue()
    openers = [
        context.Process(target=_open_new_databases, args=(str(tmp_path), barrier, errors))
        for _ in range(2)
    ]
    for opener in openers:
        opener.start()
    for opener in openers:
        opener.join(timeout=300)
        assert opener.exitcode == 0
    found = [errors.get() for _ in range(errors.qsize())]
    assert found == []
    for round_ in range(ROUNDS):
        db = Database.open(tmp_path / str(round_) / "digest.db", MIGRATIONS)
        assert db._version() == len(MIGRATIONS)
        assert db.conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
        db.close()


def test_rows_read_by_position_and_by_name_alike(database: str) -> None:
    db = Database.open(database, MIGRATIONS)
    db.conn.execute(
        "INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT DO NOTHING", ("k", "50% off")
    )
    row = db.conn.execute("SELECT key, value FROM meta WHERE value LIKE '%off'").fetchone()
    assert (row[0], row["value"]) == ("k", "50% off")
    db.close()


def test_text_with_nul_is_stored_and_looked_up_without_an_error(database: str) -> None:
    """A `%00` in a URL reaches lookups; feeds can carry NUL too. PostgreSQL text cannot."""
    db = Database.open(database, MIGRATIONS)
    assert db.conn.execute("SELECT 1 FROM meta WHERE key = ?", ("\x00",)).fetchone() is None
    db.conn.execute("INSERT INTO meta (key, value) VALUES (?, ?)", ("k", "a\x00b"))
    value = db.conn.execute("SELECT value FROM meta WHERE key = 'k'").fetchone()[0]
    assert value in ("a\x00b", "a\ufffdb")
    db.close()
