"""State: the only SQL in digest. One module per table group, migrations applied in order.

SQLite (WAL) at the configured path, or PostgreSQL at a `postgresql://` URL (several senders
on several hosts sharing one send queue; see `ledger`). Migrations are append-only: a new
table or column is a new entry at the end of MIGRATIONS, never an edit of an old one.

What the rest may use: `open_state` and `State` (the stores over one database), `Ledger`,
`StoredSummary` (an article's kept summary with the summarizer's identity, `summaries`),
`EditionRecord`, `EditionResult` and `SentEdition` (how an edition did, `results`), `Action`
(an editor's choice on a story), `StoryEdit` and `Decision` (an editor's rewrite, approval or
hold), `Firing` (one scheduled edition of `firings`), `LocalBatch` (an edition's recipients
in one time zone, `local`), `Change` (one versioned editorial change, `versions`),
`exclusive` (one process at a time per database and role) and `is_postgres_url` (which
backend a configured database is), `ACCOUNT_PREFIX` (how an editor account's sessions are
marked).
Modules: `db` (connection, transactions, migrations), one per table group (`articles`,
`editions`, `ledger`, `preferences`, `editorial` (with `grouping`: the editor's splits and
merges of stories), `sources`, `subscribers` with `subscriber_events`, `firings`, `local`,
`summaries` (each article's summary and who made it), `feedback` (bounces, complaints and
unsubscribes reported after a send), `clicks`, `results` (each edition's counts, for `digest
status` and the editor's desk), `versions` (each edition's version and the log of editorial
changes), `sessions` (the desk's sessions, server-side), `accounts` (the desk's editor
accounts)), `lock`.
`preferences` is the sections table from before the list moved into the database: read only
to carry old choices over on the first import.
"""

from __future__ import annotations

import secrets
from collections.abc import Mapping
from datetime import datetime

from digest.state.accounts import EDITOR_ACCOUNTS_SCHEMA, Account, AccountStore
from digest.state.articles import (
    ARTICLE_LANGUAGE_SCHEMA,
    ARTICLES_SCHEMA,
    WEEKLY_ARTICLES_SCHEMA,
    ArticleStore,
    HttpValidatorCache,
)
from digest.state.clicks import CLICKS_SCHEMA, ClickLog
from digest.state.db import Database, is_postgres_url
from digest.state.editions import (
    EDITION_KINDS_SCHEMA,
    EDITIONS_SCHEMA,
    EditionRecord,
    EditionStore,
)
from digest.state.editorial import (
    APPROVAL_KINDS_SCHEMA,
    APPROVALS_SCHEMA,
    EDITORIAL_DESK_SCHEMA,
    EDITORIAL_SCHEMA,
    Action,
    Decision,
    EditorialStore,
    StoryEdit,
)
from digest.state.feedback import FEEDBACK_SCHEMA, FeedbackLog, FeedbackRow
from digest.state.firings import FIRINGS_SCHEMA, Firing, FiringLog
from digest.state.grouping import STORY_GROUPS_SCHEMA, StoryGroups
from digest.state.ledger import LEDGER_LEASE_SCHEMA, LEDGER_SCHEMA, Ledger
from digest.state.local import LOCAL_BATCHES_SCHEMA, LocalBatch, LocalBatches
from digest.state.lock import exclusive
from digest.state.preferences import PREFERENCES_SCHEMA, PreferenceStore
from digest.state.results import EditionResult, ResultLog, SentEdition
from digest.state.sessions import ACCOUNT_PREFIX, DESK_SESSIONS_SCHEMA, SessionStore
from digest.state.sources import SOURCES_SCHEMA, SourceLog
from digest.state.subscriber_events import SOURCES, EventLog, SubscriberEvent
from digest.state.subscribers import (
    STATUSES,
    SUBSCRIBERS_SCHEMA,
    NewSubscriber,
    SubscriberRecord,
    SubscriberStore,
    key_of,
)
from digest.state.summaries import SUMMARIES_SCHEMA, StoredSummary, SummaryStore
from digest.state.versions import EDITION_VERSIONS_SCHEMA, Change, VersionLog

