"""Editor accounts of the desk: a name, an Argon2 password hash (None until the invitation
is used) and a one-use invitation (its SHA-256 kept, never the link itself). Hashing and
checking passwords is the web's (`web.accounts`): this module stores what it is given.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import datetime

from digest.state.db import Database
from digest.state.sessions import ACCOUNT_PREFIX

EDITOR_ACCOUNTS_SCHEMA = """
CREATE TABLE editor_accounts (
    name TEXT PRIMARY KEY,
    password_hash TEXT,
    invite_hash TEXT,
    invite_expires TEXT,
    created_at TEXT NOT NULL
);
CREATE UNIQUE INDEX editor_accounts_by_invite ON editor_accounts (invite_hash)
"""


def invite_hash(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8", "replace")).hexdigest()


@dataclass(frozen=True)
class Account:
    name: str
    password_hash: str | None
    invited_until: datetime | None
    created: datetime


class AccountStore:
    def __init__(self, db: Database) -> None:
        self.db = db

    def _rows(self, where: str = "", values: tuple[str, ...] = ()) -> list[Account]:
        rows = self.db.conn.execute(
            "SELECT name, password_hash, invite_expires, created_at FROM editor_accounts"
            f" {where} ORDER BY name",
            values,
        ).fetchall()
        return [
            Account(
                r[0],
                r[1],
                datetime.fromisoformat(r[2]) if r[2] else None,
                datetime.fromisoformat(r[3]),
            )
            for r in rows
        ]

    def all(self) -> list[Account]:
        return self._rows()

    def get(self, name: str) -> Account | None:
        found = self._rows("WHERE name = ?", (name,))
        return found[0] if found else None

    def any(self) -> bool:
        return self.db.conn.execute("SELECT 1 FROM editor_accounts LIMIT 1").fetchone() is not None

    def invite(self, name: str, token: str, now: datetime, until: datetime) -> None:
        """A new account (or a new invitation for one): `token` sets its password once."""
        with self.db.transaction() as conn:
            conn.execute(
                "INSERT INTO editor_accounts (name, invite_hash, invite_expires, created_at)"
                " VALUES (?, ?, ?, ?) ON CONFLICT (name) DO UPDATE SET"
                " invite_hash = excluded.invite_hash, invite_expires = excluded.invite_expires",
                (name, invite_hash(token), until.isoformat(), now.isoformat()),
            )

    def invited(self, token: str, now: datetime) -> str | None:
        """The account an unused, unexpired invitation is for."""
        row = self.db.conn.execute(
            "SELECT name, invite_expires FROM editor_accounts WHERE invite_hash = ?",
            (invite_hash(token),),
        ).fetchone()
        if row is None or datetime.fromisoformat(row[1]) <= now:
            return None
        return str(row[0])

    def accept(self, token: str, password_hash: str, now: datetime) -> str | None:
        """Use an invitation: the password is set and the invitation gone; the account."""
        with self.db.transaction() as conn:
            name = self.invited(token, now)
            if name is None:
                return None
            conn.execute(
                "UPDATE editor_accounts SET password_hash = ?, invite_hash = NULL,"
                " invite_expires = NULL WHERE name = ?",
                (password_hash, name),
            )
            return name

    def set_hash(self, name: str, password_hash: str) -> None:
        """A rehash with newer parameters, after a successful sign-in."""
        with self.db.transaction() as conn:
            conn.execute(
                "UPDATE editor_accounts SET password_hash = ? WHERE name = ?",
                (password_hash, name),
            )

    def remove(self, name: str) -> bool:
        """Remove the account and end its sessions at once; False when there is none."""
        with self.db.transaction() as conn:
            gone = conn.execute("DELETE FROM editor_accounts WHERE name = ?", (name,)).rowcount
            conn.execute("DELETE FROM desk_sessions WHERE account = ?", (ACCOUNT_PREFIX + name,))
            return bool(gone)
