"""subscribers.feedback: what a bounce, a soft bounce, a complaint or an unsubscribe reported
after a send does to the list, once, tied to the edition it answers."""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path

import pytest

from digest.errors import ConfigError
from digest.models import message_id
from digest.state import State
from digest.subscribers import (
    BounceSettings,
    Feedback,
    add_subscriber,
    apply_feedback,
    bounce_settings_from_table,
    forget,
    import_file,
    recipients,
    unsubscribe,
)
from tests.subscribers.conftest import NOW, write

SETTINGS = BounceSettings()


def event(
    kind: str, email: str = "ada@example.com", *, event_id: str = "e1", **more: object
) -> Feedback:
    fields: dict[str, object] = {"source": "postmark", "detail": "550 5.1.1 unknown user"}
    fields.update(more)
    return Feedback(event_id=event_id, kind=kind, email=email, **fields)  # type: ignore[arg-type]


def apply(
    state: State, *events: Feedback, at: datetime = NOW, settings: BounceSettings = SETTINGS
) -> list[str]:
    return [o.result for o in apply_feedback(state, events, settings, now=at)]


def status(state: State, email: str = "ada@example.com") -> str:
    record = state.subscribers.get(email)
    assert record is not None
    return record.status


def test_a_hard_bounce_suppresses_at_once_with_reason_source_and_time(state: State) -> None:
    add_subscriber(state, "Ada@Example.com", now=NOW - timedelta(days=9))
    assert apply(state, event("bounce", "ADA@example.com")) == ["suppressed"]
    record = state.subscribers.get("ada@example.com")
    assert record is not None and record.status == "bounced"
    assert record.status_reason == "550 5.1.1 unknown user (postmark)"
    last = state.events.history(record.id)[-1]
    assert (last.at, last.source, last.action) == (NOW, "bounce", "status")
    assert last.detail == "active -> bounced (550 5.1.1 unknown user (postmark))"
    assert state.ledger.is_suppressed("ada@example.com")
    assert [r.email for r in state.subscribers.iterate("bounced")] == ["Ada@Example.com"]
    assert recipients(state, NOW).active == ()


def test_the_same_event_twice_is_applied_once(state: State) -> None:
    add_subscriber(state, "ada@example.com", now=NOW)
    assert apply(state, event("soft")) == ["counted: 1 of 3 soft bounces in 30 days"]
    assert apply(state, event("soft"), event("soft")) == ["already processed"] * 2
    assert len(state.feedback.of("ada@example.com")) == 1


def test_soft_bounces_suppress_at_the_limit_one_per_edition_within_the_window(
    state: State,
) -> None:
    add_subscriber(state, "ada@example.com", now=NOW - timedelta(days=90))
    editions = ["2026-10-01", "2026-11-20", "2026-11-21", "2026-11-22"]
    state.ledger.enqueue(editions[0], ["ada@example.com"])
    for edition in editions:
        state.ledger.enqueue(edition, ["ada@example.com"])
        state.ledger.mark_sent(edition, "ada@example.com", f"pm-{edition}")

    def soft(edition: str, n: int, days_ago: int) -> Feedback:
        at = NOW - timedelta(days=days_ago)
        return event("soft", event_id=f"{edition}-{n}", provider_ids=(f"pm-{edition}",), at=at)

    assert apply(state, soft("2026-10-01", 1, 57)) == ["counted: 0 of 3 soft bounces in 30 days"]
    assert apply(state, soft("2026-11-20", 1, 7), soft("2026-11-20", 2, 6)) == [
        "counted: 1 of 3 soft bounces in 30 days",
        # a warning and a retry of one message count once
        "counted: 1 of 3 soft bounces in 30 days",
    ]
    assert apply(state, soft("2026-11-21", 1, 6)) == ["counted: 2 of 3 soft bounces in 30 days"]
    assert status(state) == "active"
    assert apply(state, soft("2026-11-22", 1, 5)) == ["suppressed"]
    record = state.subscribers.get("ada@example.com")
    assert record is not None and record.status == "bounced"
    assert record.status_reason is not None
    assert record.status_reason.startswith("3 soft bounces in 30 days; last: 550 5.1.1")
    assert state.feedback.counts("2026-11-22") == {"bounced": 1, "complained": 0}
    assert state.feedback.counts("2026-11-21") == {"bounced": 0, "complained": 0}


def test_the_soft_limit_and_window_come_from_the_settings(state: State) -> None:
    add_subscriber(state, "ada@example.com", now=NOW)
    strict = BounceSettings(soft_limit=1, soft_window_days=7)
    old = event("soft", event_id="old", at=NOW - timedelta(days=8))
    assert apply(state, old, settings=strict) == ["counted: 0 of 1 soft bounces in 7 days"]
    assert apply(state, event("soft", event_id="new"), settings=strict) == ["suppressed"]


