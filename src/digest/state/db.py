"""The SQLite connection: WAL, a busy timeout, explicit transactions, schema migrations.

Each table group (articles, editions, ledger) owns its module and its DDL; `Database.open`
applies every registered migration in order, recording progress in `PRAGMA user_version`, so
an old database is upgraded in place and a newer one is refused instead of misread.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path

from digest.errors import StateError


class Database:
    """A SQLite database in WAL mode with autocommit off only inside `transaction()`."""

    def __init__(self, conn: sqlite3.Connection, path: str) -> None:
        self.conn = conn
        self.path = path

    @classmethod
    def open(cls, path: str | Path, migrations: Sequence[str] = ()) -> Database:
        """Open (creating folders as needed) and migrate; raise StateError naming the file."""
        target = str(path)
        try:
            if target != ":memory:":
                Path(target).parent.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise StateError(
                f"{target}: cannot make the state database's folder: {exc.strerror or exc}",
                hint="check the [state] database path: a file may stand where a folder should",
            ) from None
        try:
            conn = sqlite3.connect(target, timeout=30.0, isolation_level=None)
            conn.row_factory = sqlite3.Row
            conn.execute("PRAGMA journal_mode=WAL")
            conn.execute("PRAGMA synchronous=NORMAL")
            conn.execute("PRAGMA foreign_keys=ON")
            db = cls(conn, target)
            db.migrate(migrations)
        except sqlite3.DatabaseError as exc:
            raise StateError(
                f"{target}: cannot open the state database: {exc}",
                hint="check the [state] database path, its permissions, and that it is SQLite",
            ) from exc
        return db

    def migrate(self, migrations: Sequence[str]) -> None:
        """Apply migrations[user_version:] each in its own transaction."""
        current = int(self.conn.execute("PRAGMA user_version").fetchone()[0])
        if current > len(migrations):
            raise StateError(
                f"{self.path}: schema version {current} is newer than this digest "
                f"understands ({len(migrations)})",
                hint="upgrade digest, or point [state] database at another file",
            )
        for version, ddl in enumerate(migrations[current:], start=current + 1):
            with self.transaction():
                for statement in _statements(ddl):
                    self.conn.execute(statement)
                self.conn.execute(f"PRAGMA user_version={version}")

    @contextmanager
    def transaction(self) -> Iterator[sqlite3.Connection]:
        """BEGIN IMMEDIATE ... COMMIT, rolled back on any exception.

        Nested use joins the outer transaction, so stores can be combined into one atomic
        step (an edition, its articles and its ledger rows) without knowing about each other.
        """
        if self.conn.in_transaction:
            yield self.conn
            return
        self.conn.execute("BEGIN IMMEDIATE")
        try:
            yield self.conn
        except BaseException:
            self.conn.execute("ROLLBACK")
            raise
        self.conn.execute("COMMIT")

    def close(self) -> None:
        self.conn.close()


def _statements(ddl: str) -> list[str]:
    return [part.strip() for part in ddl.split(";") if part.strip()]
