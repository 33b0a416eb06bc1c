"""An editor's choices for the next edition: stories pinned, dropped, placed or rewritten, the
subject line and the intro note, and the approvals and holds with who made them and when.

Choices apply to articles not yet in an edition and are cleared, in the same transaction, when
an edition is stored, so a choice never leaks into a later edition. The decisions log (approved,
held) is history and stays. `digest edit` and the editor's desk in `digest serve` share these
tables: the command line and the desk are one store.
"""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Literal

from digest.models import Summary
from digest.state.db import Database
from digest.state.grouping import forget_groups

Action = Literal["pin", "drop"]
Verdict = Literal["approved", "held"]

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

# The desk's edits: a story's headline and key points (NULL: the summarizer's), its place in
# the edition, the subject line, and every approve or hold with the editor's name.
EDITORIAL_DESK_SCHEMA = """
CREATE TABLE story_edits (
    article_key TEXT PRIMARY KEY,
    headline TEXT,
    key_points TEXT,
    updated_at TEXT NOT NULL
);
CREATE TABLE story_order (
    article_key TEXT PRIMARY KEY,
    position INTEGER NOT NULL,
    updated_at TEXT NOT NULL
);
CREATE TABLE editorial_subject (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    subject TEXT NOT NULL,
    updated_at TEXT NOT NULL
);
CREATE TABLE editorial_decisions (
    id INTEGER PRIMARY KEY,
    kind TEXT NOT NULL,
    decision TEXT NOT NULL CHECK (decision IN ('approved', 'held')),
    fingerprint TEXT NOT NULL,
    editor TEXT NOT NULL,
    at TEXT NOT NULL
);
CREATE INDEX editorial_decisions_by_kind ON editorial_decisions (kind, at)
"""


@dataclass(frozen=True)
class StoryEdit:
    """An editor's rewrite of one story; None keeps the summarizer's text."""

    headline: str | None = None
    key_points: tuple[str, ...] | None = None

    def applied(self, summary: Summary) -> Summary:
        """The summary with the editor's headline and key points in place of its own."""
        return dataclasses.replace(
            summary,
            headline=summary.headline if self.headline is None else self.headline,
            key_points=summary.key_points if self.key_points is None else self.key_points,
        )


@dataclass(frozen=True)
class Decision:
    """One approve or hold: of which edition content (its fingerprint), by whom, when."""

    kind: str
    decision: Verdict
    fingerprint: str
    editor: str
    at: datetime
    version: int | None = None  # the edition version it was made on (None: not versioned)