def test_a_complaint_suppresses_whatever_the_status_was(state: State) -> None:
    add_subscriber(state, "ada@example.com", now=NOW)
    unsubscribe(state, "ada@example.com", source="one-click unsubscribe", now=NOW)
    assert apply(state, event("complaint", detail="abuse")) == ["suppressed"]
    assert status(state) == "complained"
    assert apply(state, event("complaint", event_id="e2")) == ["already complained"]
    assert apply(state, event("bounce", event_id="e3")) == ["already complained"]
    record = state.subscribers.get("ada@example.com")
    assert record is not None and state.events.history(record.id)[-1].source == "complaint"


def test_a_provider_unsubscribe_and_an_unsubscribe_email(state: State) -> None:
    add_subscriber(state, "ada@example.com", now=NOW)
    add_subscriber(state, "bob@example.com", now=NOW)
    assert apply(state, event("unsubscribe", detail="unsubscribe")) == ["unsubscribed"]
    by_mail = event("unsubscribe", "bob@example.com", source="mailbox", detail="unsubscribe email")
    assert apply(state, by_mail) == ["unsubscribed"]
    sources = []
    for email in ("ada@example.com", "bob@example.com"):
        record = state.subscribers.get(email)
        assert record is not None and record.status == "unsubscribed"
        sources.append(state.events.history(record.id)[-1].source)
    assert sources == ["provider unsubscribe", "unsubscribe email"]


def test_an_address_not_on_the_list_is_left_alone(state: State) -> None:
    (outcome,) = apply_feedback(state, [event("bounce", "stranger@example.org")], SETTINGS, now=NOW)
    assert outcome.result == "not on the list: nothing changed" and not outcome.changed
    assert outcome.line() == (
        "stranger@example.org: hard bounce: 550 5.1.1 unknown user (edition unknown)"
        " -> not on the list: nothing changed"
    )
    assert state.subscribers.get("stranger@example.org") is None
    assert not state.ledger.is_suppressed("stranger@example.org")
    assert state.feedback.of("stranger@example.org") == []


def test_events_are_tied_to_the_edition_by_provider_id_or_message_id(state: State) -> None:
    for email in ("ada@example.com", "bob@example.com", "cy@example.com"):
        add_subscriber(state, email, now=NOW)
    for edition in ("2026-11-26", "2026-11-27"):
        state.ledger.enqueue(edition, ["ada@example.com", "bob@example.com", "cy@example.com"])
    state.ledger.mark_sent("2026-11-26", "ada@example.com", "pm-ada-26")
    quoted = message_id("2026-11-27", "bob@example.com", "example.com")
    outcomes = apply_feedback(
        state,
        [
            event("bounce", event_id="a", provider_ids=("pm-ada-26",)),
            event("complaint", "bob@example.com", event_id="b", message_ids=(quoted,)),
            event("bounce", "cy@example.com", event_id="c", message_ids=(quoted,)),
        ],
        SETTINGS,
        now=NOW,
    )
    assert [o.edition_id for o in outcomes] == ["2026-11-26", "2026-11-27", None]
    assert state.feedback.counts("2026-11-26") == {"bounced": 1, "complained": 0}
    assert state.feedback.counts("2026-11-27") == {"bounced": 0, "complained": 1}
    bob = state.subscribers.get("bob@example.com")
    assert (
        bob is not None
        and bob.status_reason == "550 5.1.1 unknown user (postmark, edition 2026-11-27)"
    )


def test_an_import_never_reactivates_who_bounced_or_complained(
    state: State, tmp_path: Path
) -> None:
    csv = write(
        tmp_path / "list.csv", "email,status\nada@example.com,active\nbob@example.com,active\n"
    )
    import_file(state, csv, now=NOW)
    apply(state, event("bounce"), event("complaint", "bob@example.com", event_id="e2"))
    report = import_file(state, csv, now=NOW + timedelta(days=1))
    assert report.kept_inactive == 2
    assert (status(state), status(state, "bob@example.com")) == ("bounced", "complained")
    assert recipients(state, NOW + timedelta(days=1)).active == ()


def test_forgetting_an_address_deletes_its_feedback(state: State) -> None:
    add_subscriber(state, "ada@example.com", now=NOW)
    apply(state, event("soft"))
    assert forget(state, "ada@example.com", now=NOW)
    assert state.feedback.of("ada@example.com") == []


def test_bounces_settings_are_checked_naming_the_key(tmp_path: Path) -> None:
    settings = bounce_settings_from_table(
        {"soft_limit": 5, "soft_window_days": 10, "mailbox": "var/bounces"}, base_dir=tmp_path
    )
    assert settings == BounceSettings(5, 10, tmp_path / "var/bounces")
    assert bounce_settings_from_table({}, base_dir=tmp_path) == BounceSettings(3, 30, None)
    for table, key in (
        ({"soft_limit": 0}, "bounces.soft_limit"),
        ({"soft_window_days": "30"}, "bounces.soft_window_days"),
        ({"soft_limit": True}, "bounces.soft_limit"),
        ({"mailbox": ""}, "bounces.mailbox"),
        ({"mail_box": "x"}, "bounces.mail_box: unknown key"),
    ):
        with pytest.raises(ConfigError, match=key):
            bounce_settings_from_table(table, base_dir=tmp_path)
