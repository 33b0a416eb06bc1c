"""Local-time delivery: an edition's recipients in batches, one per time zone, each due at its
own moment (`[schedule] deliver_at_local` in that zone).

The batches are planned in the transaction that stores the edition; a batch's addresses join
the delivery ledger only when it is due (`State.release_due`), so the send loop never sees an
address before its time and the ledger keeps its one job.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from digest.state.db import Database

LOCAL_BATCHES_SCHEMA = """
CREATE TABLE local_batches (
    edition_id TEXT NOT NULL,
    zone TEXT NOT NULL,
    send_at TEXT NOT NULL,
    emails TEXT NOT NULL,
    released_at TEXT,
    PRIMARY KEY (edition_id, zone)
);
CREATE INDEX local_batches_due ON local_batches (released_at, send_at)
"""


@dataclass(frozen=True)
class LocalBatch:
    """The recipients of one edition in one time zone, and when (UTC) they get it."""

    edition_id: str
    zone: str
    send_at: datetime
    emails: tuple[str, ...]


class LocalBatches:
    def __init__(self, db: Database) -> None:
        self.db = db

    def plan(self, edition_id: str, batches: Iterable[LocalBatch]) -> None:
        """Store the edition's later batches (inside the caller's transaction)."""
        self.db.conn.executemany(
            "INSERT INTO local_batches (edition_id, zone, send_at, emails) VALUES (?, ?, ?, ?)",
            [(edition_id, b.zone, _utc(b.send_at), json.dumps(list(b.emails))) for b in batches],
        )

    def due(self, now: datetime) -> list[LocalBatch]:
        """Batches not yet released whose time has come, earliest first."""
        rows = self.db.conn.execute(
            "SELECT * FROM local_batches WHERE released_at IS NULL AND send_at <= ? "
            "ORDER BY send_at, edition_id, zone",
            (_utc(now),),
        ).fetchall()
        return [_batch(row) for row in rows]

    def mark_released(self, batch: LocalBatch, now: datetime) -> None:
        self.db.conn.execute(
            "UPDATE local_batches SET released_at = ? WHERE edition_id = ? AND zone = ?",
            (_utc(now), batch.edition_id, batch.zone),
        )

    def waiting(self, edition_id: str) -> tuple[int, datetime | None]:
        """(recipients not yet released, the earliest of their times) for one edition."""
        rows = self.db.conn.execute(
            "SELECT send_at, emails FROM local_batches WHERE edition_id = ? "
            "AND released_at IS NULL ORDER BY send_at",
            (edition_id,),
        ).fetchall()
        count = sum(len(json.loads(row["emails"])) for row in rows)
        return count, (datetime.fromisoformat(rows[0]["send_at"]) if rows else None)

    def next_send(self) -> datetime | None:
        """The earliest batch not yet released, across every edition."""
        row = self.db.conn.execute(
            "SELECT min(send_at) FROM local_batches WHERE released_at IS NULL"
        ).fetchone()
        return datetime.fromisoformat(row[0]) if row and row[0] else None


def _utc(moment: datetime) -> str:
    """ISO 8601 in UTC, so that the text order is the time order."""
    return moment.astimezone(UTC).isoformat(timespec="seconds")


def _batch(row: Any) -> LocalBatch:
    return LocalBatch(
        edition_id=row["edition_id"],
        zone=row["zone"],
        send_at=datetime.fromisoformat(row["send_at"]),
        emails=tuple(json.loads(row["emails"])),
    )
