"""The desk's sessions and editor accounts on SQLite and PostgreSQL: a session is found by its
id only (the row keeps a hash), expires, and ends alone, with its account, or with the
account's removal; an invitation works once and only until it expires."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from digest.state import ACCOUNT_PREFIX, open_state

NOW = datetime(2026, 11, 27, 7, 0, tzinfo=UTC)
LATER = NOW + timedelta(hours=12)


def test_sessions_end_alone_by_account_and_by_expiry(database: str) -> None:
    state = open_state(database)
    grace = ACCOUNT_PREFIX + "Grace"
    state.sessions.save("laptop", grace, {"editor": "Grace"}, NOW, LATER)
    state.sessions.save("phone", grace, {"editor": "Grace"}, NOW, LATER)
    state.sessions.save("token", "token", {"editor": "Ada"}, NOW, LATER)
    assert state.sessions.load("laptop", NOW) == {"editor": "Grace"}
    assert state.sessions.load("laptop", LATER) is None  # expired
    assert state.sessions.load("nobody", NOW) is None
    stored = state.db.conn.execute("SELECT id_hash FROM desk_sessions").fetchall()
    assert all(len(row[0]) == 64 and row[0] != "laptop" for row in stored)
    state.sessions.end("phone")
    assert state.sessions.load("phone", NOW) is None and state.sessions.count(grace) == 1
    assert state.sessions.end_account(grace) == 1
    assert state.sessions.load("laptop", NOW) is None
    assert state.sessions.load("token", NOW) == {"editor": "Ada"}
    state.close()


def test_an_invitation_sets_the_password_once_and_removal_ends_sessions(database: str) -> None:
    state = open_state(database)
    assert not state.accounts.any()
    state.accounts.invite("Grace", "secret-link", NOW, NOW + timedelta(days=7))
    assert state.accounts.invited("secret-link", NOW) == "Grace"
    assert state.accounts.invited("secret-link", NOW + timedelta(days=8)) is None
    assert state.accounts.accept("secret-link", "$argon2id$x", NOW) == "Grace"
    assert state.accounts.accept("secret-link", "$argon2id$y", NOW) is None
    account = state.accounts.get("Grace")
    assert account is not None and account.password_hash == "$argon2id$x"
    state.sessions.save("laptop", ACCOUNT_PREFIX + "Grace", {"editor": "Grace"}, NOW, LATER)
    assert state.accounts.remove("Grace") and not state.accounts.remove("Grace")
    assert state.sessions.load("laptop", NOW) is None and not state.accounts.any()
    state.close()
