"""The desk's sessions, kept server-side: the cookie holds only a random id, and the row (found
by the id's SHA-256, so a copy of the database opens no session) holds who signed in, the
CSRF token and the one-time messages. Deleting the row ends the session at once: sign-out,
"sign out everywhere" (every row of one account) and removing an account.
"""

from __future__ import annotations

import hashlib
import json
from datetime import datetime
from typing import Any

from digest.state.db import Database

ACCOUNT_PREFIX = "account:"  # the `account` of a named editor account's sessions: "account:NAME"

DESK_SESSIONS_SCHEMA = """
CREATE TABLE desk_sessions (
    id_hash TEXT PRIMARY KEY,
    account TEXT NOT NULL,
    data TEXT NOT NULL,
    created_at TEXT NOT NULL,
    expires_at TEXT NOT NULL
);
CREATE INDEX desk_sessions_by_account ON desk_sessions (account);
CREATE INDEX desk_sessions_by_expiry ON desk_sessions (expires_at)
"""


def id_hash(session_id: str) -> str:
    return hashlib.sha256(session_id.encode("utf-8", "replace")).hexdigest()


class SessionStore:
    def __init__(self, db: Database) -> None:
        self.db = db

    def load(self, session_id: str, now: datetime) -> dict[str, Any] | None:
        """The session's data; None when there is no such session or it has expired."""
        row = self.db.conn.execute(
            "SELECT data, expires_at FROM desk_sessions WHERE id_hash = ?", (id_hash(session_id),)
        ).fetchone()
        if row is None or datetime.fromisoformat(row[1]) <= now:
            return None
        data = json.loads(row[0])
        return data if isinstance(data, dict) else None

    def save(
        self, session_id: str, account: str, data: dict[str, Any], now: datetime, expires: datetime
    ) -> None:
        """Write a session (a new one, or the same id again); expired rows are swept."""
        with self.db.transaction() as conn:
            conn.execute("DELETE FROM desk_sessions WHERE expires_at <= ?", (now.isoformat(),))
            conn.execute(
                "INSERT INTO desk_sessions (id_hash, account, data, created_at, expires_at)"
                " VALUES (?, ?, ?, ?, ?) ON CONFLICT (id_hash) DO UPDATE SET"
                " account = excluded.account, data = excluded.data",
                (
                    id_hash(session_id),
                    account,
                    json.dumps(data, ensure_ascii=False),
                    now.isoformat(),
                    expires.isoformat(),
                ),
            )

    def end(self, session_id: str) -> None:
        with self.db.transaction() as conn:
            conn.execute("DELETE FROM desk_sessions WHERE id_hash = ?", (id_hash(session_id),))

    def end_account(self, account: str) -> int:
        """End every session of `account`; how many there were."""
        with self.db.transaction() as conn:
            cursor = conn.execute("DELETE FROM desk_sessions WHERE account = ?", (account,))
            return int(cursor.rowcount)

    def count(self, account: str) -> int:
        row = self.db.conn.execute(
            "SELECT COUNT(*) FROM desk_sessions WHERE account = ?", (account,)
        ).fetchone()
        return int(row[0])
