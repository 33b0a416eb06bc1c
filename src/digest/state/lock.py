"""Exclusive process locks: one scheduler (and, on SQLite, one sender) per state database.

On SQLite an flock on a file beside the database; on PostgreSQL a session advisory lock in
the database itself, so processes on different hosts exclude each other too.
"""

from __future__ import annotations

import fcntl
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from digest.errors import StateError, StateUnavailableError
from digest.state.db import is_postgres_url


def lock_path(database: str, name: str) -> Path:
    """`var/digest.db` -> `var/digest.<name>.lock`; PostgreSQL URLs lock in the working folder."""
    if "://" in database or database == ":memory:":
        return Path(f"digest.{name}.lock")
    return Path(database).with_suffix(f".{name}.lock")


@contextmanager
def exclusive(database: str, name: str, what: str) -> Iterator[None]:
    """Hold the lock for the block; raise StateError at once if another process holds it.

    The kernel (or the server, when its connection drops) releases the lock when the process
    dies, so a kill -9 never leaves it stale.
    """
    if is_postgres_url(database):
        with _advisory(database, name, what):
            yield
        return
    path = lock_path(database, name)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        handle = path.open("w")
    except OSError as exc:
        raise StateError(f"{path}: cannot create the lock file: {exc.strerror or exc}") from None
    with handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise StateUnavailableError(
                f"{path}: {what} is already running on this state database",
                hint="wait for it to finish; run one at a time per state database",
            ) from None
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


@contextmanager
def _advisory(database: str, name: str, what: str) -> Iterator[None]:
    from digest.state.postgres import connect

    conn = connect(database)
    try:
        row = conn.execute("SELECT pg_try_advisory_lock(hashtext(?))", (f"digest.{name}",))
        if not row.fetchone()[0]:
            raise StateUnavailableError(
                f"{database.split('@')[-1]}: {what} is already running on this state database",
                hint="wait for it to finish; run one at a time per state database",
            )
        yield
    finally:
        conn.close()
