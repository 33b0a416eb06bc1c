"""Returned mail for SMTP senders: a Maildir or an mbox of bounces, read with Mailman's detector.

`flufl.bounce` recognises RFC 3464 DSNs and the many formats real servers send instead
(Exim, qmail, Exchange, ...): its permanent failures are hard bounces, its temporary ones
(delay warnings) soft bounces. A message it finds nothing in may be a request sent to the
List-Unsubscribe mailto: (subject "unsubscribe <address>"), applied when it comes from that
address. Each message is tied to the edition it answers through the Message-ID it quotes
(digest's ids are stable per edition and address), and remembered, bounce or not, so a
mailbox read again is never applied twice. A message that cannot be read is reported, never
a crash: the rest of the mailbox is still read.
"""

from __future__ import annotations

import email
import hashlib
import logging
import mailbox
import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from email.errors import MessageError
from email.header import decode_header, make_header
from email.message import Message
from email.parser import BytesHeaderParser
from email.utils import parseaddr, parsedate_to_datetime
from pathlib import Path

from digest.errors import InputError
from digest.state import State
from digest.subscribers.feedback import BounceSettings, Feedback, Outcome, apply_feedback

_QUOTED_ID = re.compile(r"^\s*Message-ID:\s*(<[^<>\s]+@[^<>\s]+>)", re.IGNORECASE | re.MULTILINE)
_UNSUBSCRIBE = re.compile(r"^\s*unsubscribe\b\s*<?([^\s<>]+@[^\s<>]+?)?>?\s*$", re.IGNORECASE)


@dataclass(frozen=True)
class Returned:
    """What one message was: `result` is one of RESULTS; `note` says more (why a message could
    not be read or a request was not applied); `outcomes` what its events did."""

    key: str
    subject: str
    result: str
    outcomes: tuple[Outcome, ...] = ()
    note: str = ""

    def lines(self) -> list[str]:
        head = f"{self.key}: {self.result}"
        if not self.outcomes:
            said = self.note or self.subject
            return [f"{head} ({said})" if said else head]
        return [f"{head}: {outcome.line()}" for outcome in self.outcomes]


RESULTS = (
    "bounce",
    "unsubscribe request",
    "unsubscribe request not applied",
    "not a bounce",
    "unreadable",
    "already processed",
)


def open_mailbox(path: Path) -> mailbox.Maildir | mailbox.mbox:
    """A Maildir (a folder with cur/ and new/) or an mbox file, or InputError naming the path."""
    if path.is_dir():
        if not ((path / "cur").is_dir() and (path / "new").is_dir()):
            raise InputError(
                f"{path}: a folder but not a Maildir (no cur/ and new/)",
                hint="give a Maildir folder or an mbox file",
            )
        return mailbox.Maildir(path, factory=None, create=False)
    if not path.is_file():
        raise InputError(f"{path}: no such Maildir or mbox")
    with path.open("rb") as file:
        start = file.read(5)
    if start and start != b"From ":
        raise InputError(f"{path}: not an mbox (it does not start with a 'From ' line)")
    return mailbox.mbox(path, factory=None, create=False)


def message_key(raw: bytes) -> str:
    """A returned message's identity: its Message-ID, or, when it has none, a hash of its
    text with line ends and trailing blank lines made alike (as a Maildir and an mbox copy of
    one message differ)."""
    headers = BytesHeaderParser().parsebytes(raw)
    own = str(headers.get("Message-ID") or "").strip()
    if own:
        return f"mid:{own}"
    text = raw.replace(b"\r\n", b"\n").rstrip()
    return f"sha256:{hashlib.sha256(text).hexdigest()}"


def process_mailbox(
    state: State, path: Path, settings: BounceSettings, *, now: datetime
) -> Iterator[Returned]:
    """Apply every message of the mailbox not processed before, one transaction each."""
    box = open_mailbox(path)
    try:
        for key in box.iterkeys():
            raw = box.get_bytes(key)
            yield process_message(state, str(key), raw, settings, now=now)
    finally:
        box.close()


def process_message(
    state: State, where: str, raw: bytes, settings: BounceSettings, *, now: datetime
) -> Returned:
    key = message_key(raw)
    if state.feedback.message_seen([key]):
        return Returned(where, "", "already processed")
    message = email.message_from_bytes(raw)
    subject = _subject(message)
    try:
        events, result, note = read_returned(message, key, now)
    # flufl.bounce's detectors re-raise whatever a malformed message makes them raise; a
    # message that defeats them is reported and the mailbox goes on.
    except Exception as exc:
        with state.db.transaction():
            state.feedback.mark_message(key, "unreadable", now)
        return Returned(where, subject, "unreadable", note=f"{type(exc).__name__}: {exc}")
    with state.db.transaction():
        outcomes = apply_feedback(state, events, settings, now=now)
        state.feedback.mark_message(key, result, now)
    return Returned(where, subject, result, tuple(outcomes), note)


