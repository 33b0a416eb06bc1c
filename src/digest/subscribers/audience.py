"""Who receives an edition: subscribers with the sections chosen on the preferences page applied,
and only those for whom the edition holds at least one chosen section (no empty digests)."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable

from digest.models import Subscriber
from digest.state import State
from digest.subscribers.lists import SubscriberList


def recipients(state: State, subscribers: SubscriberList) -> dict[str, Subscriber]:
    """Subscribers by lower-cased address, with sections chosen on the preferences page applied."""
    chosen = state.preferences.all()
    return {
        s.email.lower(): dataclasses.replace(s, sections=chosen.get(s.email.lower(), s.sections))
        for s in subscribers.subscribers
    }


def wants_any(subscriber: Subscriber, section_names: Iterable[str]) -> bool:
    """False when none of the subscriber's chosen sections is in the edition (no empty mail)."""
    if not subscriber.sections:
        return True
    chosen = {name.casefold() for name in subscriber.sections}
    return any(name.casefold() in chosen for name in section_names)
