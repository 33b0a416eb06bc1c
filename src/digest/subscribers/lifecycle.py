"""What happens to a subscriber: status changes, preferences, pauses, forgetting.

Every change is one transaction with its event. A status that stops mail (unsubscribed,
bounced, complained) also puts the address on the delivery ledger's suppression list, so an
edition already queued skips it; the suppression is lifted only when the subscriber comes back
through their own confirmed sign-up or signed resubscribe link.
"""

from __future__ import annotations

import secrets
from datetime import datetime

from digest.errors import InputError
from digest.state import NewSubscriber, State, SubscriberRecord, key_of
from digest.subscribers.lists import normalise_address
from digest.subscribers.tokens import address_hash

INACTIVE = ("unsubscribed", "bounced", "complained")
SUPPRESSION_REASON = {"unsubscribed": "unsubscribed", "complained": "complained"}
SOURCE_OF_STATUS = {"bounced": "bounce", "complained": "complaint"}


def forget_salt(state: State) -> str:
    """The key of forgotten-address hashes, made once per database."""
    return state.editions.setting("forget_salt", lambda: secrets.token_hex(32))


def status_from_suppression(reason: str) -> str:
    """The list status an old suppression stands for: a hard bounce unless it says otherwise."""
    return {"unsubscribed": "unsubscribed", "complained": "complained"}.get(reason, "bounced")


def describe_sections(sections: tuple[str, ...]) -> str:
    return "; ".join(sections) if sections else "everything"


def set_status(
    state: State,
    record: SubscriberRecord,
    status: str,
    *,
    source: str,
    reason: str | None,
    now: datetime,
) -> bool:
    """Change a subscriber's status (False when it already was that: nothing recorded)."""
    if record.status == status:
        return False
    changes: dict[str, object] = {"status": status, "status_changed": now, "status_reason": reason}
    if status == "active":
        changes["confirmed"] = record.confirmed or now
        changes["paused_until"] = None
    detail = f"{record.status} -> {status}" + (f" ({reason})" if reason else "")
    with state.db.transaction():
        state.subscribers.update(record.id, changes)
        state.events.add([(record.id, now, source, "status", detail)])
        if status in INACTIVE:
            state.ledger.suppress(record.email, SUPPRESSION_REASON.get(status, reason or status))
        elif status == "active":
            state.ledger.unsuppress(record.email)
    return True


def add_subscriber(
    state: State,
    email: str,
    *,
    name: str = "",
    sections: tuple[str, ...] = (),
    frequency: str = "daily",
    timezone: str | None = None,
    origin: str = "operator",
    now: datetime,
) -> SubscriberRecord:
    """An operator adds someone who agreed to receive the newsletter: active at once.

    Refused for an address already active, and for one that unsubscribed, bounced or
    complained: only their own confirmed sign-up brings them back. A pending sign-up is
    activated. Adding a forgotten address is allowed (the operator asked for it).
    """
    existing = state.subscribers.get(email)
    if existing is not None:
        if existing.status == "pending":
            set_status(state, existing, "active", source="operator", reason=None, now=now)
            return state.subscribers.by_id(existing.id) or existing
        if existing.status == "active":
            raise InputError(f"{email} is already subscribed")
        raise InputError(
            f"{email} is {existing.status} since {existing.status_changed:%Y-%m-%d}"
            + (f" ({existing.status_reason})" if existing.status_reason else ""),
            hint="only their own confirmed sign-up (the /subscribe page) re-activates them",
        )
    suppressed = state.ledger.suppression(email)
    if suppressed is not None:
        raise InputError(
            f"{email} is suppressed since {suppressed[1]:%Y-%m-%d} ({suppressed[0]})",
            hint="only their own confirmed sign-up (the /subscribe page) re-activates them",
        )
    new = NewSubscriber(email, name, "active", sections, frequency, timezone, origin, True)
    with state.db.transaction():
        (subscriber_id,) = state.subscribers.insert([new], now)
        state.subscribers.unforget(address_hash(forget_salt(state), email))
        detail = f"added as active; sections: {describe_sections(sections)}"
        state.events.add([(subscriber_id, now, "operator", "subscribed", detail)])
    record = state.subscribers.by_id(subscriber_id)
    assert record is not None
    return record


def unsubscribe(state: State, email: str, *, source: str, now: datetime) -> bool:
    """Unsubscribe an address (on the list or not: it is suppressed either way).

    Returns False when it was already unsubscribed or suppressed (nothing changed).
    """
    record = state.subscribers.get(email)
    if record is None:
        if state.ledger.is_suppressed(email):
            return False
        state.ledger.suppress(email, "unsubscribed")
        return True
    if record.status in INACTIVE:
        return False
    return set_status(state, record, "unsubscribed", source=source, reason=source, now=now)


