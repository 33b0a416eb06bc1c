"""Frozen dataclasses that cross stage boundaries. No I/O here.

Flow: SourceConfig -> Article (gather) -> Summary (summarize) -> Story -> Section -> Digest
(compose) -> RenderedEdition (render, once per edition) -> OutgoingMessage (per subscriber)
-> DeliveryResult (deliver). Problems collect in the RunReport instead of crashing a run.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field
from datetime import datetime
from email.utils import getaddresses
from typing import Literal

SourceKind = Literal["feed", "page"]


@dataclass(frozen=True)
class SourceConfig:
    """One configured source: a feed or a web page, local path or http(s) URL."""

    name: str
    url: str
    kind: SourceKind
    section: str | None = None
    full_text: bool = False
    weight: float = 1.0


@dataclass(frozen=True)
class Article:
    """A cleaned article as gathered: plain text body, sanitised HTML optional."""

    url: str
    title: str
    text: str
    source: str
    section: str | None = None
    published: datetime | None = None
    author: str | None = None
    html: str | None = None
    image_url: str | None = None
    language: str | None = None  # BCP 47 code from the feed, the page or a detector

    @property
    def key(self) -> str:
        """Stable identity used by the state store (the canonical URL)."""
        return self.url


@dataclass(frozen=True)
class Summary:
    """What the summarizer says of an article."""

    headline: str
    section: str | None
    key_points: tuple[str, ...]


@dataclass(frozen=True)
class Link:
    """A titled link, e.g. another outlet covering the same story."""

    title: str
    url: str


@dataclass(frozen=True)
class Story:
    """One story of a digest: a summarized article plus the other coverage clustered with it."""

    headline: str
    url: str
    source: str
    key_points: tuple[str, ...]
    section: str
    published: datetime | None = None
    article_key: str = ""
    also_in: tuple[Link, ...] = ()
    image_url: str | None = None
    word_count: int = 0


@dataclass(frozen=True)
class Section:
    """A titled group of stories in the configured order."""

    name: str
    stories: tuple[Story, ...]


@dataclass(frozen=True)
class Digest:
    """One edition's content, before rendering. The same inputs always give the same Digest."""

    edition_id: str
    title: str
    subject: str
    preheader: str
    sections: tuple[Section, ...]
    created: datetime
    intro: str | None = None
    lead: int = 0  # index in `stories` of the top-ranked story (the subject's): shown first

    @property
    def stories(self) -> tuple[Story, ...]:
        return tuple(story for section in self.sections for story in section.stories)


@dataclass(frozen=True)
class Subscriber:
    """A recipient; `sections` empty means every section.

    `frequency` is "daily" or "weekly" (which kind of edition they get); `timezone` is an IANA
    zone name for local-time delivery, or None for the newsletter's own zone. `key` is the
    stored subscriber's random id, bound into their links instead of the address.
    """

    email: str
    name: str = ""
    sections: tuple[str, ...] = ()
    active: bool = True
    frequency: str = "daily"
    timezone: str | None = None
    key: str = ""  # the opaque id signed links carry; "" for an address not on the list


def parse_mailbox(value: str) -> tuple[str, str]:
    """`addr@host` or `Name <addr@host>` -> (name, address), read by the stdlib's parser.

    The one reading of a configured sender or Reply-To, used by the config check and by the
    message headers alike. Raises ValueError when the value is ambiguous: not exactly one
    mailbox, or one whose address is not the one in its last angle brackets (an unquoted `:`
    or `@` in the name makes `Desk: x@other.org <digest@example.com>` read as x@other.org).
    """
    text = value.strip()
    pairs = getaddresses([text])
    if len(pairs) != 1 or not pairs[0][1]:
        raise ValueError("must be one address: 'addr@host' or 'Name <addr@host>'")
    name, address = pairs[0]
    bracketed = text.rsplit("<", 1)[-1].rstrip(">").strip() if "<" in text else text
    if address != bracketed:
        raise ValueError(
            f"ambiguous: it reads as {address!r}, not {bracketed!r}; "
            'quote the name: "Name: more" <addr@host>'
        )
    return name, address


_LABEL_UNSAFE = re.compile(r"[^A-Za-z0-9-]+")


def message_id(edition_id: str, to: str, domain: str) -> str:
    """The Message-ID of an edition's message to one address: stable, so a resend after a crash
    carries the same id, and returned mail quoting it is matched to the edition it answers."""
    digest = hashlib.sha256(f"{edition_id}|{to.lower()}".encode()).hexdigest()[:32]
    edition = _LABEL_UNSAFE.sub("-", edition_id)[:40] or "edition"
    return f"<{edition}.{digest}@{domain}>"


@dataclass(frozen=True)
class Newsletter:
    """The [newsletter] table: who sends, where it lives, how much goes in."""

    title: str
    sender: str
    address: str
    base_url: str
    max_stories: int = 10
    lookback_hours: int = 48
    reply_to: str | None = None
    language: str = "en"
    list_id: str | None = None
    feedback_id: str | None = None


@dataclass(frozen=True)
class PersonalLinks:
    """Per-subscriber links substituted into the rendered edition."""

    unsubscribe_url: str
    unsubscribe_mailto: str
    preferences_url: str
    browser_url: str


@dataclass(frozen=True)
class RenderedEmail:
    """A finished email body for one subscriber (or the edition's sample)."""

    subject: str
    html: str
    text: str


@dataclass(frozen=True)
class OutgoingMessage:
    """Everything a provider needs for one recipient; `raw` is the full RFC 5322 message."""

    edition_id: str
    to: str
    subject: str
    html: str
    text: str
    message_id: str
    headers: tuple[tuple[str, str], ...]
    raw: bytes


DeliveryStatus = Literal["sent", "failed", "retry"]


@dataclass(frozen=True)
class DeliveryResult:
    """What a provider did with one message."""

    to: str
    status: DeliveryStatus
    provider_id: str | None = None
    error: str | None = None
    retry_after: float | None = None


@dataclass(frozen=True)
class Problem:
    """A failure of one item (a source, an article, an address) that did not stop the run."""

    stage: str
    subject: str
    message: str


@dataclass(frozen=True)
class RunReport:
    """What one run did, for the CLI to print and `digest status` to show."""

    edition_id: str | None
    stories: int
    sent: int
    failed: int
    skipped: int
    problems: tuple[Problem, ...] = ()
    outbox: str | None = None
    dry_run: bool = False
    notes: tuple[str, ...] = field(default_factory=tuple)
    stopped: str | None = None
    pending: int = 0
    breakdown: tuple[tuple[str, str, int], ...] = ()  # (failed|skipped, reason, recipients)
    kind: str = "daily"  # daily | weekly
    interrupted: str | None = None  # the signal that asked the run to stop (SIGTERM, SIGINT)
    awaiting_approval: bool = False  # built, not sent: an editor has not approved it yet
    scheduled: int = 0  # recipients waiting for their local delivery time
    next_delivery: datetime | None = None  # when the next of them is due (UTC)
    sources: int = 0  # sources gathered by this run
    sources_failed: int = 0
    resumed: bool = False  # it finished an earlier, interrupted edition instead of a new one
    prepared: bool = False  # stored with its recipients pending, for senders to send

    @property
    def every_source_failed(self) -> bool:
        """The run gathered and not one source answered: a job failure, whatever was sent."""
        return self.sources > 0 and self.sources_failed == self.sources
