"""The state database: SQLite (WAL) or PostgreSQL, explicit transactions, schema migrations.

Each table group (articles, editions, ledger) owns its module and its DDL; `Database.open`
applies every registered migration in order, recording progress (`PRAGMA user_version` on
SQLite, the `schema_version` table on PostgreSQL), so an old database is upgraded in place and
a newer one is refused instead of misread. Stores write one SQL text for both backends, in
the dialect the two share (`?` placeholders, `ON CONFLICT`, `RETURNING`); `postgres` turns it
into PostgreSQL's. `dialect` says which backend is open, for the few statements (the shared
send queue) that differ on purpose.
"""

from __future__ import annotations

import random
import sqlite3
import time
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Protocol

from digest.errors import StateError, StateUnavailableError


class Cursor(Protocol):
    """What stores use of a cursor, on either backend."""

    @property
    def rowcount(self) -> int: ...

    def fetchone(self) -> Any: ...

    def fetchall(self) -> list[Any]: ...

    def __iter__(self) -> Iterator[Any]: ...


class Connection(Protocol):
    """What stores use of a connection: sqlite3's, or `postgres.PgConnection`."""

    @property
    def in_transaction(self) -> bool: ...

    def execute(self, sql: str, parameters: Any = (), /) -> Any: ...

    def executemany(self, sql: str, parameters: Any, /) -> Any: ...

    def close(self) -> None: ...


IN_BATCH = 500  # values per `IN (...)` in `Database.rows_among`
BUSY_SECONDS = 30.0  # how long an opener waits for another process's lock before giving up


def is_postgres_url(database: str) -> bool:
    return database.startswith(("postgresql://", "postgres://"))


