"""The delivery ledger: one row per (edition, subscriber), and the suppression list.

A row moves pending -> sending (claimed, attempt counted, committed before the provider is
called) -> sent | failed | skipped, or back to pending for a retry. A row still `sending` when a
send starts was claimed by a run that died before recording the provider's answer: it is "in
doubt" and `recover_in_doubt` puts it back in front of the queue (see docs/delivery.md for why
resending is the chosen side of that trade).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import UTC, datetime

from digest.state.db import Database

LEDGER_SCHEMA = """
CREATE TABLE IF NOT EXISTS deliveries (
    edition_id  TEXT NOT NULL,
    email       TEXT NOT NULL,
    status      TEXT NOT NULL DEFAULT 'pending'
                CHECK (status IN ('pending', 'sending', 'sent', 'failed', 'skipped')),
    attempts    INTEGER NOT NULL DEFAULT 0,
    provider_id TEXT,
    error       TEXT,
    reason      TEXT,
    not_before  REAL,
    updated_at  TEXT NOT NULL,
    UNIQUE (edition_id, email)
);
CREATE INDEX IF NOT EXISTS deliveries_queue ON deliveries (edition_id, status);
CREATE TABLE IF NOT EXISTS suppressions (
    email      TEXT PRIMARY KEY,
    reason     TEXT NOT NULL,
    created_at TEXT NOT NULL
)
"""

STATUSES = ("pending", "sending", "sent", "failed", "skipped")


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="milliseconds")


class Ledger:
    """All SQL about deliveries and suppressions. Addresses are stored lower-cased."""

    def __init__(self, db: Database) -> None:
        self.db = db

    def enqueue(self, edition_id: str, emails: Iterable[str]) -> int:
        """Add pending rows (INSERT OR IGNORE); suppressed addresses are not queued."""
        stamp = _now()
        rows = [(edition_id, email.strip().lower(), stamp) for email in emails]
        with self.db.transaction() as conn:
            before = conn.total_changes
            conn.executemany(
                "INSERT OR IGNORE INTO deliveries (edition_id, email, updated_at) "
                "SELECT ?1, ?2, ?3 WHERE NOT EXISTS (SELECT 1 FROM suppressions WHERE email = ?2)",
                rows,
            )
            return conn.total_changes - before

    def pending(self, edition_id: str, limit: int) -> list[str]:
        """Addresses still to send, in queue order."""
        cursor = self.db.conn.execute(
            "SELECT email FROM deliveries WHERE edition_id = ? AND status = 'pending' "
            "ORDER BY rowid LIMIT ?",
            (edition_id, limit),
        )
        return [row[0] for row in cursor]

    def recover_in_doubt(self, edition_id: str) -> list[str]:
        """Return rows left `sending` by a dead run to the queue; clear retry delays."""
        with self.db.transaction() as conn:
            doubtful = [
                row[0]
                for row in conn.execute(
                    "SELECT email FROM deliveries WHERE edition_id = ? AND status = 'sending' "
                    "ORDER BY rowid",
                    (edition_id,),
                )
            ]
            conn.execute(
                "UPDATE deliveries SET status = 'pending', not_before = NULL "
                "WHERE edition_id = ? AND status IN ('sending', 'pending')",
                (edition_id,),
            )
        return doubtful

    def claim(self, edition_id: str, limit: int, now: float) -> list[tuple[str, int]]:
        """Mark up to `limit` due pending rows `sending` (attempts + 1): [(email, attempts)].

        Rows whose address was suppressed since it was queued become skipped instead, when
        their turn comes; only the claimed rows are looked up, so a claim costs the same with
        a long suppression list and a long queue (checking every pending row of the edition at
        each claim took milliseconds per claim at 40,000 rows).
        """
        stamp = _now()
        with self.db.transaction() as conn:
            while True:
                rows = conn.execute(
                    "UPDATE deliveries SET status = 'sending', attempts = attempts + 1, "
                    "updated_at = ?1 WHERE rowid IN (SELECT rowid FROM deliveries "
                    "WHERE edition_id = ?2 AND status = 'pending' "
                    "AND (not_before IS NULL OR not_before <= ?3) ORDER BY rowid LIMIT ?4) "
                    "RETURNING rowid, email, attempts",
                    (stamp, edition_id, now, limit),
                ).fetchall()
                if not rows:
                    return []
                suppressed = self.suppressions_among([row[1] for row in rows])
                if suppressed:
                    conn.executemany(
                        "UPDATE deliveries SET status = 'skipped', reason = 'suppressed', "
                        "error = ?, attempts = attempts - 1, updated_at = ? WHERE rowid = ?",
                        [(suppressed[r[1]], stamp, r[0]) for r in rows if r[1] in suppressed],
                    )
                kept = sorted((r for r in rows if r[1] not in suppressed), key=lambda r: int(r[0]))
                if kept:
                    return [(row[1], int(row[2])) for row in kept]

    def next_due(self, edition_id: str) -> float | None:
        """The earliest retry time among pending rows; None when nothing is pending."""
        row = self.db.conn.execute(
            "SELECT count(*), min(coalesce(not_before, 0)) FROM deliveries "
            "WHERE edition_id = ? AND status = 'pending'",
            (edition_id,),
        ).fetchone()
        return None if row[0] == 0 else float(row[1])

    def attempts(self, edition_id: str, email: str) -> int:
        row = self.db.conn.execute(
            "SELECT attempts FROM deliveries WHERE edition_id = ? AND email = ?",
            (edition_id, email.lower()),
        ).fetchone()
        return 0 if row is None else int(row[0])

    def mark_sent(self, edition_id: str, email: str, provider_id: str | None) -> None:
        self._set(edition_id, email, "sent", provider_id=provider_id)

    def mark_failed(
        self, edition_id: str, email: str, reason: str, *, permanent: bool, kind: str | None = None
    ) -> None:
        """Record a failure; `kind` is the short reason shown in the final table."""
        label = kind or ("rejected" if permanent else "retries exhausted")
        self._set(edition_id, email, "failed", error=reason, reason=label)

    def mark_skipped(self, edition_id: str, email: str, reason: str) -> None:
        """Not sent on purpose: unsubscribed or suppressed since the edition was queued."""
        self._set(edition_id, email, "skipped", reason=reason)

    def release(self, edition_id: str, email: str, error: str, not_before: float | None) -> None:
        """Back to pending after a transient error, due again at `not_before` (send clock)."""
        self._set(edition_id, email, "pending", error=error, not_before=not_before)

    def _set(
        self,
        edition_id: str,
        email: str,
        status: str,
        *,
        provider_id: str | None = None,
        error: str | None = None,
        reason: str | None = None,
        not_before: float | None = None,
    ) -> None:
        self.db.conn.execute(
            "UPDATE deliveries SET status = ?, provider_id = coalesce(?, provider_id), "
            "error = ?, reason = ?, not_before = ?, updated_at = ? "
            "WHERE edition_id = ? AND email = ?",
            (status, provider_id, error, reason, not_before, _now(), edition_id, email.lower()),
        )

    def suppress(self, email: str, reason: str) -> None:
        self.db.conn.execute(
            "INSERT INTO suppressions (email, reason, created_at) VALUES (?, ?, ?) "
            "ON CONFLICT (email) DO NOTHING",
            (email.strip().lower(), reason, _now()),
        )

    def unsuppress(self, email: str) -> None:
        """Lift a suppression: the subscriber's own confirmed sign-up or resubscribe."""
        self.db.conn.execute("DELETE FROM suppressions WHERE email = ?", (email.strip().lower(),))

    def suppression(self, email: str) -> tuple[str, datetime] | None:
        """(reason, since) when the address is suppressed."""
        row = self.db.conn.execute(
            "SELECT reason, created_at FROM suppressions WHERE email = ?", (email.strip().lower(),)
        ).fetchone()
        return None if row is None else (str(row[0]), datetime.fromisoformat(row[1]))

    def suppressions_among(self, emails: list[str]) -> dict[str, str]:
        """Suppression reasons of some (lower-cased) addresses, one query per 500."""
        found: dict[str, str] = {}
        for start in range(0, len(emails), 500):
            part = emails[start : start + 500]
            marks = ",".join("?" * len(part))
            for row in self.db.conn.execute(
                f"SELECT email, reason FROM suppressions WHERE email IN ({marks})", part
            ):
                found[row[0]] = row[1]
        return found

    def forget(self, email: str) -> int:
        """Delete every delivery and suppression row of an address; returns rows deleted."""
        key = email.strip().lower()
        with self.db.transaction() as conn:
            before = conn.total_changes
            conn.execute("DELETE FROM deliveries WHERE email = ?", (key,))
            conn.execute("DELETE FROM suppressions WHERE email = ?", (key,))
            return conn.total_changes - before

    def is_suppressed(self, email: str) -> bool:
        row = self.db.conn.execute(
            "SELECT 1 FROM suppressions WHERE email = ?", (email.strip().lower(),)
        ).fetchone()
        return row is not None

    def counts(self, edition_id: str) -> dict[str, int]:
        """{"pending", "sent", "failed", "skipped"}; rows in doubt count as pending."""
        result = {"pending": 0, "sent": 0, "failed": 0, "skipped": 0}
        for status, count in self.db.conn.execute(
            "SELECT status, count(*) FROM deliveries WHERE edition_id = ? GROUP BY status",
            (edition_id,),
        ):
            key = "pending" if status == "sending" else status
            result[key] += int(count)
        return result

    def by_provider_id(self, provider_ids: Sequence[str]) -> list[tuple[str, str]]:
        """(edition, address) of the deliveries a provider knows by one of these ids."""
        ids = [value for value in dict.fromkeys(provider_ids) if value]
        if not ids:
            return []
        marks = ",".join("?" * len(ids))
        return [
            (str(row[0]), str(row[1]))
            for row in self.db.conn.execute(
                f"SELECT edition_id, email FROM deliveries WHERE provider_id IN ({marks})"
                " ORDER BY rowid",
                ids,
            )
        ]

    def reasons(self, edition_id: str, status: str) -> dict[str, int]:
        """How many rows of `status` (failed or skipped) per short reason."""
        return {
            str(reason): int(count)
            for reason, count in self.db.conn.execute(
                "SELECT coalesce(reason, 'unknown'), count(*) FROM deliveries "
                "WHERE edition_id = ? AND status = ? GROUP BY 1 ORDER BY 2 DESC",
                (edition_id, status),
            )
        }
