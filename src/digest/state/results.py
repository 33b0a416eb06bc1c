"""How each edition did: one query set for `digest status` and the editor's desk alike.

Sent, failed (with the short reasons) and pending come from the delivery ledger; bounced and
complained from the feedback providers and bounce mailboxes report (`feedback.counts`, which
includes addresses refused while sending); clicks from the click counts. Unsubscribed: the
edition's recipients whose unsubscribe a provider tied to it, or who unsubscribed by link after
it and before the next edition of its kind.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from digest.state.clicks import ClickLog
from digest.state.db import Database
from digest.state.editions import EditionRecord, EditionStore
from digest.state.feedback import FeedbackLog
from digest.state.ledger import Ledger
from digest.state.local import LocalBatches


@dataclass(frozen=True)
class EditionResult:
    """One edition's delivery and response counts."""

    record: EditionRecord
    sent: int
    failed: int
    pending: int
    skipped: int
    bounced: int
    complained: int
    unsubscribed: int
    scheduled: int  # recipients waiting for their local delivery time
    failed_by_reason: tuple[tuple[str, int], ...]
    clicks: int

    @property
    def was_sent(self) -> bool:
        return self.sent > 0


@dataclass(frozen=True)
class SentEdition:
    """An edition in the archive: what its list shows."""

    id: str
    created: datetime
    subject: str
    kind: str


class ResultLog:
    def __init__(
        self,
        db: Database,
        editions: EditionStore,
        ledger: Ledger,
        batches: LocalBatches,
        clicks: ClickLog,
        feedback: FeedbackLog,
    ) -> None:
        self.db = db
        self.editions = editions
        self.ledger = ledger
        self.batches = batches
        self.clicks = clicks
        self.feedback = feedback

    def of(self, record: EditionRecord, following: datetime | None = None) -> EditionResult:
        """The counts of one edition; `following` is when the next edition of its kind was
        made (None: the latest), which closes the window its unsubscribes are counted in."""
        counts = self.ledger.counts(record.id)
        reasons = self.ledger.reasons(record.id, "failed")
        scheduled, _ = self.batches.waiting(record.id)
        returned = self.feedback.counts(record.id)
        return EditionResult(
            record=record,
            sent=counts["sent"],
            failed=counts["failed"],
            pending=counts["pending"],
            skipped=counts["skipped"],
            bounced=returned["bounced"],
            complained=returned["complained"],
            unsubscribed=self._unsubscribed(record, following),
            scheduled=scheduled,
            failed_by_reason=tuple(reasons.items()),
            clicks=self.clicks.total(record.id),
        )

    def recent(self, limit: int = 10) -> list[EditionResult]:
        """The latest editions with their counts, newest first."""
        return [self.of(r, self._following(r)) for r in self.editions.recent(limit)]

    def result(self, edition_id: str) -> EditionResult | None:
        record = self.editions.get(edition_id)
        return None if record is None else self.of(record, self._following(record))

    def sent_editions(self, limit: int = 100) -> list[SentEdition]:
        """Editions at least one recipient got, newest first: what the archive shows."""
        rows = self.db.conn.execute(
            "SELECT id, created, subject, kind FROM editions e WHERE EXISTS (SELECT 1 FROM"
            " deliveries d WHERE d.edition_id = e.id AND d.status = 'sent')"
            " ORDER BY created DESC, id DESC LIMIT ?",
            (limit,),
        )
        return [SentEdition(r[0], datetime.fromisoformat(r[1]), r[2], r[3]) for r in rows]

    def was_sent(self, edition_id: str) -> bool:
        row = self.db.conn.execute(
            "SELECT 1 FROM deliveries WHERE edition_id = ? AND status = 'sent' LIMIT 1",
            (edition_id,),
        ).fetchone()
        return row is not None

    def articles_of(self, edition_id: str) -> list[tuple[str, str, str, str]]:
        """(key, title, source, section) of the articles an edition used, in stored order."""
        return [
            (str(r[0]), str(r[1]), str(r[2]), str(r[3] or ""))
            for r in self.db.conn.execute(
                "SELECT key, title, source, section FROM articles"
                " WHERE edition_id = ?1 OR weekly_edition_id = ?1 ORDER BY first_seen, key",
                (edition_id,),
            )
        ]

    def last_made(self, kind: str) -> datetime | None:
        """When the latest edition of `kind` was made (None: never)."""
        times = [
            datetime.fromisoformat(row[0])
            for row in self.db.conn.execute("SELECT created FROM editions WHERE kind = ?", (kind,))
        ]
        return max(times, default=None)

    def _others(self, record: EditionRecord) -> list[datetime]:
        return [
            datetime.fromisoformat(row[0])
            for row in self.db.conn.execute(
                "SELECT created FROM editions WHERE kind = ? AND id != ?", (record.kind, record.id)
            )
        ]

    def _following(self, record: EditionRecord) -> datetime | None:
        """When the next edition of the same kind was made (None: this is the latest)."""
        return min((t for t in self._others(record) if t > record.created), default=None)

    def preceding(self, record: EditionRecord) -> datetime | None:
        """When the edition of the same kind before this one was made (None: the first)."""
        return max((t for t in self._others(record) if t < record.created), default=None)

    def _unsubscribed(self, record: EditionRecord, following: datetime | None) -> int:
        by_link = {
            str(row[0])
            for row in self.db.conn.execute(
                "SELECT s.email, s.created_at FROM deliveries d JOIN suppressions s"
                " ON s.email = d.email WHERE d.edition_id = ? AND d.status = 'sent'"
                " AND s.reason = 'unsubscribed'",
                (record.id,),
            )
            if record.created <= datetime.fromisoformat(row[1])
            and (following is None or datetime.fromisoformat(row[1]) < following)
        }
        reported = {
            str(row[0])
            for row in self.db.conn.execute(
                "SELECT email FROM feedback WHERE edition_id = ? AND kind = 'unsubscribe'",
                (record.id,),
            )
        }
        return len(by_link | reported)
