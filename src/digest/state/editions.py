"""Editions: what was built, when, and whether its sending has finished."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from digest.state.db import Database

EDITIONS_SCHEMA = """
CREATE TABLE editions (
    id TEXT PRIMARY KEY,
    created TEXT NOT NULL,
    subject TEXT NOT NULL,
    stories INTEGER NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('sending', 'done')),
    rendered TEXT NOT NULL,
    browser_html TEXT NOT NULL,
    finished TEXT
);
CREATE TABLE meta (
    key TEXT PRIMARY KEY,
    value TEXT NOT NULL
)
"""

# Which kind of edition it is: daily, or weekly (for the subscribers who chose weekly).
EDITION_KINDS_SCHEMA = """
ALTER TABLE editions ADD COLUMN kind TEXT NOT NULL DEFAULT 'daily'
"""


@dataclass(frozen=True)
class EditionRecord:
    """A stored edition; `rendered` is the RenderedEdition as a JSON-ready dict."""

    id: str
    created: datetime
    subject: str
    stories: int
    status: str
    rendered: dict[str, Any]
    browser_html: str
    finished: datetime | None
    kind: str = "daily"


class EditionStore:
    """Editions and small settings (the generated link secret)."""

    def __init__(self, db: Database) -> None:
        self.db = db

    def next_id(self, now: datetime, kind: str = "daily") -> str:
        """YYYY-MM-DD (weekly: YYYY-Www, the ISO week), with -N when that one is taken.

        `now` should be on the schedule's wall clock, so an edition is named after its own day.
        """
        year, week, _ = now.isocalendar()
        base = f"{year}-W{week:02d}" if kind == "weekly" else now.strftime("%Y-%m-%d")
        taken = {
            row[0]
            for row in self.db.conn.execute(
                "SELECT id FROM editions WHERE id = ? OR id LIKE ?", (base, f"{base}-%")
            )
        }
        if base not in taken:
            return base
        n = 2
        while f"{base}-{n}" in taken:
            n += 1
        return f"{base}-{n}"

    def add(
        self,
        edition_id: str,
        *,
        created: datetime,
        subject: str,
        stories: int,
        rendered: dict[str, Any],
        browser_html: str,
        kind: str = "daily",
    ) -> None:
        """Insert as 'sending' (inside the caller's transaction)."""
        self.db.conn.execute(
            "INSERT INTO editions (id, created, subject, stories, status, rendered, browser_html,"
            " kind) VALUES (?, ?, ?, ?, 'sending', ?, ?, ?)",
            (
                edition_id,
                created.isoformat(),
                subject,
                stories,
                json.dumps(rendered),
                browser_html,
                kind,
            ),
        )

    def finish(self, edition_id: str, now: datetime) -> None:
        with self.db.transaction() as conn:
            conn.execute(
                "UPDATE editions SET status = 'done', finished = ? WHERE id = ?",
                (now.isoformat(), edition_id),
            )

    def unfinished(self) -> EditionRecord | None:
        row = self.db.conn.execute(
            "SELECT * FROM editions WHERE status = 'sending' ORDER BY created LIMIT 1"
        ).fetchone()
        return _record(row) if row else None

    def sending(self) -> list[EditionRecord]:
        """Every edition whose sending has not finished, oldest first."""
        rows = self.db.conn.execute(
            "SELECT * FROM editions WHERE status = 'sending' ORDER BY created, id"
        ).fetchall()
        return [_record(row) for row in rows]

    def get(self, edition_id: str) -> EditionRecord | None:
        row = self.db.conn.execute("SELECT * FROM editions WHERE id = ?", (edition_id,)).fetchone()
        return _record(row) if row else None

    def recent(self, limit: int = 10) -> list[EditionRecord]:
        rows = self.db.conn.execute(
            "SELECT * FROM editions ORDER BY created DESC, id DESC LIMIT ?", (limit,)
        ).fetchall()
        return [_record(row) for row in rows]

    def made_since(self, kind: str, since: datetime) -> bool:
        """Whether an edition of `kind` was made at or after `since`."""
        row = self.db.conn.execute(
            "SELECT 1 FROM editions WHERE kind = ? AND created >= ? LIMIT 1",
            (kind, since.isoformat()),
        ).fetchone()
        return row is not None

    def setting(self, key: str, make: Any) -> str:
        """Read a stored setting, creating it with make() the first time."""
        row = self.db.conn.execute("SELECT value FROM meta WHERE key = ?", (key,)).fetchone()
        if row:
            return str(row[0])
        with self.db.transaction() as conn:
            conn.execute(
                "INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT DO NOTHING", (key, make())
            )
            return str(conn.execute("SELECT value FROM meta WHERE key = ?", (key,)).fetchone()[0])


def _record(row: Any) -> EditionRecord:
    return EditionRecord(
        id=row["id"],
        created=datetime.fromisoformat(row["created"]),
        subject=row["subject"],
        stories=row["stories"],
        status=row["status"],
        rendered=json.loads(row["rendered"]),
        browser_html=row["browser_html"],
        finished=datetime.fromisoformat(row["finished"]) if row["finished"] else None,
        kind=row["kind"],
    )
