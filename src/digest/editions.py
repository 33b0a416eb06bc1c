"""Edition bookkeeping between the stages: storing an edition, reviving it, approving it.

An edition is stored in one transaction with the articles it consumes and a pending ledger row
per recipient, so a crash leaves either no edition or one that `digest send` finishes. What an
editor approves is a fingerprint of the edition's content; any change needs a new approval.

A daily edition goes to the subscribers who chose daily, a weekly one to those who chose
weekly. With local-time delivery the recipients are grouped by time zone: a zone whose
moment has come is queued at once, the others are planned as batches queued when due.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from digest.deliver import browser_html
from digest.files import write_atomic
from digest.models import Digest, Newsletter, Problem, Story, Subscriber
from digest.render import RenderedEdition
from digest.state import EditionRecord, Firing, LocalBatch, State
from digest.subscribers import SubscriberList, wants_any

SCHEDULED = "scheduled"  # the batch of a send scheduled from the desk (not a time zone)


@dataclass(frozen=True)
class Built:
    """A composed and rendered edition that has not been stored or sent."""

    digest: Digest
    rendered: RenderedEdition
    problems: tuple[Problem, ...]
    kind: str = "daily"


@dataclass(frozen=True)
class LocalDelivery:
    """[schedule] deliver_at_local: each recipient's copy at `at` in their zone (or `zone`)."""

    at: time
    zone: str


def fingerprint(digest: Digest) -> str:
    """What an editor approves: the stories, their points and order, which one leads, the
    subject, preheader and intro.

    The digest is built from the stored summaries (`digest.summaries`) with the editor's
    rewrites on top, so the same edition gives the same fingerprint at every look and at the
    send: what was approved is byte for byte what is sent. Who made a summary is left out on
    purpose: a refresh that gives the same words keeps the approval, one that changes them
    asks for a new one."""
    content = [
        digest.subject,
        digest.intro or "",
        [[s.article_key, s.headline, s.section, list(s.key_points)] for s in digest.stories],
        digest.lead,
        digest.preheader,
    ]
    return hashlib.sha256(json.dumps(content, ensure_ascii=False).encode()).hexdigest()


def store_edition(
    newsletter: Newsletter,
    state: State,
    built: Built,
    subscribers: SubscriberList,
    secret: str,
    now: datetime,
    *,
    firing: Firing | None = None,
    local: LocalDelivery | None = None,
    until: datetime | None = None,
) -> None:
    """Edition, consumed articles and pending ledger rows (or planned batches), one transaction.

    The firing that made the edition, if any, is linked to it in the same transaction, so a
    restarted scheduler resumes this edition instead of building another for that firing.
    `until` (a send scheduled from the desk) holds every recipient until then: one batch,
    or with local-time delivery each zone's batch at its local time from then on.
    """
    digest = built.digest
    with state.db.transaction():
        state.editions.add(
            digest.edition_id,
            created=now,
            subject=digest.subject,
            stories=len(digest.stories),
            rendered=dataclasses.asdict(built.rendered),
            browser_html=browser_html(newsletter, built.rendered),
            kind=built.kind,
        )
        used = [key for story in digest.stories for key in story_keys(story)]
        state.articles.assign(used, digest.edition_id, built.kind)
        state.editorial.consume(used, built.kind)
        wanted = [
            s
            for s in subscribers.subscribers
            if s.active and s.frequency == built.kind and wants_any(s, built.rendered.section_names)
        ]
        if local is not None:
            since = until or (firing.due if firing is not None else now)
            batches = local_batches(digest.edition_id, wanted, local, since)
            due = [b for b in batches if b.send_at <= now]
            state.ledger.enqueue(digest.edition_id, [e for b in due for e in b.emails])
            state.batches.plan(digest.edition_id, [b for b in batches if b.send_at > now])
        elif until is not None:
            held = LocalBatch(digest.edition_id, SCHEDULED, until, tuple(s.email for s in wanted))
            state.batches.plan(digest.edition_id, [held])
        else:
            state.ledger.enqueue(digest.edition_id, [s.email for s in wanted])
        if firing is not None:
            state.firings.link(firing.kind, firing.slot, digest.edition_id)


def local_send_time(at: time, zone: ZoneInfo, since: datetime) -> datetime:
    """The first `at` on `zone`'s wall clock at or after `since` (to the minute), in UTC.

    A wall time that a DST change skips is read with the offset before the change (02:30 on a
    spring-forward night is 03:30 daylight time), as zoneinfo does.
    """
    local = since.astimezone(zone).replace(second=0, microsecond=0)
    moment = datetime.combine(local.date(), at, tzinfo=zone)
    if moment.astimezone(UTC) < local.astimezone(UTC):
        moment = datetime.combine(local.date() + timedelta(days=1), at, tzinfo=zone)
    return moment.astimezone(UTC)


def local_batches(
    edition_id: str, wanted: Iterable[Subscriber], local: LocalDelivery, since: datetime
) -> list[LocalBatch]:
    """The recipients grouped by time zone, each group with its moment; earliest first."""
    zones: dict[str, list[str]] = {}
    for subscriber in wanted:
        zones.setdefault(_zone_name(subscriber.timezone, local.zone), []).append(subscriber.email)
    batches = [
        LocalBatch(
            edition_id, zone, local_send_time(local.at, ZoneInfo(zone), since), tuple(emails)
        )
        for zone, emails in zones.items()
    ]
    return sorted(batches, key=lambda b: (b.send_at, b.zone))


def _zone_name(name: str | None, default: str) -> str:
    """The subscriber's zone when it is a known one, else the configured zone."""
    if not name:
        return default
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return default
    return name


def story_keys(story: Story) -> list[str]:
    """The articles a story uses: its lead and the other outlets' coverage clustered with it."""
    return [story.article_key, *(link.url for link in story.also_in)]


def revived(record: EditionRecord) -> RenderedEdition:
    """The rendered edition of a stored record, as it was stored."""
    return RenderedEdition(**_revive(record.rendered))


def write_outbox_preview(outbox: Path, edition_id: str, html: str) -> None:
    """With the outbox provider, also `<outbox>/<edition>/digest.html` to open in a browser."""
    write_atomic(outbox / edition_id / "digest.html", html.encode())


def _revive(value: Any) -> Any:
    """JSON lists back to the tuples the frozen dataclasses hold."""
    if isinstance(value, list):
        return tuple(_revive(item) for item in value)
    if isinstance(value, dict):
        return {key: _revive(item) for key, item in value.items()}
    return value
