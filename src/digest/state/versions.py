"""Each edition's version: a counter per kind of edition, bumped in the same transaction as
every editorial change, and the log of those changes (who changed what, at which version).

Approvals and holds record the version they were made on (`editorial_decisions.version`).
A desk form carries the version it was made on. `VersionLog.begin` takes the edition's row
for the rest of the transaction (SQLite's BEGIN IMMEDIATE already serialises writers;
PostgreSQL needs `FOR UPDATE`), so two changes never both pass a check made before the other
was written. Whether a change made on an older version may still apply is the caller's rule
(`digest.web.desk_changes`); this module only keeps the counter and the log.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from digest.state.db import Database

EDITION_VERSIONS_SCHEMA = """
CREATE TABLE edition_versions (
    kind TEXT PRIMARY KEY,
    version INTEGER NOT NULL
);
CREATE TABLE edition_changes (
    id INTEGER PRIMARY KEY,
    kind TEXT NOT NULL,
    version INTEGER NOT NULL,
    op TEXT NOT NULL,
    target TEXT NOT NULL,
    editor TEXT NOT NULL,
    summary TEXT NOT NULL,
    at TEXT NOT NULL
);
CREATE INDEX edition_changes_by_version ON edition_changes (kind, version);
ALTER TABLE editorial_decisions ADD COLUMN version INTEGER
"""


@dataclass(frozen=True)
class Change:
    """One editorial change: the version it made, what it did to which target, by whom."""

    kind: str
    version: int
    op: str
    target: str
    editor: str
    summary: str
    at: datetime


class VersionLog:
    def __init__(self, db: Database) -> None:
        self.db = db

    def current(self, kind: str = "daily") -> int:
        row = self.db.conn.execute(
            "SELECT version FROM edition_versions WHERE kind = ?", (kind,)
        ).fetchone()
        return int(row[0]) if row else 0

    def begin(self, kind: str = "daily") -> int:
        """Inside a transaction: take the edition's version row until it ends; its version."""
        conn = self.db.conn
        conn.execute(
            "INSERT INTO edition_versions (kind, version) VALUES (?, 0)"
            " ON CONFLICT (kind) DO NOTHING",
            (kind,),
        )
        lock = " FOR UPDATE" if self.db.dialect == "postgres" else ""
        row = conn.execute(
            f"SELECT version FROM edition_versions WHERE kind = ?{lock}", (kind,)
        ).fetchone()
        return int(row[0])

    def since(self, version: int, kind: str = "daily") -> list[Change]:
        """The changes made after `version`, oldest first."""
        rows = self.db.conn.execute(
            "SELECT kind, version, op, target, editor, summary, at FROM edition_changes"
            " WHERE kind = ? AND version > ? ORDER BY version",
            (kind, version),
        ).fetchall()
        return [
            Change(r[0], int(r[1]), r[2], r[3], r[4], r[5], datetime.fromisoformat(r[6]))
            for r in rows
        ]

    def record(
        self, op: str, target: str, editor: str, summary: str, now: datetime, kind: str = "daily"
    ) -> int:
        """Inside the change's transaction (after `begin`): the next version, logged."""
        version = self.current(kind) + 1
        self.db.conn.execute(
            "UPDATE edition_versions SET version = ? WHERE kind = ?", (version, kind)
        )
        self.db.conn.execute(
            "INSERT INTO edition_changes (kind, version, op, target, editor, summary, at)"
            " VALUES (?, ?, ?, ?, ?, ?, ?)",
            (kind, version, op, target, editor, summary, now.isoformat()),
        )
        return version
