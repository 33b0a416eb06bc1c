"""The subscriber list: one row per address, its status and choices, and forgotten addresses.

Addresses are matched case-insensitively through `email_key` (the address lower-cased); `email`
keeps the spelling first given. `uid` is a random id that signed links carry instead of the
address. `csv_row` holds the values a CSV import last gave, so a later import of the same file
changes only the columns that changed in the file (a choice made on the preferences page
survives re-imports of an unchanged row). Every change is a row in `subscriber_events`
(see `events`). Only SQL lives here; the rules (who may be re-activated) are in
`digest.subscribers`.
"""

from __future__ import annotations

import json
import secrets
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from digest.state.db import Database

SUBSCRIBERS_SCHEMA = """
CREATE TABLE subscribers (
    id             INTEGER PRIMARY KEY,
    email          TEXT NOT NULL,
    email_key      TEXT NOT NULL UNIQUE,
    uid            TEXT NOT NULL UNIQUE,
    name           TEXT NOT NULL DEFAULT '',
    status         TEXT NOT NULL
                   CHECK (status IN ('pending', 'active', 'unsubscribed', 'bounced', 'complained')),
    sections       TEXT NOT NULL DEFAULT '[]',
    frequency      TEXT NOT NULL DEFAULT 'daily' CHECK (frequency IN ('daily', 'weekly')),
    timezone       TEXT,
    paused_until   TEXT,
    origin         TEXT NOT NULL,
    created        TEXT NOT NULL,
    confirmed      TEXT,
    status_changed TEXT NOT NULL,
    status_reason  TEXT,
    csv_row        TEXT
);
CREATE INDEX subscribers_by_status ON subscribers (status, id);
CREATE TABLE subscriber_events (
    id            INTEGER PRIMARY KEY,
    subscriber_id INTEGER NOT NULL REFERENCES subscribers (id) ON DELETE CASCADE,
    at            TEXT NOT NULL,
    source        TEXT NOT NULL,
    action        TEXT NOT NULL,
    detail        TEXT NOT NULL DEFAULT ''
);
CREATE INDEX subscriber_events_by_subscriber ON subscriber_events (subscriber_id, id);
CREATE TABLE confirmations (
    nonce         TEXT PRIMARY KEY,
    subscriber_id INTEGER NOT NULL REFERENCES subscribers (id) ON DELETE CASCADE,
    name          TEXT NOT NULL,
    sections      TEXT NOT NULL,
    created       TEXT NOT NULL,
    used          TEXT
);
CREATE TABLE forgotten (
    hash TEXT PRIMARY KEY,
    at   TEXT NOT NULL
);
CREATE TABLE signup_attempts (
    scope TEXT NOT NULL,
    at    REAL NOT NULL
);
CREATE INDEX signup_attempts_by_scope ON signup_attempts (scope, at)
"""

STATUSES = ("active", "pending", "unsubscribed", "bounced", "complained")
COLUMNS = (
    "id, email, uid, name, status, sections, frequency, timezone, paused_until, origin, created,"
    " confirmed, status_changed, status_reason, csv_row"
)


@dataclass(frozen=True)
class SubscriberRecord:
    """One stored subscriber; `sections` empty means every section (an explicit choice)."""

    id: int
    email: str
    uid: str
    name: str
    status: str
    sections: tuple[str, ...]
    frequency: str
    timezone: str | None
    paused_until: datetime | None
    origin: str
    created: datetime
    confirmed: datetime | None
    status_changed: datetime
    status_reason: str | None
    csv_row: dict[str, str] | None

    def paused(self, now: datetime) -> bool:
        return self.paused_until is not None and self.paused_until > now

    def receives(self, now: datetime) -> bool:
        """Active and not paused: gets the next edition."""
        return self.status == "active" and not self.paused(now)


@dataclass(frozen=True)
class NewSubscriber:
    """A row to insert; `uid` is made here when empty."""

    email: str
    name: str
    status: str
    sections: tuple[str, ...]
    frequency: str
    timezone: str | None
    origin: str
    confirmed: bool
    csv_row: dict[str, str] | None = None
    status_reason: str | None = None


def _time(value: str | None) -> datetime | None:
    return datetime.fromisoformat(value) if value else None


def _record(row: Any) -> SubscriberRecord:
    return SubscriberRecord(
        id=int(row["id"]),
        email=row["email"],
        uid=row["uid"],
        name=row["name"],
        status=row["status"],
        sections=tuple(json.loads(row["sections"])),
        frequency=row["frequency"],
        timezone=row["timezone"],
        paused_until=_time(row["paused_until"]),
        origin=row["origin"],
        created=datetime.fromisoformat(row["created"]),
        confirmed=_time(row["confirmed"]),
        status_changed=datetime.fromisoformat(row["status_changed"]),
        status_reason=row["status_reason"],
        csv_row=json.loads(row["csv_row"]) if row["csv_row"] else None,
    )


