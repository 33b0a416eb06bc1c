"""Sections a subscriber chose through the preferences page (overrides the CSV's column)."""

from __future__ import annotations

import json
from datetime import datetime

from digest.state.db import Database

PREFERENCES_SCHEMA = """
CREATE TABLE preferences (
    email TEXT PRIMARY KEY COLLATE NOCASE,
    sections TEXT NOT NULL,
    updated_at TEXT NOT NULL
)
"""


class PreferenceStore:
    def __init__(self, db: Database) -> None:
        self.db = db

    def sections(self, email: str) -> tuple[str, ...] | None:
        """The stored choice, or None when the subscriber never chose."""
        row = self.db.conn.execute(
            "SELECT sections FROM preferences WHERE email = ?", (email.lower(),)
        ).fetchone()
        return tuple(json.loads(row[0])) if row else None

    def all(self) -> dict[str, tuple[str, ...]]:
        rows = self.db.conn.execute("SELECT email, sections FROM preferences").fetchall()
        return {row[0].lower(): tuple(json.loads(row[1])) for row in rows}

    def choose(self, email: str, sections: tuple[str, ...], now: datetime) -> None:
        with self.db.transaction() as conn:
            conn.execute(
                "INSERT INTO preferences (email, sections, updated_at) VALUES (?, ?, ?)"
                " ON CONFLICT(email) DO UPDATE SET sections = excluded.sections,"
                " updated_at = excluded.updated_at",
                (email.lower(), json.dumps(list(sections)), now.isoformat()),
            )

    def forget(self, email: str) -> None:
        self.db.conn.execute("DELETE FROM preferences WHERE email = ?", (email.lower(),))

    def among(self, emails: list[str]) -> dict[str, tuple[str, ...]]:
        """Stored choices of some addresses (lower-cased keys), one query per 500."""
        sql = "SELECT email, sections FROM preferences WHERE email IN ({marks})"
        keys = [email.lower() for email in emails]
        return {row[0].lower(): tuple(json.loads(row[1])) for row in self.db.rows_among(sql, keys)}