class Database:
    """One connection, with autocommit off only inside `transaction()`."""

    def __init__(self, conn: Connection, path: str, dialect: str = "sqlite") -> None:
        self.conn = conn
        self.path = path
        self.dialect = dialect

    @property
    def shared(self) -> bool:
        """True when several processes on several hosts may send from this database at once."""
        return self.dialect == "postgres"

    @classmethod
    def open(
        cls,
        path: str | Path,
        migrations: Sequence[str] = (),
        environ: Mapping[str, str] | None = None,
        busy_seconds: float | None = None,
    ) -> Database:
        """Open (creating folders as needed) and migrate; raise StateError naming the file.

        `busy_seconds`: how long a SQLite statement waits for another process's write lock
        before failing (a web page waits less than a batch job); BUSY_SECONDS by default."""
        target = str(path)
        if is_postgres_url(target):
            from digest.state.postgres import connect

            db = cls(connect(target, environ), target, "postgres")
            db.migrate(migrations)
            return db
        try:
            if target != ":memory:":
                Path(target).parent.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise StateError(
                f"{target}: cannot make the state database's folder: {exc.strerror or exc}",
                hint="check the [state] database path: a file may stand where a folder should",
            ) from None
        try:
            wait = BUSY_SECONDS if busy_seconds is None else busy_seconds
            conn = sqlite3.connect(target, timeout=wait, isolation_level=None)
            conn.row_factory = sqlite3.Row
            _switch_to_wal(conn)
            conn.execute("PRAGMA synchronous=NORMAL")
            conn.execute("PRAGMA foreign_keys=ON")
            db = cls(conn, target)
            db.migrate(migrations)
        except sqlite3.OperationalError as exc:
            if not _busy(exc):
                raise StateError(
                    f"{target}: cannot open the state database: {exc}",
                    hint="check the [state] database path, its permissions, and that it is SQLite",
                ) from exc
            raise StateUnavailableError(
                f"{target}: the state database is locked by another process: {exc}",
                hint="another digest holds a long write; this one tries again",
            ) from exc
        except sqlite3.DatabaseError as exc:
            raise StateError(
                f"{target}: cannot open the state database: {exc}",
                hint="check the [state] database path, its permissions, and that it is SQLite",
            ) from exc
        return db

    @property
    def label(self) -> str:
        """The database as errors name it: a path, or a URL without its password."""
        return self.path.split("@")[-1] if self.shared else self.path

    def migrate(self, migrations: Sequence[str]) -> None:
        """Apply migrations[version:] each in its own transaction.

        Processes starting together apply each migration once: on SQLite each migration
        checks the version again under its write lock; on PostgreSQL all of it is one
        transaction holding an advisory lock, which the others wait for.
        """
        if self.dialect == "sqlite":
            self._migrate(migrations)
            return
        found = self.conn.execute("SELECT to_regclass('schema_version') IS NOT NULL").fetchone()
        if found[0] and self._version() == len(migrations):
            return  # up to date: no lock, so opening per web request or worker costs one query
        with self.transaction():
            # Before the CREATE: concurrent CREATE TABLE IF NOT EXISTS can still collide.
            self.conn.execute("SELECT pg_advisory_xact_lock(hashtext('digest.migrate'))")
            self.conn.execute("CREATE TABLE IF NOT EXISTS schema_version (version BIGINT NOT NULL)")
            self._migrate(migrations)

    def _migrate(self, migrations: Sequence[str]) -> None:
        current = self._version()
        if current > len(migrations):
            raise StateError(
                f"{self.label}: schema version {current} is newer than this digest "
                f"understands ({len(migrations)})",
                hint="upgrade digest, or point [state] database at another database",
            )
        for version, ddl in enumerate(migrations[current:], start=current + 1):
            with self.transaction():
                if self._version() >= version:
                    continue  # another process applied it while this one waited for the lock
                for statement in _statements(ddl):
                    self.conn.execute(statement)
                self._set_version(version)

    def _version(self) -> int:
        if self.dialect == "sqlite":
            return int(self.conn.execute("PRAGMA user_version").fetchone()[0])
        row = self.conn.execute("SELECT max(version) FROM schema_version").fetchone()
        return int(row[0] or 0)

    def _set_version(self, version: int) -> None:
        if self.dialect == "sqlite":
            self.conn.execute(f"PRAGMA user_version={version}")
        else:
            self.conn.execute("DELETE FROM schema_version")
            self.conn.execute("INSERT INTO schema_version (version) VALUES (?)", (version,))

    def rows_among(self, sql: str, values: Sequence[Any]) -> Iterator[Any]:
        """The rows of `sql` for `values`, 500 at a time: its `{marks}` becomes that many
        placeholders (one statement per batch keeps the text short on either backend)."""
        for start in range(0, len(values), IN_BATCH):
            part = list(values[start : start + IN_BATCH])
            yield from self.conn.execute(sql.format(marks=",".join("?" * len(part))), part)

    @contextmanager
    def transaction(self) -> Iterator[Connection]:
        """BEGIN (IMMEDIATE on SQLite) ... COMMIT, rolled back on any exception.

        Nested use joins the outer transaction, so stores can be combined into one atomic
        step (an edition, its articles and its ledger rows) without knowing about each other.
        """
        if self.conn.in_transaction:
            yield self.conn
            return
        self.conn.execute("BEGIN IMMEDIATE" if self.dialect == "sqlite" else "BEGIN")
        try:
            yield self.conn
        except BaseException:
            self.conn.execute("ROLLBACK")
            raise
        self.conn.execute("COMMIT")

    def close(self) -> None:
        self.conn.close()


def _switch_to_wal(conn: sqlite3.Connection) -> None:
    """`PRAGMA journal_mode=WAL`, waiting out another process switching the same new file.

    SQLite answers SQLITE_BUSY to a journal-mode change at once, without calling the busy
    handler, while another connection holds the file's lock (two processes opening a new
    database together: 63 of 100 tries failed here), so the wait is ours: short sleeps with
    jitter until the switch is done (by us or by the other opener) or BUSY_SECONDS pass.
    """
    deadline = time.monotonic() + BUSY_SECONDS
    pause = 0.005
    while True:
        try:
            conn.execute("PRAGMA journal_mode=WAL")
            return
        except sqlite3.OperationalError as exc:
            if not _busy(exc):
                raise
            if time.monotonic() + pause > deadline:
                raise
        time.sleep(pause * random.uniform(0.5, 1.5))
        pause = min(pause * 2, 0.25)


def _busy(exc: sqlite3.OperationalError) -> bool:
    """SQLITE_BUSY or SQLITE_LOCKED: another connection holds the lock."""
    return "locked" in str(exc) or "busy" in str(exc)


def _statements(ddl: str) -> list[str]:
    return [part.strip() for part in ddl.split(";") if part.strip()]
