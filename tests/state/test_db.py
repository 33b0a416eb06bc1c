"""Opening and migrating the state database, on both backends."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

from digest.state import MIGRATIONS
from digest.state.db import Database


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
