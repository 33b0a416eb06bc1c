"""State: the only SQL in digest. One module per table group, migrations applied in order.

SQLite (WAL) at the configured path. Migrations are append-only: a new table or column is a
new entry at the end of MIGRATIONS, never an edit of an old one.

What the rest may use: `open_state` and `State` (the stores over one database), `Ledger`,
`EditionRecord`, `Action` (an editor's choice on a story) and `exclusive` (one process at a
time per database and role). Modules: `db` (connection, transactions, migrations), one per
table group (`articles`, `editions`, `ledger`, `preferences`, `editorial`, `sources`), `lock`.
"""

from __future__ import annotations

import secrets
from datetime import datetime
from pathlib import Path

from digest.errors import StateError
from digest.state.articles import ARTICLES_SCHEMA, ArticleStore, HttpValidatorCache
from digest.state.db import Database
from digest.state.editions import EDITIONS_SCHEMA, EditionRecord, EditionStore
from digest.state.editorial import APPROVALS_SCHEMA, EDITORIAL_SCHEMA, Action, EditorialStore
from digest.state.ledger import LEDGER_SCHEMA, Ledger
from digest.state.lock import exclusive
from digest.state.preferences import PREFERENCES_SCHEMA, PreferenceStore
from digest.state.sources import SOURCES_SCHEMA, SourceLog

MIGRATIONS = (
    ARTICLES_SCHEMA,
    EDITIONS_SCHEMA,
    LEDGER_SCHEMA,
    PREFERENCES_SCHEMA,
    EDITORIAL_SCHEMA,
    APPROVALS_SCHEMA,
    SOURCES_SCHEMA,
)

__all__ = [
    "MIGRATIONS",
    "Action",
    "Database",
    "EditionRecord",
    "Ledger",
    "State",
    "exclusive",
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
        self.sources = SourceLog(db)

    def http_cache(self, now: datetime) -> HttpValidatorCache:
        return HttpValidatorCache(self.db, now)

    def link_secret(self, environ_secret: str | None) -> str:
        """DIGEST_SECRET when set; otherwise one generated once and kept in the database."""
        return environ_secret or self.editions.setting("link_secret", lambda: secrets.token_hex(32))

    def close(self) -> None:
        self.db.close()


def open_state(database: str) -> State:
    """Open the configured database; PostgreSQL URLs are refused with a clear message for now."""
    if database.startswith(("postgresql://", "postgres://")):
        raise StateError(
            f"state.database: PostgreSQL ({database.split('@')[-1]}) is not supported yet",
            hint="use a SQLite path such as var/digest.db",
        )
    return State(Database.open(Path(database), MIGRATIONS))
