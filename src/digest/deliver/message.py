"""RFC 5322 messages, assembled as pre-encoded bytes from a skeleton built once per edition.

`email.message.EmailMessage` costs milliseconds per message; everything that is the same for
every subscriber (From, Reply-To, List-Id, the MIME boundary) is encoded once into a
`MessageTemplate` and each subscriber only adds To, Subject, Message-ID, List-Unsubscribe and
two quoted-printable bodies (`qp`; given pre-encoded by `personal.Composer`). Header fields are
encoded and folded by `headers.fold` (only non-ASCII words encoded). Every field passes
through `_clean`, which turns CR, LF and other control characters into spaces, so no value from
a feed or a subscriber can start a header.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from datetime import UTC, datetime
from email.utils import format_datetime, formataddr, parseaddr
from functools import lru_cache

from digest.deliver import qp
from digest.deliver.headers import fold
from digest.errors import ConfigError, PermanentDeliveryError
from digest.models import (
    Newsletter,
    OutgoingMessage,
    PersonalLinks,
    RenderedEmail,
    Subscriber,
    message_id,
    parse_mailbox,
)

_CONTROL = re.compile(r"[\x00-\x1f\x7f\u2028\u2029\x85]+")
_ADDR_SPEC = re.compile(
    r"^[^\s<>()\[\],;:\"\\@]+@[A-Za-z0-9.-]+\.[A-Za-z0-9-]+$|^[^\s<>@]+@localhost$"
)
_URL_UNSAFE = re.compile(r"[\x00-\x20<>\"\x7f]")
_LABEL_UNSAFE = re.compile(r"[^A-Za-z0-9-]+")


def _clean(value: str) -> str:
    """One line of text: control characters (CR, LF, tabs...) become single spaces."""
    return _CONTROL.sub(" ", value).strip()


def _address(value: str, what: str) -> str:
    """A bare addr-spec, or PermanentDeliveryError naming `what`."""
    address = _clean(value)
    if not _ADDR_SPEC.match(address) or not address.isascii():
        raise PermanentDeliveryError(f"{what}: not a deliverable address: {address!r}")
    return address


def _encode_header(name: str, value: str) -> str:
    """'Name: value' folded to 78 columns, the non-ASCII runs RFC 2047-encoded, CRLF-terminated."""
    short = value.isascii() and len(name) + 2 + len(value) <= 78
    if short and "  " not in value and "=?" not in value:
        return f"{name}: {value}\r\n"  # what `fold` gives a short ASCII value (tested), sooner
    return _folded_header(name, value)


@lru_cache(maxsize=4096)
def _folded_header(name: str, value: str) -> str:
    return fold(name, value)


@lru_cache(maxsize=4096)
def _address_header(name: str, display_name: str, address: str) -> str:
    """'Name: Display Name <addr>' with only the display name's non-ASCII runs encoded."""
    return fold(name, _clean(display_name), address=address)


@lru_cache(maxsize=4096)
def _mailbox(name: str, address: str) -> str:
    """'Display Name <addr>' with the name quoted or RFC 2047-encoded as needed."""
    return formataddr((_clean(name), address), charset="utf-8")


def _configured(value: str, key: str) -> tuple[str, str]:
    """A configured mailbox read with `parse_mailbox`, the reading the config check made."""
    try:
        name, raw = parse_mailbox(_clean(value))
        return name, _address(raw, key)
    except (ValueError, PermanentDeliveryError) as exc:
        raise ConfigError(f"{key}: {exc}") from exc


def _url(value: str) -> str:
    """A URL safe inside <...>: spaces, controls, quotes and angle brackets percent-encoded."""
    return _URL_UNSAFE.sub(lambda m: "".join(f"%{b:02X}" for b in m.group().encode()), value)


def _domain(address: str) -> str:
    return address.rpartition("@")[2].lower()


