"""Clicks on the stories of sent editions, counted per (edition, link) by `digest serve`'s
signed /r/<token> redirect when the operator turns click tracking on. No per-person data."""

from __future__ import annotations

from datetime import datetime

from digest.state.db import Database

CLICKS_SCHEMA = """
CREATE TABLE clicks (
    edition_id TEXT NOT NULL,
    url TEXT NOT NULL,
    clicks INTEGER NOT NULL,
    first_at TEXT NOT NULL,
    last_at TEXT NOT NULL,
    PRIMARY KEY (edition_id, url)
)
"""


class ClickLog:
    def __init__(self, db: Database) -> None:
        self.db = db

    def record(self, edition_id: str, url: str, now: datetime) -> None:
        """One more click on `url` in `edition_id`."""
        stamp = now.isoformat()
        with self.db.transaction() as conn:
            conn.execute(
                "INSERT INTO clicks (edition_id, url, clicks, first_at, last_at)"
                " VALUES (?, ?, 1, ?, ?) ON CONFLICT (edition_id, url)"
                " DO UPDATE SET clicks = clicks.clicks + 1, last_at = excluded.last_at",
                (edition_id, url, stamp, stamp),
            )

    def of(self, edition_id: str) -> dict[str, int]:
        """Clicks per link of one edition, most clicked first."""
        return {
            str(row[0]): int(row[1])
            for row in self.db.conn.execute(
                "SELECT url, clicks FROM clicks WHERE edition_id = ? ORDER BY clicks DESC, url",
                (edition_id,),
            )
        }

    def total(self, edition_id: str) -> int:
        row = self.db.conn.execute(
            "SELECT coalesce(sum(clicks), 0) FROM clicks WHERE edition_id = ?", (edition_id,)
        ).fetchone()
        return int(row[0])
