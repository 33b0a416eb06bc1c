"""Each article's summary, made once and kept with the summarizer that made it.

Builds, previews, approvals, test sends and sends all read the stored summary, so the words an
editor approved are the words sent; a summary is replaced only on purpose (`digest summarize
--refresh`, the desk's re-summarize). An article that could not be summarized is kept too
(no headline, the reason in `note`), so it is not tried again at every look.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from digest.models import Summary
from digest.state.db import Database

SUMMARIES_SCHEMA = """
CREATE TABLE summaries (
    article_key TEXT PRIMARY KEY,
    kind TEXT NOT NULL,
    model TEXT NOT NULL,
    settings TEXT NOT NULL,
    headline TEXT,
    section TEXT,
    key_points TEXT NOT NULL,
    calls INTEGER NOT NULL,
    note TEXT NOT NULL,
    made_at TEXT NOT NULL
)
"""


@dataclass(frozen=True)
class StoredSummary:
    """One article's kept summary: None when it could not be summarized (`note` says why).

    `kind`, `model` and `settings` name the summarizer that made it (the offline one when the
    LLM fell back); `calls` is the LLM calls spent on it, retries included."""

    key: str
    summary: Summary | None
    kind: str
    model: str
    settings: str
    calls: int = 0
    note: str = ""
    made_at: datetime | None = None


class SummaryStore:
    def __init__(self, db: Database) -> None:
        self.db = db

    def get(self, keys: Sequence[str]) -> dict[str, StoredSummary]:
        """The stored summaries of these articles, by article key (missing ones left out)."""
        sql = "SELECT * FROM summaries WHERE article_key IN ({marks})"
        return {row["article_key"]: _stored(row) for row in self.db.rows_among(sql, keys)}

    def calls_waiting(self, keys: Sequence[str]) -> int:
        """The LLM calls spent on the summaries of these articles that are in no edition yet:
        what the next edition has spent of its budget."""
        sql = (
            "SELECT s.calls FROM summaries s JOIN articles a ON a.key = s.article_key"
            " WHERE s.article_key IN ({marks})"
            " AND a.edition_id IS NULL AND a.weekly_edition_id IS NULL"
        )
        return sum(int(row[0]) for row in self.db.rows_among(sql, keys))

    def put(self, made: Iterable[StoredSummary], now: datetime) -> None:
        """Keep these summaries, replacing any earlier one of the same article."""
        with self.db.transaction() as conn:
            conn.executemany(
                "INSERT INTO summaries (article_key, kind, model, settings, headline, section,"
                " key_points, calls, note, made_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
                " ON CONFLICT(article_key) DO UPDATE SET kind = excluded.kind,"
                " model = excluded.model, settings = excluded.settings,"
                " headline = excluded.headline, section = excluded.section,"
                " key_points = excluded.key_points, calls = excluded.calls,"
                " note = excluded.note, made_at = excluded.made_at",
                [
                    (
                        s.key,
                        s.kind,
                        s.model,
                        s.settings,
                        s.summary.headline if s.summary else None,
                        s.summary.section if s.summary else None,
                        json.dumps(list(s.summary.key_points if s.summary else ())),
                        s.calls,
                        s.note,
                        (s.made_at or now).isoformat(),
                    )
                    for s in made
                ],
            )


def _stored(row: Any) -> StoredSummary:
    points = tuple(json.loads(row["key_points"]))
    headline = row["headline"]
    return StoredSummary(
        key=row["article_key"],
        summary=None if headline is None else Summary(headline, row["section"], points),
        kind=row["kind"],
        model=row["model"],
        settings=row["settings"],
        calls=int(row["calls"]),
        note=row["note"],
        made_at=datetime.fromisoformat(row["made_at"]),
    )
