"""Bounces, complaints and unsubscribes reported after a send, applied to the list.

Every source (a provider's webhook, the bounce mailbox) turns what it heard into `Feedback`
events; `apply_feedback` applies each once (events are keyed by source and id, so a retried
webhook or a mailbox read twice changes nothing the second time), ties it to the edition it
answers where it can (the provider's message id in the ledger, or the Message-ID digest gave
the message), and says in one line what it did.

- a hard bounce suppresses an active or pending subscriber at once: status bounced;
- a soft bounce is counted; `[bounces] soft_limit` of them within `soft_window_days` (one per
  edition: the warnings and retries of one message count once) suppress as bounced;
- a complaint suppresses whatever the status was: complained;
- an unsubscribe (a provider's own link or list, a mail to the List-Unsubscribe mailto:)
  unsubscribes an active or pending subscriber.
An address that is not on the list is reported and left alone: nothing is stored for it (it
may be an address someone asked digest to forget).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from digest.errors import ConfigError
from digest.models import message_id
from digest.state import State, SubscriberRecord, key_of
from digest.subscribers.lifecycle import set_status

KINDS = {
    "bounce": "hard bounce",
    "soft": "soft bounce",
    "complaint": "complaint",
    "unsubscribe": "unsubscribe",
}
SOURCE_OF_KIND = {
    "bounce": "bounce",
    "soft": "bounce",
    "complaint": "complaint",
    "unsubscribe": "provider unsubscribe",
}
LISTED = ("active", "pending")


@dataclass(frozen=True)
class BounceSettings:
    """The [bounces] table: when soft bounces suppress, and the mailbox the scheduler reads."""

    soft_limit: int = 3
    soft_window_days: int = 30
    mailbox: Path | None = None


def bounce_settings_from_table(
    table: Mapping[str, Any], *, base_dir: Path, key: str = "bounces"
) -> BounceSettings:
    """Build BounceSettings from a [bounces] table; raise ConfigError naming the key."""
    known = set(BounceSettings.__dataclass_fields__)
    for name in table:
        if name not in known:
            raise ConfigError(
                f"{key}.{name}: unknown key",
                hint=f"known keys in [{key}]: {', '.join(sorted(known))}",
            )
    defaults = BounceSettings()
    numbers: dict[str, int] = {}
    for name in ("soft_limit", "soft_window_days"):
        value = table.get(name, getattr(defaults, name))
        if isinstance(value, bool) or not isinstance(value, int) or value <= 0:
            raise ConfigError(f"{key}.{name}: must be a positive whole number, got {value!r}")
        numbers[name] = value
    mailbox = table.get("mailbox")
    if mailbox is not None and (not isinstance(mailbox, str) or not mailbox.strip()):
        raise ConfigError(f"{key}.mailbox: must be a path to a Maildir or an mbox, got {mailbox!r}")
    return BounceSettings(
        soft_limit=numbers["soft_limit"],
        soft_window_days=numbers["soft_window_days"],
        mailbox=base_dir / mailbox if mailbox else None,
    )


@dataclass(frozen=True)
class Feedback:
    """One thing a provider or a returned mail says about one address.

    `kind`: bounce (permanent), soft (temporary), complaint or unsubscribe. `event_id` is unique
    within `source` (the provider's event id, or the returned message's key and the address).
    `provider_ids` are the provider's ids of the message it answers (as the ledger may hold
    them), `message_ids` the Message-ID headers quoted from it.
    """

    source: str
    event_id: str
    kind: str
    email: str
    detail: str
    at: datetime | None = None
    provider_ids: tuple[str, ...] = ()
    message_ids: tuple[str, ...] = ()


@dataclass(frozen=True)
class Outcome:
    """What one event did; `result` is one of the words in `line`."""

    event: Feedback
    email: str
    result: str
    edition_id: str | None

    @property
    def changed(self) -> bool:
        return self.result in ("suppressed", "unsubscribed")

    def line(self) -> str:
        edition = f"edition {self.edition_id}" if self.edition_id else "edition unknown"
        detail = f": {self.event.detail}" if self.event.detail else ""
        return f"{self.email}: {KINDS[self.event.kind]}{detail} ({edition}) -> {self.result}"


def locate(state: State, event: Feedback) -> tuple[str | None, str]:
    """(the edition the event answers, the address) from the ledger: the provider's message id
    first, then a quoted Message-ID that is the one digest gave its message to this address.

    digest's Message-IDs are `<edition.hash@domain>` (`models.message_id`); the edition ids it
    makes are already safe there, so the edition is read back from the id and checked by
    making the id again, without a search through every edition sent to the address.
    """
    email = key_of(event.email)
    for edition_id, address in state.ledger.by_provider_id(event.provider_ids):
        if address == email:
            return edition_id, address
    for quoted in event.message_ids:
        local, _, domain = quoted.strip().strip("<>").rpartition("@")
        edition_id = local.partition(".")[0]
        if edition_id and message_id(edition_id, email, domain) == f"<{local}@{domain}>":
            return edition_id, email
    return None, email


def apply_feedback(
    state: State, events: Iterable[Feedback], settings: BounceSettings, *, now: datetime
) -> list[Outcome]:
    """Apply each event once, each in its own transaction (or the caller's)."""
    outcomes = []
    for event in events:
        with state.db.transaction():
            outcomes.append(_apply(state, event, settings, now))
    return outcomes


def _apply(state: State, event: Feedback, settings: BounceSettings, now: datetime) -> Outcome:
    edition_id, email = locate(state, event)
    record = state.subscribers.get(email)
    if record is None:
        return Outcome(event, email, "not on the list: nothing changed", edition_id)
    fresh = state.feedback.record(
        event.source,
        event.event_id,
        email,
        event.kind,
        edition_id=edition_id,
        detail=event.detail[:300],
        at=event.at or now,
        now=now,
    )
    if not fresh:
        return Outcome(event, email, "already processed", edition_id)
    result = _change(state, record, event, settings, edition_id, now)
    state.feedback.set_outcome(event.source, event.event_id, result)
    return Outcome(event, email, result, edition_id)


def _change(
    state: State,
    record: SubscriberRecord,
    event: Feedback,
    settings: BounceSettings,
    edition_id: str | None,
    now: datetime,
) -> str:
    where = f"{event.source}" + (f", edition {edition_id}" if edition_id else "")
    reason = f"{event.detail[:200]} ({where})" if event.detail else where
    source = SOURCE_OF_KIND[event.kind]
    if event.kind == "complaint":
        if record.status == "complained":
            return "already complained"
        set_status(state, record, "complained", source=source, reason=reason, now=now)
        return "suppressed"
    if record.status not in LISTED:
        return f"already {record.status}"
    if event.kind == "unsubscribe":
        if event.source == "mailbox":
            source = "unsubscribe email"
        set_status(state, record, "unsubscribed", source=source, reason=reason, now=now)
        return "unsubscribed"
    if event.kind == "soft":
        since = now - timedelta(days=settings.soft_window_days)
        count = state.feedback.soft_bounces(record.email, since)
        days = settings.soft_window_days
        if count < settings.soft_limit:
            return f"counted: {count} of {settings.soft_limit} soft bounces in {days} days"
        reason = f"{count} soft bounces in {days} days; last: {reason}"
    set_status(state, record, "bounced", source=source, reason=reason, now=now)
    return "suppressed"
