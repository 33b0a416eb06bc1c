"""An editor's choices for the next edition: stories pinned or dropped, and the intro note.

They apply to articles not yet in an edition and are cleared, in the same transaction, when an
edition is stored, so a choice never leaks into a later edition.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Literal

from digest.state.db import Database

Action = Literal["pin", "drop"]

EDITORIAL_SCHEMA = """
CREATE TABLE editorial (
    article_key TEXT PRIMARY KEY,
    action TEXT NOT NULL CHECK (action IN ('pin', 'drop')),
    updated_at TEXT NOT NULL
);
CREATE TABLE editorial_note (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    intro TEXT NOT NULL,
    updated_at TEXT NOT NULL
)
"""


APPROVALS_SCHEMA = """
CREATE TABLE approvals (
    fingerprint TEXT PRIMARY KEY,
    approved_at TEXT NOT NULL
)
"""

# An approval is for the next edition of one kind (a daily one stored does not use up the
# approval of the weekly one).
APPROVAL_KINDS_SCHEMA = """
ALTER TABLE approvals ADD COLUMN kind TEXT NOT NULL DEFAULT 'daily'
"""


class EditorialStore:
    def __init__(self, db: Database) -> None:
        self.db = db

    def actions(self) -> dict[str, Action]:
        rows = self.db.conn.execute("SELECT article_key, action FROM editorial").fetchall()
        return {row[0]: row[1] for row in rows}

    def choose(self, article_key: str, action: Action | None, now: datetime) -> None:
        """Pin or drop a story for the next edition; None forgets the choice."""
        with self.db.transaction() as conn:
            if action is None:
                conn.execute("DELETE FROM editorial WHERE article_key = ?", (article_key,))
                return
            conn.execute(
                "INSERT INTO editorial (article_key, action, updated_at) VALUES (?, ?, ?)"
                " ON CONFLICT(article_key) DO UPDATE SET action = excluded.action,"
                " updated_at = excluded.updated_at",
                (article_key, action, now.isoformat()),
            )

    def intro(self) -> str | None:
        row = self.db.conn.execute("SELECT intro FROM editorial_note WHERE id = 1").fetchone()
        return str(row[0]) if row else None

    def set_intro(self, text: str | None, now: datetime) -> None:
        with self.db.transaction() as conn:
            conn.execute("DELETE FROM editorial_note")
            if text and text.strip():
                conn.execute(
                    "INSERT INTO editorial_note (id, intro, updated_at) VALUES (1, ?, ?)",
                    (text.strip(), now.isoformat()),
                )

    def approve(self, fingerprint: str, now: datetime, kind: str = "daily") -> None:
        with self.db.transaction() as conn:
            conn.execute(
                "INSERT OR REPLACE INTO approvals (fingerprint, approved_at, kind)"
                " VALUES (?, ?, ?)",
                (fingerprint, now.isoformat(), kind),
            )

    def has_approval(self, kind: str = "daily") -> bool:
        """Whether an editor approved something of this kind since its last edition."""
        row = self.db.conn.execute("SELECT 1 FROM approvals WHERE kind = ?", (kind,)).fetchone()
        return row is not None

    def is_approved(self, fingerprint: str) -> bool:
        row = self.db.conn.execute(
            "SELECT 1 FROM approvals WHERE fingerprint = ?", (fingerprint,)
        ).fetchone()
        return row is not None

    def consume(self, article_keys: Iterable[str], kind: str = "daily") -> None:
        """An edition was stored: forget its kind's approvals and, for the daily edition (the
        one the editor's desk prepares), the intro and the choices about its stories."""
        with self.db.transaction() as conn:
            conn.execute("DELETE FROM approvals WHERE kind = ?", (kind,))
            if kind != "daily":
                return
            conn.executemany(
                "DELETE FROM editorial WHERE article_key = ?", [(key,) for key in article_keys]
            )
            conn.execute("DELETE FROM editorial_note")