def resubscribe(state: State, record: SubscriberRecord, *, now: datetime) -> bool:
    """The subscriber's own signed resubscribe click: only for someone who unsubscribed."""
    if record.status != "unsubscribed":
        return False
    return set_status(state, record, "active", source="resubscribe", reason=None, now=now)


def save_preferences(
    state: State,
    record: SubscriberRecord,
    *,
    sections: tuple[str, ...],
    frequency: str,
    timezone: str | None,
    now: datetime,
    name: str | None = None,
) -> list[str]:
    """Store what the preferences page chose; returns the changes (empty: nothing changed)."""
    changes: dict[str, object] = {}
    details: list[str] = []
    if name is not None and name.strip() != record.name:
        changes["name"] = name.strip()
        details.append("name changed")
    if tuple(sections) != record.sections:
        changes["sections"] = sections
        before, after = describe_sections(record.sections), describe_sections(sections)
        details.append(f"sections: {before} -> {after}")
    if frequency != record.frequency:
        changes["frequency"] = frequency
        details.append(f"frequency: {record.frequency} -> {frequency}")
    if timezone != record.timezone:
        changes["timezone"] = timezone
        details.append(
            f"time zone: {record.timezone or 'newsletter'} -> {timezone or 'newsletter'}"
        )
    if changes:
        with state.db.transaction():
            state.subscribers.update(record.id, changes)
            state.events.add(
                [(record.id, now, "preferences page", "preferences", "; ".join(details))]
            )
    return details


def pause(state: State, record: SubscriberRecord, until: datetime | None, *, now: datetime) -> None:
    """Pause mail until `until` (None: resume now)."""
    detail = f"paused until {until:%Y-%m-%d}" if until else "resumed"
    with state.db.transaction():
        state.subscribers.update(record.id, {"paused_until": until})
        state.events.add([(record.id, now, "preferences page", "pause", detail)])


def forget(state: State, email: str, *, now: datetime) -> int | None:
    """Delete everything about an address and keep only its keyed hash, so an import cannot
    re-add it silently. Returns how many rows went (None: digest knew nothing of it)."""
    record = state.subscribers.get(email)
    with state.db.transaction():
        removed = state.ledger.forget(email) + state.feedback.forget(email)
        if record is not None:
            removed += 1 + state.events.count(record.id)
            state.subscribers.delete(record.id)
        state.preferences.forget(email)
        if record is None and removed == 0:
            return None
        state.subscribers.forget(address_hash(forget_salt(state), email), now)
    return removed


def reconcile_suppressions(state: State, *, now: datetime) -> int:
    """Give subscribers the status the delivery ledger's suppressions say (a hard bounce while
    sending becomes "bounced", with its reason). Returns how many changed."""
    changed = 0
    for subscriber_id, _, reason, since in state.subscribers.suppressed_but_listed():
        record = state.subscribers.by_id(subscriber_id)
        if record is None:
            continue
        status = status_from_suppression(reason)
        source = SOURCE_OF_STATUS.get(status, "one-click unsubscribe")
        detail = f"{record.status} -> {status} ({reason}, {since:%Y-%m-%d %H:%M})"
        with state.db.transaction():
            state.subscribers.update(
                record.id, {"status": status, "status_changed": now, "status_reason": reason}
            )
            state.events.add([(record.id, now, source, "status", detail)])
        changed += 1
    return changed


def record_complaint(state: State, email: str, detail: str, *, now: datetime) -> bool:
    """A spam complaint (a provider's feedback loop): the address gets no more mail."""
    record = state.subscribers.get(email)
    if record is None:
        state.ledger.suppress(email, "complained")
        return False
    return set_status(state, record, "complained", source="complaint", reason=detail, now=now)


def moved_address(state: State, record: SubscriberRecord, new_email: str) -> str:
    """The normalised new address for `record`, or InputError saying why it cannot move there
    (not an address, or another subscriber's)."""
    address = normalise_address(new_email, "email")
    other = state.subscribers.get(address)
    if other is not None and other.id != record.id:
        raise InputError(f"{address} is already on the list.")
    return address


def change_address(state: State, record: SubscriberRecord, new_email: str, *, now: datetime) -> str:
    """Move a subscriber to a new address they proved is theirs; one transaction with its
    event. Returns the stored address."""
    address = moved_address(state, record, new_email)
    if address == record.email:
        return address
    with state.db.transaction():
        state.subscribers.update(record.id, {"email": address, "email_key": key_of(address)})
        state.events.add([(record.id, now, "preferences page", "preferences", "address changed")])
    return address
