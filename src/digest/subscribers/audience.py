"""Who receives an edition: the stored list, and only subscribers for whom the edition holds at
least one chosen section (no empty digests)."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from digest.models import Subscriber
from digest.state import State, SubscriberRecord
from digest.subscribers.lists import SubscriberList


def as_subscriber(record: SubscriberRecord, now: datetime, *, weekly: bool = True) -> Subscriber:
    """The stage-crossing view of a stored subscriber: `active` means gets mail now. Without a
    weekly edition (`weekly` False), a reader who chose weekly gets the daily one: never none."""
    return Subscriber(
        email=record.email,
        name=record.name,
        sections=record.sections,
        active=record.receives(now),
        frequency=record.frequency if weekly else "daily",
        timezone=record.timezone,
        key=record.uid,
    )


def recipients(state: State, now: datetime, *, weekly: bool = True) -> SubscriberList:
    """Everyone on the stored list in the order they joined; `active` are confirmed, not
    paused, and neither unsubscribed, bounced nor complained. `weekly`: whether a weekly
    edition exists (see `as_subscriber`)."""
    return SubscriberList(
        tuple(as_subscriber(r, now, weekly=weekly) for r in state.subscribers.iterate())
    )


def wants_any(subscriber: Subscriber, section_names: Iterable[str]) -> bool:
    """False when none of the subscriber's chosen sections is in the edition (no empty mail)."""
    if not subscriber.sections:
        return True
    chosen = {name.casefold() for name in subscriber.sections}
    return any(name.casefold() in chosen for name in section_names)
