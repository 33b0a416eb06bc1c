"""The scheduler's firings: each scheduled edition, whether it ran, and what was decided.

One row per (kind, slot), where the slot is the scheduled minute on the wall clock of the
schedule's time zone ("2026-11-01T01:30"). Keying by the wall clock makes the 01:30 that a
DST change brings twice one firing, so a day never gets two editions; `due` keeps the real
moment (UTC). A firing moves running -> done | failed | waiting (for an editor's approval,
until `deadline`) | interrupted (a stop request or a crash: the next start may run it again).
The edition it stored is linked in the same transaction as the edition itself.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from digest.state.db import Database

FIRINGS_SCHEMA = """
CREATE TABLE firings (
    kind TEXT NOT NULL,
    slot TEXT NOT NULL,
    due TEXT NOT NULL,
    status TEXT NOT NULL
        CHECK (status IN ('running', 'waiting', 'interrupted', 'done', 'failed')),
    started_at TEXT NOT NULL,
    finished_at TEXT,
    edition_id TEXT,
    deadline TEXT,
    decision TEXT,
    note TEXT,
    PRIMARY KEY (kind, slot)
);
CREATE INDEX firings_status ON firings (status)
"""

FINAL = ("done", "failed")


@dataclass(frozen=True)
class Firing:
    """One scheduled edition of one kind and what became of it."""

    kind: str
    slot: str
    due: datetime
    status: str
    started_at: datetime
    finished_at: datetime | None = None
    edition_id: str | None = None
    deadline: datetime | None = None
    decision: str | None = None
    note: str | None = None


class FiringLog:
    def __init__(self, db: Database) -> None:
        self.db = db

    def get(self, kind: str, slot: str) -> Firing | None:
        row = self.db.conn.execute(
            "SELECT * FROM firings WHERE kind = ? AND slot = ?", (kind, slot)
        ).fetchone()
        return _firing(row) if row else None

    def claim(self, kind: str, slot: str, due: datetime, now: datetime) -> Firing | None:
        """Mark the firing running and return it; None when it already ran or waits.

        A firing found `running` or `interrupted` was cut short (a crash, a stop request) and
        is claimed again: the edition it linked, if any, is resumed rather than rebuilt.
        """
        with self.db.transaction() as conn:
            row = conn.execute(
                "SELECT * FROM firings WHERE kind = ? AND slot = ?", (kind, slot)
            ).fetchone()
            if row is not None and row["status"] in (*FINAL, "waiting"):
                return None
            conn.execute(
                "INSERT INTO firings (kind, slot, due, status, started_at) "
                "VALUES (?, ?, ?, 'running', ?) ON CONFLICT (kind, slot) DO UPDATE SET "
                "status = 'running', started_at = excluded.started_at",
                (kind, slot, due.isoformat(), now.isoformat()),
            )
            claimed = conn.execute(
                "SELECT * FROM firings WHERE kind = ? AND slot = ?", (kind, slot)
            ).fetchone()
        return _firing(claimed)

    def link(self, kind: str, slot: str, edition_id: str) -> None:
        """The edition this firing stored (inside the caller's transaction)."""
        self.db.conn.execute(
            "UPDATE firings SET edition_id = ? WHERE kind = ? AND slot = ?",
            (edition_id, kind, slot),
        )

    def settle(
        self,
        kind: str,
        slot: str,
        status: str,
        now: datetime,
        *,
        note: str | None = None,
        decision: str | None = None,
        deadline: datetime | None = None,
    ) -> None:
        """Record how the firing ended (or that it now waits, until `deadline`)."""
        final = status in FINAL
        with self.db.transaction() as conn:
            conn.execute(
                "UPDATE firings SET status = ?, finished_at = ?, note = coalesce(?, note), "
                "decision = coalesce(?, decision), deadline = coalesce(?, deadline) "
                "WHERE kind = ? AND slot = ?",
                (
                    status,
                    now.isoformat() if final else None,
                    note,
                    decision,
                    deadline.isoformat() if deadline else None,
                    kind,
                    slot,
                ),
            )

    def waiting(self) -> list[Firing]:
        """Firings whose edition waits for an editor's approval, oldest first."""
        rows = self.db.conn.execute(
            "SELECT * FROM firings WHERE status = 'waiting' ORDER BY due"
        ).fetchall()
        return [_firing(row) for row in rows]

    def recent(self, limit: int = 10) -> list[Firing]:
        rows = self.db.conn.execute(
            "SELECT * FROM firings ORDER BY due DESC, kind LIMIT ?", (limit,)
        ).fetchall()
        return [_firing(row) for row in rows]

    def decisions(self, limit: int = 10) -> list[Firing]:
        """Firings decided at their approval deadline (sent unapproved, or skipped)."""
        rows = self.db.conn.execute(
            "SELECT * FROM firings WHERE decision IS NOT NULL ORDER BY due DESC LIMIT ?",
            (limit,),
        ).fetchall()
        return [_firing(row) for row in rows]

    def note_start(self, now: datetime) -> None:
        """A scheduler started: a real write, so an unwritable database is found at start."""
        with self.db.transaction() as conn:
            conn.execute(
                "INSERT INTO meta (key, value) VALUES ('scheduler_started', ?) "
                "ON CONFLICT (key) DO UPDATE SET value = excluded.value",
                (now.isoformat(),),
            )

    def last_start(self) -> datetime | None:
        row = self.db.conn.execute(
            "SELECT value FROM meta WHERE key = 'scheduler_started'"
        ).fetchone()
        return datetime.fromisoformat(row[0]) if row else None


def _when(value: Any) -> datetime | None:
    return datetime.fromisoformat(value) if value else None


def _firing(row: Any) -> Firing:
    return Firing(
        kind=row["kind"],
        slot=row["slot"],
        due=datetime.fromisoformat(row["due"]),
        status=row["status"],
        started_at=datetime.fromisoformat(row["started_at"]),
        finished_at=_when(row["finished_at"]),
        edition_id=row["edition_id"],
        deadline=_when(row["deadline"]),
        decision=row["decision"],
        note=row["note"],
    )
