"""What came back after a send: bounces, complaints and unsubscribes from provider webhooks and
from the bounce mailbox, one row per event, tied to the edition it answers when known.

`feedback` is keyed by (source, event id), so an event applied once is never applied again (a
webhook retried, a mailbox read twice); its soft bounces are what `[bounces] soft_limit` counts
and its rows per edition are the bounced/complained counts of `digest status`.
`mailbox_messages` remembers every returned message read, bounce or not; `webhook_tokens` the
one-time tokens a provider signs (Mailgun), kept while their timestamp is within tolerance.
Only SQL lives here; what an event does to a subscriber is in `digest.subscribers`.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime

from digest.state.db import Database

FEEDBACK_SCHEMA = """
CREATE TABLE feedback (
    id         INTEGER PRIMARY KEY,
    source     TEXT NOT NULL,
    event_id   TEXT NOT NULL,
    email      TEXT NOT NULL,
    kind       TEXT NOT NULL CHECK (kind IN ('bounce', 'soft', 'complaint', 'unsubscribe')),
    edition_id TEXT,
    detail     TEXT NOT NULL DEFAULT '',
    at         TEXT NOT NULL,
    received   TEXT NOT NULL,
    outcome    TEXT NOT NULL DEFAULT '',
    UNIQUE (source, event_id)
);
CREATE INDEX feedback_by_email ON feedback (email, kind, at);
CREATE INDEX feedback_by_edition ON feedback (edition_id, kind);
CREATE TABLE mailbox_messages (
    key       TEXT PRIMARY KEY,
    processed TEXT NOT NULL,
    outcome   TEXT NOT NULL
);
CREATE TABLE webhook_tokens (
    provider TEXT NOT NULL,
    token    TEXT NOT NULL,
    at       REAL NOT NULL,
    PRIMARY KEY (provider, token)
);
CREATE INDEX deliveries_by_provider_id ON deliveries (provider_id) WHERE provider_id IS NOT NULL
"""

KINDS = ("bounce", "soft", "complaint", "unsubscribe")
# The short reason the send loop records for an address refused as unknown while sending
# (digest.deliver's HARD_BOUNCE): those count as bounced for their edition too.
SEND_TIME_BOUNCE = "hard bounce"


def _utc(moment: datetime) -> str:
    """ISO 8601 in UTC, so that the text order is the time order."""
    return moment.astimezone(UTC).isoformat(timespec="seconds")


@dataclass(frozen=True)
class FeedbackRow:
    """One recorded event (the address lower-cased)."""

    source: str
    event_id: str
    email: str
    kind: str
    edition_id: str | None
    detail: str
    at: datetime
    outcome: str


class FeedbackLog:
    """All SQL about returned mail and provider events."""

    def __init__(self, db: Database) -> None:
        self.db = db

    def record(
        self,
        source: str,
        event_id: str,
        email: str,
        kind: str,
        *,
        edition_id: str | None,
        detail: str,
        at: datetime,
        now: datetime,
    ) -> bool:
        """Remember an event; False when (source, event_id) was recorded before (a replay)."""
        with self.db.transaction() as conn:
            cursor = conn.execute(
                "INSERT INTO feedback (source, event_id, email, kind, edition_id,"
                " detail, at, received) VALUES (?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING",
                (
                    source,
                    event_id,
                    email.strip().lower(),
                    kind,
                    edition_id,
                    detail,
                    _utc(at),
                    _utc(now),
                ),
            )
            return bool(cursor.rowcount > 0)

    def set_outcome(self, source: str, event_id: str, outcome: str) -> None:
        """What the event did (suppressed, counted, not on the list, ...)."""
        self.db.conn.execute(
            "UPDATE feedback SET outcome = ? WHERE source = ? AND event_id = ?",
            (outcome, source, event_id),
        )

    def soft_bounces(self, email: str, since: datetime) -> int:
        """Soft bounces of an address since `since`: one per edition (the retries and warnings
        of one message count once), one per event when the edition is unknown."""
        row = self.db.conn.execute(
            "SELECT count(DISTINCT coalesce('edition:' || edition_id, source || ':' || event_id))"
            " FROM feedback WHERE email = ? AND kind = 'soft' AND at >= ?",
            (email.strip().lower(), _utc(since)),
        ).fetchone()
        return int(row[0])

    def of(self, email: str) -> list[FeedbackRow]:
        """Every event recorded for an address, oldest first."""
        return [
            FeedbackRow(
                row["source"],
                row["event_id"],
                row["email"],
                row["kind"],
                row["edition_id"],
                row["detail"],
                datetime.fromisoformat(row["at"]),
                row["outcome"],
            )
            for row in self.db.conn.execute(
                "SELECT * FROM feedback WHERE email = ? ORDER BY at, id",
                (email.strip().lower(),),
            )
        ]

    def counts(self, edition_id: str) -> dict[str, int]:
        """{"bounced", "complained"}: distinct recipients of the edition that bounced (refused
        while sending, a hard bounce reported later, or suppressed by a soft bounce of this
        edition that reached the limit) or complained about it."""
        bounced = self.db.conn.execute(
            "SELECT count(*) FROM (SELECT email FROM deliveries WHERE edition_id = ?1"
            " AND status = 'failed' AND reason = ?2 UNION SELECT email FROM feedback"
            " WHERE edition_id = ?1 AND (kind = 'bounce' OR (kind = 'soft'"
            " AND outcome = 'suppressed'))) AS bounced",
            (edition_id, SEND_TIME_BOUNCE),
        ).fetchone()
        complained = self.db.conn.execute(
            "SELECT count(DISTINCT email) FROM feedback"
            " WHERE edition_id = ? AND kind = 'complaint'",
            (edition_id,),
        ).fetchone()
        return {"bounced": int(bounced[0]), "complained": int(complained[0])}

    def message_seen(self, keys: Sequence[str]) -> set[str]:
        """Which returned messages (by key) were processed before."""
        sql = "SELECT key FROM mailbox_messages WHERE key IN ({marks})"
        return {row[0] for row in self.db.rows_among(sql, keys)}

    def mark_message(self, key: str, outcome: str, now: datetime) -> None:
        self.db.conn.execute(
            "INSERT INTO mailbox_messages (key, processed, outcome) VALUES (?, ?, ?)"
            " ON CONFLICT DO NOTHING",
            (key, _utc(now), outcome),
        )

    def use_token(self, provider: str, token: str, at: float, keep_after: float) -> bool:
        """Spend a provider's one-time token; False when it was spent before (a replay).
        Tokens older than `keep_after` go: their timestamps are refused anyway."""
        with self.db.transaction() as conn:
            conn.execute("DELETE FROM webhook_tokens WHERE at < ?", (keep_after,))
            cursor = conn.execute(
                "INSERT INTO webhook_tokens (provider, token, at) VALUES (?, ?, ?)"
                " ON CONFLICT DO NOTHING",
                (provider, token, at),
            )
            return bool(cursor.rowcount > 0)

    def forget(self, email: str) -> int:
        """Delete every event of an address; returns rows deleted."""
        with self.db.transaction() as conn:
            cursor = conn.execute("DELETE FROM feedback WHERE email = ?", (email.strip().lower(),))
            return int(cursor.rowcount)
