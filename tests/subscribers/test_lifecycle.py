"""subscribers.lifecycle: status changes with events, suppressions kept in step, pause, bounces."""

from __future__ import annotations

from datetime import timedelta

import pytest

from digest.errors import InputError
from digest.state import State
from digest.subscribers import (
    add_subscriber,
    pause,
    recipients,
    reconcile_suppressions,
    record_complaint,
    resubscribe,
    unsubscribe,
)
from tests.subscribers.conftest import NOW


def test_operator_add_and_its_refusals(state: State) -> None:
    record = add_subscriber(state, "Ada@Example.com", name="Ada", sections=("World",), now=NOW)
    assert (record.status, record.origin, record.confirmed) == ("active", "operator", NOW)
    with pytest.raises(InputError, match="already subscribed"):
        add_subscriber(state, "ada@example.com", now=NOW)
    unsubscribe(state, "ada@example.com", source="operator", now=NOW)
    with pytest.raises(InputError, match="is unsubscribed since 2026-11-27") as info:
        add_subscriber(state, "ada@example.com", now=NOW)
    assert info.value.hint and "confirmed sign-up" in info.value.hint


def test_unsubscribe_resubscribe_and_their_history(state: State) -> None:
    record = add_subscriber(state, "ada@example.com", now=NOW)
    assert unsubscribe(state, "ada@example.com", source="one-click unsubscribe", now=NOW)
    assert not unsubscribe(state, "ada@example.com", source="one-click unsubscribe", now=NOW)
    assert state.ledger.is_suppressed("ada@example.com")
    gone = state.subscribers.get("ada@example.com")
    assert gone is not None and resubscribe(state, gone, now=NOW + timedelta(days=1))
    assert not state.ledger.is_suppressed("ada@example.com")
    history = [(e.source, e.detail) for e in state.events.history(record.id)]
    assert history[1:] == [
        ("one-click unsubscribe", "active -> unsubscribed (one-click unsubscribe)"),
        ("resubscribe", "unsubscribed -> active"),
    ]


def test_unsubscribing_an_unknown_address_suppresses_it(state: State) -> None:
    assert unsubscribe(state, "stranger@example.com", source="operator", now=NOW)
    assert state.ledger.is_suppressed("stranger@example.com")
    assert not unsubscribe(state, "stranger@example.com", source="operator", now=NOW)


def test_pause_keeps_the_subscription_but_stops_mail_until_then(state: State) -> None:
    record = add_subscriber(state, "ada@example.com", now=NOW)
    pause(state, record, NOW + timedelta(weeks=2), now=NOW)
    assert not recipients(state, NOW + timedelta(days=1)).active
    assert [s.email for s in recipients(state, NOW + timedelta(weeks=3)).active] == [
        "ada@example.com"
    ]
    assert recipients(state, NOW).subscribers[0].key == record.uid


def test_hard_bounces_and_complaints_become_statuses(state: State) -> None:
    add_subscriber(state, "gone@example.com", now=NOW)
    add_subscriber(state, "angry@example.com", now=NOW)
    state.ledger.suppress("gone@example.com", "2026-11-27: 550 5.1.1 no such user")
    assert reconcile_suppressions(state, now=NOW) == 1
    gone = state.subscribers.get("gone@example.com")
    assert gone is not None and gone.status == "bounced"
    assert gone.status_reason == "2026-11-27: 550 5.1.1 no such user"
    assert state.events.history(gone.id)[-1].source == "bounce"
    assert record_complaint(state, "angry@example.com", "abuse report via provider", now=NOW)
    angry = state.subscribers.get("angry@example.com")
    assert angry is not None and angry.status == "complained"
    assert state.ledger.is_suppressed("angry@example.com")
    assert reconcile_suppressions(state, now=NOW) == 0
