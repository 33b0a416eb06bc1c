"""Double opt-in: a sign-up stores a pending subscriber and a single-use confirmation; only
confirming it (within `confirm_hours`) activates the address.

The caller answers every sign-up the same way, whatever the address's state (no enumeration):
what differs is only which email goes out. Rate limits count attempts per address and per
client IP over the last hour, both keyed by a hash, never in clear: past the per-address limit
nothing is sent (same answer); past the per-IP limit the caller says "try later".
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Literal

from digest.errors import InputError
from digest.state import NewSubscriber, State, SubscriberRecord
from digest.subscribers.lifecycle import (
    describe_sections,
    forget_salt,
    set_status,
    status_from_suppression,
)
from digest.subscribers.lists import MAX_NAME, check_sections, check_text, normalise_address
from digest.subscribers.settings import SubscriberSettings
from digest.subscribers.tokens import address_hash

HOUR = 3600.0

SignUpAction = Literal["confirm", "notice", "none", "limited"]
ConfirmOutcome = Literal["ready", "confirmed", "already", "expired", "used", "invalid"]


@dataclass(frozen=True)
class SignUp:
    """What to send: "confirm" (a confirmation link with `nonce`), "notice" (already active:
    a link to their preferences), "none", or "limited" (too many sign-ups from this client)."""

    action: SignUpAction
    record: SubscriberRecord | None = None
    nonce: str | None = None


@dataclass(frozen=True)
class Confirmation:
    outcome: ConfirmOutcome
    record: SubscriberRecord | None = None


def allowed(
    state: State, email: str | None, ip: str, settings: SubscriberSettings, now: datetime
) -> tuple[bool, bool]:
    """(client within its limit, address within its limit), counting this attempt."""
    salt = forget_salt(state)
    stamp = now.timestamp()
    scopes = {"ip": "ip:" + address_hash(salt, ip)[:24]}
    if email is not None:
        scopes["to"] = "to:" + address_hash(salt, email)[:24]
    store = state.subscribers
    if store.attempts(scopes["ip"], stamp - HOUR) >= settings.signups_per_ip_per_hour:
        return False, False
    to_ok = "to" not in scopes or (
        store.attempts(scopes["to"], stamp - HOUR) < settings.signups_per_address_per_hour
    )
    store.record_attempts(scopes.values(), stamp, keep_after=stamp - 24 * HOUR)
    return True, to_ok


def clean_form(email: str, name: str) -> tuple[str, str]:
    """The address (syntax checked) and name from a form; InputError says what is wrong."""
    address = normalise_address(email, "email")
    clean_name = check_text(name, "name", "name")
    if len(clean_name) > MAX_NAME:
        raise InputError(f"name: longer than {MAX_NAME} characters")
    return address, clean_name


def sign_up(
    state: State,
    email: str,
    *,
    name: str,
    sections: tuple[str, ...],
    ip: str,
    settings: SubscriberSettings,
    now: datetime,
) -> SignUp:
    """Record a sign-up; raises InputError for an address that is not one."""
    address, clean_name = clean_form(email, name)
    sections = check_sections(sections, "sections")
    client_ok, address_ok = allowed(state, address, ip, settings, now)
    if not client_ok:
        return SignUp("limited")
    if not address_ok:
        return SignUp("none")
    record = state.subscribers.get(address)
    if record is not None and record.status == "active":
        return SignUp("notice", record)
    nonce = secrets.token_urlsafe(16)
    with state.db.transaction():
        if record is None:
            suppressed = state.ledger.suppression(address)
            status = status_from_suppression(suppressed[0]) if suppressed else "pending"
            new = NewSubscriber(
                address,
                clean_name,
                status,
                sections,
                "daily",
                None,
                "web",
                False,
                status_reason=suppressed[0] if suppressed else None,
            )
            (subscriber_id,) = state.subscribers.insert([new], now)
            detail = f"waiting for confirmation; sections: {describe_sections(sections)}"
            state.events.add([(subscriber_id, now, "sign-up", "signed up", detail)])
        else:
            subscriber_id = record.id
            detail = f"signed up again while {record.status}; waiting for confirmation"
            state.events.add([(subscriber_id, now, "sign-up", "signed up", detail)])
        state.subscribers.add_confirmation(nonce, subscriber_id, clean_name, sections, now)
    return SignUp("confirm", state.subscribers.by_id(subscriber_id), nonce)


def check_confirmation(
    state: State, nonce: str, *, settings: SubscriberSettings, now: datetime
) -> Confirmation:
    """What confirming would do, changing nothing: "ready" when it would activate."""
    found = state.subscribers.confirmation(nonce)
    record = state.subscribers.by_id(found[0]) if found else None
    if found is None or record is None:
        return Confirmation("invalid")
    created, used = found[3], found[4]
    if used or (record.status == "active" and record.confirmed is not None):
        return Confirmation("already" if record.status == "active" else "used", record)
    if now - created > timedelta(hours=settings.confirm_hours):
        return Confirmation("expired", record)
    return Confirmation("ready", record)


def confirm(
    state: State, nonce: str, *, settings: SubscriberSettings, now: datetime
) -> Confirmation:
    """Activate the subscriber of a sign-up: once, and only within `confirm_hours`."""
    checked = check_confirmation(state, nonce, settings=settings, now=now)
    found = state.subscribers.confirmation(nonce)
    if checked.outcome != "ready" or checked.record is None or found is None:
        return checked
    record = checked.record
    _, name, sections, _, _ = found
    with state.db.transaction():
        state.subscribers.use_confirmation(nonce, now)
        changes: dict[str, object] = {"sections": sections}
        if name:
            changes["name"] = name
        state.subscribers.update(record.id, changes)
        set_status(state, record, "active", source="confirmation", reason=None, now=now)
        state.subscribers.unforget(address_hash(forget_salt(state), record.email))
    return Confirmation("confirmed", state.subscribers.by_id(record.id))


def link_request(
    state: State, email: str, *, ip: str, settings: SubscriberSettings, now: datetime
) -> tuple[bool, SubscriberRecord | None]:
    """Someone asks for their preferences link by email: (client within limit, whom to send
    it to). Nobody is told whether the address is on the list."""
    address = normalise_address(email, "email")
    client_ok, address_ok = allowed(state, address, ip, settings, now)
    if not client_ok:
        return False, None
    record = state.subscribers.get(address)
    if not address_ok or record is None or record.status not in ("active", "unsubscribed"):
        return True, None
    return True, record
