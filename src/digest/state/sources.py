"""How each source fared the last time it was gathered, for `digest status`."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from digest.state.db import Database

SOURCES_SCHEMA = """
CREATE TABLE source_runs (
    name TEXT PRIMARY KEY,
    status TEXT NOT NULL,
    articles INTEGER NOT NULL,
    error TEXT,
    checked_at TEXT NOT NULL,
    last_ok_at TEXT
)
"""


@dataclass(frozen=True)
class SourceHealth:
    """The last gather of one source; last_ok_at tells how long it has been failing."""

    name: str
    status: str
    articles: int
    error: str | None
    checked_at: datetime
    last_ok_at: datetime | None


class SourceLog:
    def __init__(self, db: Database) -> None:
        self.db = db

    def record(self, runs: Iterable[tuple[str, str, int, str | None]], now: datetime) -> None:
        """(name, status, articles, error) per source; a success also moves last_ok_at."""
        stamp = now.isoformat()
        with self.db.transaction() as conn:
            conn.executemany(
                "INSERT INTO source_runs (name, status, articles, error, checked_at, last_ok_at)"
                " VALUES (?1, ?2, ?3, ?4, ?5, CASE WHEN ?2 = 'error' THEN NULL ELSE ?5 END)"
                " ON CONFLICT(name) DO UPDATE SET status = excluded.status,"
                " articles = excluded.articles, error = excluded.error,"
                " checked_at = excluded.checked_at,"
                " last_ok_at = coalesce(excluded.last_ok_at, source_runs.last_ok_at)",
                [(name, status, articles, error, stamp) for name, status, articles, error in runs],
            )

    def health(self) -> dict[str, SourceHealth]:
        rows = self.db.conn.execute("SELECT * FROM source_runs").fetchall()
        return {
            row["name"]: SourceHealth(
                name=row["name"],
                status=row["status"],
                articles=row["articles"],
                error=row["error"],
                checked_at=datetime.fromisoformat(row["checked_at"]),
                last_ok_at=datetime.fromisoformat(row["last_ok_at"]) if row["last_ok_at"] else None,
            )
            for row in rows
        }
