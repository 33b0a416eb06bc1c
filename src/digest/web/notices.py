"""One-purpose emails the subscriber pages send: confirm a sign-up, a link to preferences.

They go through the configured provider (the outbox in the default setup), like an editor's
test send. One message at a time, so the stdlib EmailMessage builds it (the hand-assembled
MIME of `digest.deliver` is for editions to many); no List-* headers: these are not list mail.
The bodies are the web templates `notice_email.html` and `notice_email.txt`.
"""

from __future__ import annotations

import email.policy
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from email.message import EmailMessage
from email.utils import format_datetime, make_msgid, parseaddr

from digest.config import Config
from digest.errors import DeliveryError
from digest.models import OutgoingMessage
from digest.web.pages import environment


@dataclass(frozen=True)
class Notice:
    """What one notice says: `kind` names its outbox file (`<kind>--<address>-<hash>.eml`)."""

    kind: str
    subject: str
    lines: tuple[str, ...]
    button: str
    url: str
    footnote: str


def notice_message(
    cfg: Config, brand: str, to: str, notice: Notice, now: datetime
) -> OutgoingMessage:
    """The complete message: text first, then HTML, parsed back by any stdlib parser."""
    newsletter = cfg.newsletter
    context = {
        "newsletter": newsletter.title,
        "language": newsletter.language,
        "subject": notice.subject,
        "lines": notice.lines,
        "button": notice.button,
        "url": notice.url,
        "footnote": notice.footnote,
        "address": newsletter.address,
        "brand": brand,
    }
    html = environment.get_template("notice_email.html").render(context)
    text = environment.get_template("notice_email.txt").render(context)
    _, sender = parseaddr(newsletter.sender)
    message = EmailMessage(policy=email.policy.SMTP)
    message["From"] = newsletter.sender
    message["To"] = to
    if newsletter.reply_to:
        message["Reply-To"] = newsletter.reply_to
    message["Subject"] = notice.subject
    message["Date"] = format_datetime(now)
    message["Message-ID"] = make_msgid(notice.kind, domain=sender.rsplit("@", 1)[-1])
    message["Auto-Submitted"] = "auto-generated"
    message.set_content(text)
    message.add_alternative(html, subtype="html")
    headers = tuple((name, str(value)) for name, value in message.items())
    return OutgoingMessage(
        edition_id=notice.kind,
        to=to,
        subject=notice.subject,
        html=html,
        text=text,
        message_id=str(message["Message-ID"]),
        headers=headers,
        raw=message.as_bytes(),
    )


def send_notice(cfg: Config, environ: Mapping[str, str], message: OutgoingMessage) -> None:
    """Hand one notice to the configured provider; DeliveryError when it is refused."""
    from digest import dispatch

    sender = dispatch.provider(cfg, environ)
    try:
        (result,) = sender.send([message])
    finally:
        sender.close()
    if result.status != "sent":
        raise DeliveryError(f"{message.edition_id} email to {message.to} not sent: {result.error}")