@dataclass(frozen=True)
class MessageTemplate:
    """The parts of an edition's messages that do not depend on the subscriber."""

    edition_id: str
    sender_name: str
    sender_address: str
    head: bytes
    boundary: str
    domain: str
    feedback_id: str | None
    list_id: str
    reply_to: str | None
    date: str

    @classmethod
    def for_edition(
        cls,
        *,
        edition_id: str,
        newsletter: Newsletter,
        now: datetime,
        list_id: str | None = None,
        feedback_id: str | None = None,
    ) -> MessageTemplate:
        name, address = _configured(newsletter.sender, "newsletter.from")
        domain = _domain(address)
        reply_to = reply_to_header = None
        if newsletter.reply_to:
            reply_pair = _configured(newsletter.reply_to, "newsletter.reply_to")
            reply_to = _mailbox(*reply_pair)
            reply_to_header = _address_header("Reply-To", *reply_pair)
        label = _LABEL_UNSAFE.sub("-", _clean(newsletter.title).lower()).strip("-") or "digest"
        list_value = (
            _clean(list_id) if list_id else f"{_clean(newsletter.title)} <{label}.{domain}>"
        )
        when = now if now.tzinfo else now.replace(tzinfo=UTC)
        date = format_datetime(when)
        token = hashlib.sha256(f"{edition_id}|{address}".encode()).hexdigest()[:24]
        boundary = f"=_digest_{token}"
        head = "".join(
            [
                _address_header("From", name or newsletter.title, address),
                reply_to_header or "",
                _encode_header("Date", date),
                "MIME-Version: 1.0\r\n",
                _encode_header("List-Id", list_value),
                "List-Unsubscribe-Post: List-Unsubscribe=One-Click\r\n",
                "Precedence: bulk\r\n",
                _encode_header("Feedback-ID", _clean(feedback_id)) if feedback_id else "",
                _encode_header("Content-Type", f'multipart/alternative; boundary="{boundary}"'),
            ]
        ).encode("ascii")
        return cls(
            edition_id=edition_id,
            sender_name=_clean(name or newsletter.title),
            sender_address=address,
            head=head,
            boundary=boundary,
            domain=domain,
            feedback_id=_clean(feedback_id) if feedback_id else None,
            list_id=list_value,
            reply_to=reply_to,
            date=date,
        )

    def message_id(self, to: str) -> str:
        """Stable per (edition, recipient): a resend after a crash carries the same id."""
        return message_id(self.edition_id, to, self.domain)

    def fill(
        self,
        *,
        subscriber: Subscriber,
        email: RenderedEmail,
        links: PersonalLinks,
        bodies: tuple[bytes, bytes] | None = None,
        date: datetime | None = None,
    ) -> OutgoingMessage:
        """The finished message for one subscriber.

        `bodies`: the text and HTML already quoted-printable encoded (`qp.encode_pieces`, the
        same bytes as encoding `email.text` and `email.html` here); encoded here without it.
        `date`: the Date header's moment when not the edition's (the hand-over to the relay).
        """
        head, stamp = self.head, self.date
        if date is not None:
            stamp = _date_value(date.replace(microsecond=0))
            head = _dated_head(head, self.date, stamp)
        to = _address(subscriber.email, f"subscriber {subscriber.email!r}")
        subject = _clean(email.subject)
        message_id = self.message_id(to)
        unsubscribe = f"<{_url(links.unsubscribe_url)}>, <{_url(links.unsubscribe_mailto)}>"
        personal = "".join(
            [
                _address_header("To", subscriber.name, to),
                _encode_header("Subject", subject),
                f"Message-ID: {message_id}\r\n",
                _encode_header("List-Unsubscribe", unsubscribe),
            ]
        ).encode("ascii")
        marker = f"--{self.boundary}\r\n".encode("ascii")
        part_head = b'Content-Type: text/%s; charset="utf-8"\r\n' + (
            b"Content-Transfer-Encoding: quoted-printable\r\n\r\n"
        )
        text, html = bodies or (qp.encode(email.text), qp.encode(email.html))
        raw = b"".join(
            [
                head,
                personal,
                b"\r\n",
                marker,
                part_head % b"plain",
                text,
                b"\r\n",
                marker,
                part_head % b"html",
                html,
                b"\r\n",
                f"--{self.boundary}--\r\n".encode("ascii"),
            ]
        )
        headers = [
            ("From", _mailbox(self.sender_name, self.sender_address)),
            ("To", _mailbox(subscriber.name, to)),
            *((("Reply-To", self.reply_to),) if self.reply_to else ()),
            ("Subject", subject),
            ("Date", stamp),
            ("Message-ID", message_id),
            ("List-Unsubscribe", unsubscribe),
            ("List-Unsubscribe-Post", "List-Unsubscribe=One-Click"),
            ("List-Id", self.list_id),
            ("Precedence", "bulk"),
            *((("Feedback-ID", self.feedback_id),) if self.feedback_id else ()),
        ]
        return OutgoingMessage(
            edition_id=self.edition_id,
            to=to,
            subject=subject,
            html=email.html,
            text=email.text,
            message_id=message_id,
            headers=tuple(headers),
            raw=raw,
        )


@lru_cache(maxsize=4)
def _date_value(date: datetime) -> str:
    """The Date header's value, made once a second (messages dated at hand-over)."""
    return format_datetime(date if date.tzinfo else date.replace(tzinfo=UTC))


@lru_cache(maxsize=4)
def _dated_head(head: bytes, date: str, stamp: str) -> bytes:
    return head.replace(f"Date: {date}\r\n".encode(), f"Date: {stamp}\r\n".encode())


@lru_cache(maxsize=8)
def message_template(
    edition_id: str,
    newsletter: Newsletter,
    now: datetime,
    list_id: str | None,
    feedback_id: str | None,
) -> MessageTemplate:
    """The edition's skeleton, built once and cached (a few editions at a time)."""
    return MessageTemplate.for_edition(
        edition_id=edition_id,
        newsletter=newsletter,
        now=now,
        list_id=list_id,
        feedback_id=feedback_id,
    )


def build_message(
    *,
    edition_id: str,
    newsletter: Newsletter,
    subscriber: Subscriber,
    email: RenderedEmail,
    links: PersonalLinks,
    now: datetime,
    list_id: str | None = None,
    feedback_id: str | None = None,
) -> OutgoingMessage:
    """One subscriber's message; the edition skeleton is built once and cached.

    Raises PermanentDeliveryError for an undeliverable subscriber address and ConfigError for
    a bad sender.
    """
    template = message_template(edition_id, newsletter, now, list_id, feedback_id)
    return template.fill(subscriber=subscriber, email=email, links=links)


def sender_address(message: OutgoingMessage) -> tuple[str, str]:
    """(display name, address) of the From header, for providers that take them apart."""
    for name, value in message.headers:
        if name == "From":
            return _parsed_mailbox(value)
    raise PermanentDeliveryError(f"{message.to}: message has no From header")


@lru_cache(maxsize=64)
def _parsed_mailbox(value: str) -> tuple[str, str]:
    """`parseaddr`, once per From header (10 us; every message of an edition has the same)."""
    return parseaddr(value)


def header(message: OutgoingMessage, name: str) -> str | None:
    """The logical (unencoded) value of a header of `message`, if present."""
    for key, value in message.headers:
        if key.lower() == name.lower():
            return value
    return None
