"""subscribers.signup: double opt-in, single-use expiring confirmations, rate limits."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

import pytest

from digest.errors import InputError
from digest.state import State
from digest.subscribers import (
    SubscriberSettings,
    add_subscriber,
    check_confirmation,
    confirm,
    recipients,
    sign_up,
    unsubscribe,
)
from tests.subscribers.conftest import NOW

SETTINGS = SubscriberSettings()


def signup(state: State, email: str, ip: str = "192.0.2.1", when: timedelta = timedelta()):  # type: ignore[no-untyped-def]
    return sign_up(
        state, email, name="Ada", sections=("World",), ip=ip, settings=SETTINGS, now=NOW + when
    )


def test_sign_up_is_pending_until_confirmed(state: State) -> None:
    result = signup(state, "ada@example.com")
    assert result.action == "confirm" and result.nonce and result.record
    assert result.record.status == "pending"
    assert not recipients(state, NOW).active
    assert check_confirmation(state, result.nonce, settings=SETTINGS, now=NOW).outcome == "ready"
    done = confirm(state, result.nonce, settings=SETTINGS, now=NOW + timedelta(hours=1))
    assert done.outcome == "confirmed" and done.record and done.record.status == "active"
    assert done.record.sections == ("World",) and done.record.name == "Ada"
    assert [s.email for s in recipients(state, NOW).active] == ["ada@example.com"]
    sources = [e.source for e in state.events.history(done.record.id)]
    assert sources == ["sign-up", "confirmation"]


def test_confirmation_is_single_use_and_expires(state: State) -> None:
    first = signup(state, "ada@example.com")
    assert first.nonce
    late = NOW + timedelta(hours=SETTINGS.confirm_hours, minutes=1)
    assert confirm(state, first.nonce, settings=SETTINGS, now=late).outcome == "expired"
    second = signup(state, "ada@example.com", when=timedelta(hours=49))
    assert second.nonce and second.nonce != first.nonce
    assert confirm(state, second.nonce, settings=SETTINGS, now=late).outcome == "confirmed"
    assert confirm(state, second.nonce, settings=SETTINGS, now=late).outcome == "already"
    unsubscribe(state, "ada@example.com", source="unsubscribe page", now=late)
    replayed = confirm(state, second.nonce, settings=SETTINGS, now=late)
    assert (
        replayed.outcome == "used" and replayed.record and replayed.record.status == "unsubscribed"
    )
    assert confirm(state, "no-such-nonce", settings=SETTINGS, now=late).outcome == "invalid"


def test_only_their_own_confirmed_sign_up_reactivates(state: State) -> None:
    add_subscriber(state, "ada@example.com", now=NOW)
    already = signup(state, "ada@example.com")
    assert already.action == "notice" and already.nonce is None
    unsubscribe(state, "ada@example.com", source="one-click unsubscribe", now=NOW)
    again = signup(state, "ada@example.com")
    assert again.action == "confirm" and again.record and again.record.status == "unsubscribed"
    assert again.nonce
    assert confirm(state, again.nonce, settings=SETTINGS, now=NOW).outcome == "confirmed"
    assert not state.ledger.is_suppressed("ada@example.com")


def test_rate_limits_per_address_and_per_client(state: State) -> None:
    actions = [signup(state, "ada@example.com").action for _ in range(4)]
    assert actions == ["confirm", "confirm", "confirm", "none"]
    assert signup(state, "ada@example.com", when=timedelta(hours=1, seconds=1)).action == "confirm"
    strict = replace(SETTINGS, signups_per_ip_per_hour=2)
    results = [
        sign_up(state, f"u{i}@example.com", name="", sections=(), ip="198.51.100.7",
                settings=strict, now=NOW).action
        for i in range(3)
    ]  # fmt: skip
    assert results == ["confirm", "confirm", "limited"]
    assert state.subscribers.get("u2@example.com") is None
    scopes = [row[0] for row in state.db.conn.execute("SELECT scope FROM signup_attempts")]
    assert not any("198.51" in s or "@" in s for s in scopes)


def test_bad_sign_up_input_is_refused(state: State) -> None:
    with pytest.raises(InputError, match="invalid email address"):
        signup(state, "not an address")
    with pytest.raises(InputError, match="line break"):
        sign_up(state, "a@example.com", name="Eve\u2028x", sections=(), ip="1", settings=SETTINGS,
                now=NOW)  # fmt: skip
    assert state.subscribers.counts()["pending"] == 0