class EditorialStore:
    def __init__(self, db: Database) -> None:
        self.db = db

    def actions(self) -> dict[str, Action]:
        rows = self.db.conn.execute("SELECT article_key, action FROM editorial").fetchall()
        return {row[0]: row[1] for row in rows}

    def choose(self, article_key: str, action: Action | None, now: datetime) -> None:
        """Pin or drop a story for the next edition; None forgets the choice. A pin puts the
        story on top: it gives up any place the editor set for it."""
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
            if action == "pin":
                conn.execute("DELETE FROM story_order WHERE article_key = ?", (article_key,))

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

    def subject(self) -> str | None:
        """The editor's subject line; None: the one the edition's top story makes."""
        row = self.db.conn.execute("SELECT subject FROM editorial_subject").fetchone()
        return str(row[0]) if row else None

    def set_subject(self, text: str | None, now: datetime) -> None:
        with self.db.transaction() as conn:
            conn.execute("DELETE FROM editorial_subject")
            if text and text.strip():
                conn.execute(
                    "INSERT INTO editorial_subject (id, subject, updated_at) VALUES (1, ?, ?)",
                    (text.strip(), now.isoformat()),
                )

    def story_edits(self) -> dict[str, StoryEdit]:
        return {
            row[0]: StoryEdit(row[1], tuple(json.loads(row[2])) if row[2] is not None else None)
            for row in self.db.conn.execute(
                "SELECT article_key, headline, key_points FROM story_edits"
            )
        }

    def edit_story(
        self,
        article_key: str,
        *,
        headline: str | None,
        key_points: Sequence[str] | None,
        now: datetime,
    ) -> None:
        """Rewrite a story's headline and key points; None for both forgets the rewrite."""
        with self.db.transaction() as conn:
            conn.execute("DELETE FROM story_edits WHERE article_key = ?", (article_key,))
            if headline is None and key_points is None:
                return
            points = json.dumps(list(key_points), ensure_ascii=False) if key_points else None
            conn.execute(
                "INSERT INTO story_edits (article_key, headline, key_points, updated_at)"
                " VALUES (?, ?, ?, ?)",
                (article_key, headline, points, now.isoformat()),
            )

    def order(self) -> dict[str, int]:
        """The places the editor gave stories: article key -> position (0 is the top)."""
        return {
            row[0]: int(row[1])
            for row in self.db.conn.execute("SELECT article_key, position FROM story_order")
        }

    def set_order(self, article_keys: Sequence[str], now: datetime) -> None:
        """Place the stories in this order (the first leads the edition); [] forgets it."""
        stamp = now.isoformat()
        with self.db.transaction() as conn:
            conn.execute("DELETE FROM story_order")
            conn.executemany(
                "INSERT INTO story_order (article_key, position, updated_at) VALUES (?, ?, ?)",
                [(key, n, stamp) for n, key in enumerate(dict.fromkeys(article_keys))],
            )

    def approve(
        self,
        fingerprint: str,
        now: datetime,
        kind: str = "daily",
        editor: str = "",
        version: int | None = None,
    ) -> None:
        with self.db.transaction() as conn:
            conn.execute(
                "INSERT INTO approvals (fingerprint, approved_at, kind) VALUES (?, ?, ?)"
                " ON CONFLICT (fingerprint) DO UPDATE SET approved_at = excluded.approved_at,"
                " kind = excluded.kind",
                (fingerprint, now.isoformat(), kind),
            )
            self._decide(kind, "approved", fingerprint, editor, now, version)

    def hold(
        self,
        fingerprint: str,
        now: datetime,
        kind: str = "daily",
        editor: str = "",
        version: int | None = None,
    ) -> None:
        """Hold the next edition of `kind`: every approval of it is withdrawn."""
        with self.db.transaction() as conn:
            conn.execute("DELETE FROM approvals WHERE kind = ?", (kind,))
            self._decide(kind, "held", fingerprint, editor, now, version)

    def _decide(
        self,
        kind: str,
        decision: Verdict,
        fingerprint: str,
        editor: str,
        now: datetime,
        version: int | None,
    ) -> None:
        self.db.conn.execute(
            "INSERT INTO editorial_decisions (kind, decision, fingerprint, editor, at, version)"
            " VALUES (?, ?, ?, ?, ?, ?)",
            (kind, decision, fingerprint, editor, now.isoformat(), version),
        )

    def decisions(
        self, kind: str = "daily", *, after: datetime | None = None, until: datetime | None = None
    ) -> list[Decision]:
        """Approvals and holds of `kind`, newest first, optionally within (after, until]."""
        rows = self.db.conn.execute(
            "SELECT kind, decision, fingerprint, editor, at, version FROM editorial_decisions"
            " WHERE kind = ? ORDER BY at DESC, id DESC",
            (kind,),
        ).fetchall()
        found = [Decision(r[0], r[1], r[2], r[3], datetime.fromisoformat(r[4]), r[5]) for r in rows]
        return [
            d for d in found if (after is None or d.at > after) and (until is None or d.at <= until)
        ]

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
        one the editor's desk prepares), the intro, the subject, the order and the choices,
        rewrites, splits and merges of its stories."""
        with self.db.transaction() as conn:
            conn.execute("DELETE FROM approvals WHERE kind = ?", (kind,))
            if kind != "daily":
                return
            keys = [(key,) for key in article_keys]
            conn.executemany("DELETE FROM editorial WHERE article_key = ?", keys)
            conn.executemany("DELETE FROM story_edits WHERE article_key = ?", keys)
            forget_groups(conn, [key for (key,) in keys])
            conn.execute("DELETE FROM story_order")
            conn.execute("DELETE FROM editorial_note")
            conn.execute("DELETE FROM editorial_subject")
