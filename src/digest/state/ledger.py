"""The delivery ledger: one row per (edition, subscriber), and the suppression list.

A row moves pending -> sending (claimed, attempt counted, committed before the provider is
called) -> sent | failed | skipped, or back to pending for a retry. A row still `sending` when a
send starts was claimed by a run that died before recording the provider's answer: it is "in
doubt" and `recover_in_doubt` puts it back in front of the queue (see docs/delivery.md for why
resending is the chosen side of that trade).

On a shared database (PostgreSQL) any number of senders claim from the same queue at once:
claims take rows with `FOR UPDATE SKIP LOCKED`, so two senders never claim the same row, and
each claim is leased until `lease_until`. Nothing is put back at start (another sender may be
working on it); a row whose lease ran out, its sender dead, is claimed again like a pending one.
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

LEDGER_LEASE_SCHEMA = """
ALTER TABLE deliveries ADD COLUMN lease_until REAL;
CREATE TABLE IF NOT EXISTS send_pace (
    name      TEXT PRIMARY KEY,
    next_free REAL NOT NULL
)
"""

STATUSES = ("pending", "sending", "sent", "failed", "skipped")

# Queue order: insertion order on SQLite; PostgreSQL has no rowid, and shared senders need
# no order, only that each row is claimed by one of them.
_ORDER = {"sqlite": "rowid", "postgres": "email"}


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="milliseconds")


class Ledger:
    """All SQL about deliveries and suppressions. Addresses are stored lower-cased."""

    def __init__(self, db: Database) -> None:
        self.db = db
        self.order = _ORDER[db.dialect]

    def enqueue(self, edition_id: str, emails: Iterable[str]) -> int:
        """Add pending rows (once each); suppressed addresses are not queued."""
        stamp = _now()
        rows = [(edition_id, key, stamp, key) for key in (e.strip().lower() for e in emails)]
        with self.db.transaction() as conn:
            cursor = conn.executemany(
                "INSERT INTO deliveries (edition_id, email, updated_at) SELECT ?, ?, ? "
                "WHERE NOT EXISTS (SELECT 1 FROM suppressions WHERE email = ?) "
                "ON CONFLICT DO NOTHING",
                rows,
            )
            return max(0, int(cursor.rowcount))

    def pending(self, edition_id: str, limit: int) -> list[str]:
        """Addresses still to send, in queue order."""
        cursor = self.db.conn.execute(
            "SELECT email FROM deliveries WHERE edition_id = ? AND status = 'pending' "
            f"ORDER BY {self.order} LIMIT ?",
            (edition_id, limit),
        )
        return [row[0] for row in cursor]

    def recover_in_doubt(self, edition_id: str, now: float | None = None) -> list[str]:
        """Return rows left `sending` by a dead run to the queue; clear retry delays.

        On a shared database only reports the rows whose lease ran out by `now`: `claim`
        takes those again, and rows other senders hold are theirs.
        """
        if self.db.shared:
            return [
                row[0]
                for row in self.db.conn.execute(
                    "SELECT email FROM deliveries WHERE edition_id = ? AND status = 'sending' "
                    "AND (lease_until IS NULL OR lease_until < ?) ORDER BY email",
                    (edition_id, now if now is not None else 0.0),
                )
            ]
        with self.db.transaction() as conn:
            doubtful = [
                row[0]
                for row in conn.execute(
                    "SELECT email FROM deliveries WHERE edition_id = ? AND status = 'sending' "
                    f"ORDER BY {self.order}",
                    (edition_id,),
                )
            ]
            conn.execute(
                "UPDATE deliveries SET status = 'pending', not_before = NULL "
                "WHERE edition_id = ? AND status IN ('sending', 'pending')",
                (edition_id,),
            )
        return doubtful

    def claim(
        self, edition_id: str, limit: int, now: float, lease: float = 300.0
    ) -> list[tuple[str, int]]:
        """Mark up to `limit` due pending rows `sending` (attempts + 1): [(email, attempts)].

        The claim is leased until now + `lease` (on a shared database, rows whose lease ran
        out are claimed again; see the module docstring).

        Rows whose address was suppressed since it was queued become skipped instead, when
        their turn comes; only the claimed rows are looked up, so a claim costs the same with
        a long suppression list and a long queue (checking every pending row of the edition at
        each claim took milliseconds per claim at 40,000 rows).
        """
        stamp = _now()
        args: tuple[object, ...] = (stamp, now + lease, edition_id, now, limit)
        if self.db.shared:  # also takes rows whose lease ran out by `now`
            args = (stamp, now + lease, edition_id, now, now, limit)
        with self.db.transaction() as conn:
            while True:
                rows = conn.execute(_CLAIM_SHARED if self.db.shared else _CLAIM, args).fetchall()
                if not rows:
                    return []
                suppressed = self.suppressions_among([row[1] for row in rows])
                if suppressed:
                    conn.executemany(
                        "UPDATE deliveries SET status = 'skipped', reason = 'suppressed', "
                        "error = ?, attempts = attempts - 1, updated_at = ? "
                        "WHERE edition_id = ? AND email = ?",
                        [
                            (suppressed[r[1]], stamp, edition_id, r[1])
                            for r in rows
                            if r[1] in suppressed
                        ],
                    )
                kept = sorted((r for r in rows if r[1] not in suppressed), key=lambda r: r[0])
                if kept:
                    return [(row[1], int(row[2])) for row in kept]

    def reserve_pace(self, count: int, rate: float, now: float) -> float:
        """Book `count` messages at `rate` per second for every sender on this database:
        returns when this booking may start (at or after `now`)."""
        cost = count / rate
        row = self.db.conn.execute(
            "INSERT INTO send_pace (name, next_free) VALUES ('send', ?) ON CONFLICT (name) "
            f"DO UPDATE SET next_free = {_GREATEST[self.db.dialect]}(send_pace.next_free, ?) + ? "
            "RETURNING next_free",
            (now + cost, now, cost),
        ).fetchone()
        return float(row[0]) - cost

    def return_pace(self, count: int, rate: float, end: float) -> None:
        """Give back the last `count` messages of a booking ending at `end`, unless another
        booking came after it (then the time stays spent: nobody's turn moves earlier)."""
        self.db.conn.execute(
            "UPDATE send_pace SET next_free = next_free - ? WHERE name = 'send' AND next_free = ?",
            (count / rate, end),
        )

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

    def give_up(self, edition_id: str, error: str, reason: str) -> int:
        """Every pending row of the edition already tried fails (its retry window is over):
        how many. A row never tried still gets its one try (a local-time batch that comes
        due after the window)."""
        cursor = self.db.conn.execute(
            "UPDATE deliveries SET status = 'failed', error = coalesce(error, ?), reason = ?, "
            "not_before = NULL, updated_at = ? "
            "WHERE edition_id = ? AND status = 'pending' AND attempts > 0",
            (error, reason, _now(), edition_id),
        )
        return max(0, int(cursor.rowcount))

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
        sql = "SELECT email, reason FROM suppressions WHERE email IN ({marks})"
        return {row[0]: row[1] for row in self.db.rows_among(sql, emails)}

    def forget(self, email: str) -> int:
        """Delete every delivery and suppression row of an address; returns rows deleted."""
        key = email.strip().lower()
        with self.db.transaction() as conn:
            deliveries = conn.execute("DELETE FROM deliveries WHERE email = ?", (key,))
            suppressions = conn.execute("DELETE FROM suppressions WHERE email = ?", (key,))
            return int(deliveries.rowcount) + int(suppressions.rowcount)

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
                f" ORDER BY {self.order}",
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


# Rows come back with their sort key first, so a claim is sent in queue order.
_CLAIM = (
    "UPDATE deliveries SET status = 'sending', attempts = attempts + 1, updated_at = ?, "
    "lease_until = ? WHERE rowid IN (SELECT rowid FROM deliveries "
    "WHERE edition_id = ? AND status = 'pending' "
    "AND (not_before IS NULL OR not_before <= ?) ORDER BY rowid LIMIT ?) "
    "RETURNING rowid, email, attempts"
)
_CLAIM_SHARED = (
    "UPDATE deliveries SET status = 'sending', attempts = attempts + 1, updated_at = ?, "
    "lease_until = ? WHERE (edition_id, email) IN (SELECT edition_id, email FROM deliveries "
    "WHERE edition_id = ? AND ((status = 'pending' AND (not_before IS NULL OR not_before <= ?)) "
    "OR (status = 'sending' AND (lease_until IS NULL OR lease_until < ?))) "
    "ORDER BY email LIMIT ? FOR UPDATE SKIP LOCKED) "
    "RETURNING email, email, attempts"
)
_GREATEST = {"sqlite": "max", "postgres": "greatest"}