MIGRATIONS = (
    ARTICLES_SCHEMA,
    EDITIONS_SCHEMA,
    LEDGER_SCHEMA,
    PREFERENCES_SCHEMA,
    EDITORIAL_SCHEMA,
    APPROVALS_SCHEMA,
    SOURCES_SCHEMA,
    SUBSCRIBERS_SCHEMA,
    EDITION_KINDS_SCHEMA,
    WEEKLY_ARTICLES_SCHEMA,
    APPROVAL_KINDS_SCHEMA,
    FIRINGS_SCHEMA,
    LOCAL_BATCHES_SCHEMA,
    FEEDBACK_SCHEMA,
    EDITORIAL_DESK_SCHEMA,
    CLICKS_SCHEMA,
    LEDGER_LEASE_SCHEMA,
    SUMMARIES_SCHEMA,
    STORY_GROUPS_SCHEMA,
    EDITION_VERSIONS_SCHEMA,
    DESK_SESSIONS_SCHEMA,
    EDITOR_ACCOUNTS_SCHEMA,
    ARTICLE_LANGUAGE_SCHEMA,
)

__all__ = [
    "ACCOUNT_PREFIX",
    "MIGRATIONS",
    "SOURCES",
    "STATUSES",
    "Account",
    "Action",
    "Change",
    "Database",
    "Decision",
    "EditionRecord",
    "EditionResult",
    "FeedbackRow",
    "Firing",
    "Ledger",
    "LocalBatch",
    "NewSubscriber",
    "SentEdition",
    "State",
    "StoredSummary",
    "StoryEdit",
    "SubscriberEvent",
    "SubscriberRecord",
    "exclusive",
    "is_postgres_url",
    "key_of",
    "open_state",
]


class State:
    """The stores over one database, opened together."""

    def __init__(self, db: Database) -> None:
        self.db = db
        self.articles = ArticleStore(db)
        self.editions = EditionStore(db)
        self.ledger = Ledger(db)
        self.preferences = PreferenceStore(db)
        self.editorial = EditorialStore(db)
        self.groups = StoryGroups(db)
        self.sources = SourceLog(db)
        self.firings = FiringLog(db)
        self.batches = LocalBatches(db)
        self.subscribers = SubscriberStore(db)
        self.events = EventLog(db)
        self.feedback = FeedbackLog(db)
        self.clicks = ClickLog(db)
        self.summaries = SummaryStore(db)
        self.versions = VersionLog(db)
        self.sessions = SessionStore(db)
        self.accounts = AccountStore(db)
        self.results = ResultLog(
            db, self.editions, self.ledger, self.batches, self.clicks, self.feedback
        )

    def http_cache(self, now: datetime) -> HttpValidatorCache:
        return HttpValidatorCache(self.db, now)

    def link_secret(self, environ_secret: str | None) -> str:
        """DIGEST_SECRET when set; otherwise one generated once and kept in the database."""
        return environ_secret or self.editions.setting("link_secret", lambda: secrets.token_hex(32))

    def release_due(self, now: datetime) -> list[LocalBatch]:
        """Queue every local-time batch whose time has come in the ledger, one transaction each
        (suppressed addresses are left out, as at any enqueue)."""
        released = []
        for batch in self.batches.due(now):
            with self.db.transaction():
                self.ledger.enqueue(batch.edition_id, batch.emails)
                self.batches.mark_released(batch, now)
            released.append(batch)
        return released

    def resumable(self) -> list[EditionRecord]:
        """Unfinished editions with work to do now: recipients pending in the ledger, or none
        left anywhere (an edition to mark finished). One whose remaining recipients all wait
        for their local time is not resumable until `release_due` queues them."""
        found = []
        for record in self.editions.sending():
            waiting, _ = self.batches.waiting(record.id)
            if self.ledger.counts(record.id)["pending"] or not waiting:
                found.append(record)
        return found

    def close(self) -> None:
        self.db.close()


def open_state(
    database: str, environ: Mapping[str, str] | None = None, *, busy_seconds: float | None = None
) -> State:
    """Open the configured database: a SQLite path, or a PostgreSQL URL whose password comes
    from DIGEST_DATABASE_PASSWORD in `environ` (default: this process's environment).
    `busy_seconds`: SQLite's wait for another process's write lock (default: the state's own)."""
    return State(Database.open(database, MIGRATIONS, environ, busy_seconds))