def read_returned(message: Message, key: str, now: datetime) -> tuple[list[Feedback], str, str]:
    """The events a returned message holds, what it was (one of RESULTS), and a note."""
    from flufl.bounce import all_failures

    # flufl.bounce logs a traceback before re-raising a detector's error; the caller reports
    # the error in one line instead, so the library's own log goes nowhere.
    quiet = logging.getLogger("flufl.bounce")
    quiet.propagate = False
    if not quiet.handlers:
        quiet.addHandler(logging.NullHandler())

    temporary, permanent = all_failures(message)
    at = _date(message, now)
    quoted = tuple(quoted_message_ids(message))
    status = _statuses(message)
    events = []
    for kind, found in (("bounce", permanent), ("soft", temporary - permanent)):
        for raw in sorted(found):
            address = raw.decode("ascii", "replace")
            detail = status.get(address.lower()) or (
                "permanent failure" if kind == "bounce" else "delayed"
            )
            events.append(
                Feedback(
                    "mailbox", f"{key}:{address.lower()}", kind, address, detail, at, (), quoted
                )
            )
    if events:
        return events, "bounce", ""
    request = _unsubscribe_request(message, key, at)
    if request is None:
        return [], "not a bounce", ""
    if isinstance(request, str):
        return [], "unsubscribe request not applied", request
    return [request], "unsubscribe request", ""


def quoted_message_ids(message: Message) -> Iterator[str]:
    """Message-IDs of the original message a bounce quotes: its attached message or headers,
    the bounce's own In-Reply-To, and Message-ID lines in a text copy (qmail, Exim)."""
    own = str(message.get("Message-ID") or "").strip()
    seen = {own}
    for value in (message.get("In-Reply-To"), message.get("References")):
        for found in re.findall(r"<[^<>\s]+@[^<>\s]+>", str(value or "")):
            if found not in seen:
                seen.add(found)
                yield found
    for part in message.walk():
        kind = part.get_content_type()
        payload = part.get_payload()
        if kind == "message/rfc822" and isinstance(payload, list) and payload:
            inner = payload[0]
            value = str(inner.get("Message-ID") or "").strip() if isinstance(inner, Message) else ""
            texts = [f"Message-ID: {value}"] if value else []
        elif part.get_content_maintype() == "text" or kind == "text/rfc822-headers":
            body = part.get_payload(decode=True)
            texts = [body.decode("utf-8", "replace")] if isinstance(body, bytes) else []
        else:
            continue
        for text in texts:
            for found in _QUOTED_ID.findall(text):
                if found not in seen:
                    seen.add(found)
                    yield found


def _statuses(message: Message) -> dict[str, str]:
    """Per failed recipient (lower-cased), the DSN's status and diagnostic, when it has them."""
    found: dict[str, str] = {}
    for part in message.walk():
        if part.get_content_type() != "message/delivery-status" or not part.is_multipart():
            continue
        for block in part.get_payload():
            if not isinstance(block, Message):
                continue
            recipient = str(block.get("Final-Recipient") or block.get("Original-Recipient") or "")
            address = recipient.rpartition(";")[2].strip().strip("<>").lower()
            said = " ".join(str(block.get(k) or "") for k in ("Status", "Diagnostic-Code"))
            if address and said.strip():
                found[address] = " ".join(said.split())[:200]
    return found


def _unsubscribe_request(message: Message, key: str, at: datetime) -> Feedback | str | None:
    """A mail to the List-Unsubscribe mailto:, from the address it names (or the sender)."""
    match = _UNSUBSCRIBE.match(_subject(message))
    if match is None or str(message.get("Auto-Submitted") or "no").lower() != "no":
        return None
    sender = parseaddr(str(message.get("From") or ""))[1].strip().lower()
    named = (match.group(1) or sender).strip().lower()
    if not sender or named != sender:
        return (
            f"for {named or 'nobody'} from {sender or 'nobody'}:"
            " only the subscriber's own address may ask"
        )
    return Feedback("mailbox", f"{key}:{named}", "unsubscribe", named, "unsubscribe email", at)


def _subject(message: Message) -> str:
    try:
        return " ".join(str(make_header(decode_header(str(message.get("Subject") or "")))).split())
    except (ValueError, LookupError, UnicodeError, MessageError):
        return " ".join(str(message.get("Subject") or "").split())


def _date(message: Message, now: datetime) -> datetime:
    """When the mail says it was written (never later than now), else now."""
    try:
        moment = parsedate_to_datetime(str(message.get("Date") or ""))
    except (TypeError, ValueError, IndexError):
        return now
    if moment.tzinfo is None:
        return now
    return min(moment, now)