def key_of(email: str) -> str:
    """How addresses are matched: case-insensitively, as the delivery ledger does."""
    return email.strip().lower()


class SubscriberStore:
    """All SQL about subscribers, their events, confirmations and forgotten addresses.

    Writers join the caller's transaction when there is one (see `Database.transaction`), so a
    whole import, or a change and its event, commits or rolls back as one.
    """

    def __init__(self, db: Database) -> None:
        self.db = db

    def get(self, email: str) -> SubscriberRecord | None:
        row = self.db.conn.execute(
            f"SELECT {COLUMNS} FROM subscribers WHERE email_key = ?", (key_of(email),)
        ).fetchone()
        return _record(row) if row else None

    def by_uid(self, uid: str) -> SubscriberRecord | None:
        row = self.db.conn.execute(
            f"SELECT {COLUMNS} FROM subscribers WHERE uid = ?", (uid,)
        ).fetchone()
        return _record(row) if row else None

    def by_id(self, subscriber_id: int) -> SubscriberRecord | None:
        row = self.db.conn.execute(
            f"SELECT {COLUMNS} FROM subscribers WHERE id = ?", (subscriber_id,)
        ).fetchone()
        return _record(row) if row else None

    def many(self, keys: Sequence[str]) -> dict[str, SubscriberRecord]:
        """Stored subscribers among `keys` (lower-cased addresses), by key: one query a batch."""
        sql = f"SELECT {COLUMNS}, email_key FROM subscribers WHERE email_key IN ({{marks}})"
        return {row["email_key"]: _record(row) for row in self.db.rows_among(sql, keys)}

    def iterate(self, status: str | None = None) -> Iterator[SubscriberRecord]:
        """Every subscriber (or those of one status) in the order they were added, streamed."""
        where, args = ("WHERE status = ?", (status,)) if status else ("", ())
        cursor = self.db.conn.execute(
            f"SELECT {COLUMNS} FROM subscribers {where} ORDER BY id", args
        )
        for row in cursor:
            yield _record(row)

    def suppressed_but_listed(self) -> list[tuple[int, str, str, datetime]]:
        """(id, status, reason, since) of pending or active subscribers whose address the
        delivery ledger suppressed (a hard bounce while sending, an old unsubscribe link)."""
        rows = self.db.conn.execute(
            "SELECT s.id, s.status, p.reason, p.created_at FROM subscribers s"
            " JOIN suppressions p ON p.email = s.email_key"
            " WHERE s.status IN ('active', 'pending') ORDER BY s.id"
        ).fetchall()
        return [(int(r[0]), r[1], r[2], datetime.fromisoformat(r[3])) for r in rows]

    def start_import(self) -> None:
        """A scratch table of the addresses one import has seen (kept in SQLite, not in
        Python, so a large import runs in flat memory); call inside the import's transaction."""
        self.db.conn.execute(
            "CREATE TEMP TABLE IF NOT EXISTS import_seen (key TEXT PRIMARY KEY, first TEXT)"
        )
        self.db.conn.execute("DELETE FROM import_seen")

    def seen(self, keys: Sequence[str]) -> dict[str, str]:
        """Keys this import has already seen, with where they were first seen."""
        sql = "SELECT key, first FROM import_seen WHERE key IN ({marks})"
        return {row[0]: row[1] for row in self.db.rows_among(sql, keys)}

    def mark_seen(self, rows: Iterable[tuple[str, str]]) -> None:
        self.db.conn.executemany(
            "INSERT INTO import_seen VALUES (?, ?) ON CONFLICT DO NOTHING", rows
        )

    def not_seen(self, origin: str) -> list[int]:
        """Ids of pending or active subscribers from `origin` that this import did not see."""
        return [
            int(row[0])
            for row in self.db.conn.execute(
                "SELECT id FROM subscribers WHERE origin = ? AND status IN ('active', 'pending')"
                " AND email_key NOT IN (SELECT key FROM import_seen) ORDER BY id",
                (origin,),
            )
        ]

    def fingerprint(self, name: str) -> str | None:
        """What a list file held when it was last imported (a hash), if ever."""
        row = self.db.conn.execute(
            "SELECT value FROM meta WHERE key = ?", (f"imported:{name}",)
        ).fetchone()
        return str(row[0]) if row else None

    def set_fingerprint(self, name: str, value: str) -> None:
        self.db.conn.execute(
            "INSERT INTO meta (key, value) VALUES (?, ?)"
            " ON CONFLICT (key) DO UPDATE SET value = excluded.value",
            (f"imported:{name}", value),
        )

    def counts(self) -> dict[str, int]:
        result = dict.fromkeys(STATUSES, 0)
        for status, count in self.db.conn.execute(
            "SELECT status, count(*) FROM subscribers GROUP BY status"
        ):
            result[str(status)] = int(count)
        return result

    def insert(self, rows: Iterable[NewSubscriber], now: datetime) -> list[int]:
        """Insert new subscribers (one statement for the batch); returns their ids in order."""
        stamp = now.isoformat()
        values = [
            (
                new.email,
                key_of(new.email),
                secrets.token_urlsafe(12),
                new.name,
                new.status,
                json.dumps(list(new.sections)),
                new.frequency,
                new.timezone,
                new.origin,
                stamp,
                stamp if new.confirmed else None,
                stamp,
                new.status_reason,
                json.dumps(new.csv_row) if new.csv_row is not None else None,
            )
            for new in rows
        ]
        with self.db.transaction() as conn:
            conn.executemany(
                "INSERT INTO subscribers (email, email_key, uid, name, status, sections,"
                " frequency, timezone, origin, created, confirmed, status_changed,"
                " status_reason, csv_row) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
                values,
            )
            keys = [row[1] for row in values]
            ids = self.ids(keys)
        return [ids[key] for key in keys]

    def ids(self, keys: Sequence[str]) -> dict[str, int]:
        """Ids of stored subscribers by key (lower-cased address), one query per 500."""
        sql = "SELECT email_key, id FROM subscribers WHERE email_key IN ({marks})"
        return {row[0]: int(row[1]) for row in self.db.rows_among(sql, keys)}

    def update(self, subscriber_id: int, changes: dict[str, Any]) -> None:
        """Set columns of one subscriber; values are encoded as the schema stores them."""
        if not changes:
            return
        encoded = {name: _encode(name, value) for name, value in changes.items()}
        assignments = ", ".join(f"{name} = ?" for name in encoded)
        with self.db.transaction() as conn:
            conn.execute(
                f"UPDATE subscribers SET {assignments} WHERE id = ?",
                (*encoded.values(), subscriber_id),
            )

    def delete(self, subscriber_id: int) -> None:
        """Delete a subscriber; their events and confirmations go with them (cascade)."""
        with self.db.transaction() as conn:
            conn.execute("DELETE FROM subscribers WHERE id = ?", (subscriber_id,))

    def forget(self, address_hash: str, now: datetime) -> None:
        with self.db.transaction() as conn:
            conn.execute(
                "INSERT INTO forgotten (hash, at) VALUES (?, ?) ON CONFLICT DO NOTHING",
                (address_hash, now.isoformat()),
            )

    def unforget(self, address_hash: str) -> None:
        with self.db.transaction() as conn:
            conn.execute("DELETE FROM forgotten WHERE hash = ?", (address_hash,))

    def forgotten(self, hashes: Sequence[str]) -> set[str]:
        """Which of `hashes` belong to forgotten addresses."""
        sql = "SELECT hash FROM forgotten WHERE hash IN ({marks})"
        return {row[0] for row in self.db.rows_among(sql, hashes)}

    def add_confirmation(
        self, nonce: str, subscriber_id: int, name: str, sections: tuple[str, ...], now: datetime
    ) -> None:
        with self.db.transaction() as conn:
            conn.execute(
                "INSERT INTO confirmations (nonce, subscriber_id, name, sections, created)"
                " VALUES (?, ?, ?, ?, ?)",
                (nonce, subscriber_id, name, json.dumps(list(sections)), now.isoformat()),
            )

    def confirmation(self, nonce: str) -> tuple[int, str, tuple[str, ...], datetime, bool] | None:
        """(subscriber id, name, sections, created, used) of a sign-up's confirmation."""
        row = self.db.conn.execute(
            "SELECT subscriber_id, name, sections, created, used FROM confirmations"
            " WHERE nonce = ?",
            (nonce,),
        ).fetchone()
        if row is None:
            return None
        sections = tuple(json.loads(row[2]))
        return int(row[0]), row[1], sections, datetime.fromisoformat(row[3]), row[4] is not None

    def use_confirmation(self, nonce: str, now: datetime) -> None:
        with self.db.transaction() as conn:
            conn.execute(
                "UPDATE confirmations SET used = ? WHERE nonce = ?", (now.isoformat(), nonce)
            )

    def attempts(self, scope: str, since: float) -> int:
        row = self.db.conn.execute(
            "SELECT count(*) FROM signup_attempts WHERE scope = ? AND at >= ?", (scope, since)
        ).fetchone()
        return int(row[0])

    def record_attempts(self, scopes: Iterable[str], at: float, keep_after: float) -> None:
        """Count one attempt against each scope; drop attempts older than `keep_after`."""
        with self.db.transaction() as conn:
            conn.execute("DELETE FROM signup_attempts WHERE at < ?", (keep_after,))
            conn.executemany(
                "INSERT INTO signup_attempts (scope, at) VALUES (?, ?)",
                [(scope, at) for scope in scopes],
            )


def _encode(name: str, value: Any) -> Any:
    if name == "sections":
        return json.dumps(list(value))
    if name == "csv_row":
        return json.dumps(value) if value is not None else None
    if isinstance(value, datetime):
        return value.isoformat()
    return value
