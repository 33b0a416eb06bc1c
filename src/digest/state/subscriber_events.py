"""The history of each subscriber: one event per change, with its time and source.

Sources are fixed words a person can read in `digest subscribers show`: "csv import",
"sign-up", "confirmation", "preferences page", "one-click unsubscribe", "unsubscribe page",
"resubscribe", "bounce", "complaint", "provider unsubscribe" (an email provider's own
unsubscribe link or list), "unsubscribe email" (a mail to the List-Unsubscribe mailto:),
"operator". The table is created with the subscribers
(see `subscribers.SUBSCRIBERS_SCHEMA`); events go when their subscriber is deleted (forgotten).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from digest.state.db import Database

SOURCES = (
    "csv import",
    "sign-up",
    "confirmation",
    "preferences page",
    "one-click unsubscribe",
    "unsubscribe page",
    "resubscribe",
    "bounce",
    "complaint",
    "provider unsubscribe",
    "unsubscribe email",
    "operator",
)


@dataclass(frozen=True)
class SubscriberEvent:
    """One change: `action` says what ("subscribed", "status", "sections", ...), `detail` how."""

    at: datetime
    source: str
    action: str
    detail: str


class EventLog:
    def __init__(self, db: Database) -> None:
        self.db = db

    def add(self, events: Iterable[tuple[int, datetime, str, str, str]]) -> None:
        """Record (subscriber id, time, source, action, detail) rows."""
        rows = [
            (sid, at.isoformat(), source, action, detail)
            for sid, at, source, action, detail in events
        ]
        with self.db.transaction() as conn:
            conn.executemany(
                "INSERT INTO subscriber_events (subscriber_id, at, source, action, detail)"
                " VALUES (?, ?, ?, ?, ?)",
                rows,
            )

    def history(self, subscriber_id: int) -> list[SubscriberEvent]:
        return [
            SubscriberEvent(datetime.fromisoformat(row[0]), row[1], row[2], row[3])
            for row in self.db.conn.execute(
                "SELECT at, source, action, detail FROM subscriber_events"
                " WHERE subscriber_id = ? ORDER BY id",
                (subscriber_id,),
            )
        ]

    def count(self, subscriber_id: int) -> int:
        row = self.db.conn.execute(
            "SELECT count(*) FROM subscriber_events WHERE subscriber_id = ?", (subscriber_id,)
        ).fetchone()
        return int(row[0])
