"""`digest run --dry-run` writes nothing: it runs on a throwaway copy of the state database.

Gathering stores articles and source health, reading the subscriber files stores subscribers,
and the link secret is made on first use: a dry run would otherwise create or change the
operator's database. It works on a copy in a temporary folder instead, removed at the end.
"""

from __future__ import annotations

import dataclasses
import sqlite3
import tempfile
from collections.abc import Iterator
from contextlib import closing, contextmanager
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from digest.config import Config


@contextmanager
def scratch_copy(cfg: Config) -> Iterator[tuple[Config, str | None]]:
    """`cfg` on a copy of its SQLite state (empty when there is none yet), and a note to show
    when the copy cannot stand for the real state (PostgreSQL)."""
    from digest.state import is_postgres_url

    with tempfile.TemporaryDirectory(prefix="digest-dry-run-") as folder:
        copy = Path(folder) / "digest.db"
        note = None
        real = cfg.state_database
        if is_postgres_url(real):
            note = "dry run on an empty scratch database: PostgreSQL's state is not read"
        elif Path(real).is_file():
            with (
                closing(_read_only(Path(real))) as source,
                closing(sqlite3.connect(copy)) as target,
            ):
                source.backup(target)  # SQLite's online backup: consistent while others write
        yield dataclasses.replace(cfg, state_database=str(copy)), note


def _read_only(database: Path) -> sqlite3.Connection:
    """A connection that leaves no trace: with no write-ahead log beside the file (no digest
    has it open), the file is the whole database and is read as immutable; opening it in WAL
    mode would create the -wal and -shm files. Otherwise read-only, beside the open log."""
    mode = "mode=ro" if Path(f"{database}-wal").exists() else "immutable=1"
    return sqlite3.connect(f"file:{database.resolve()}?{mode}", uri=True)
