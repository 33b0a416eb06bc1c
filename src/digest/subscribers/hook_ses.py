"""Amazon SES bounce and complaint notifications, delivered by SNS (verified in `sns`).

Configured by `[webhooks.ses] topic_arns`, the SNS topics SES publishes to. A
SubscriptionConfirmation is confirmed; a Notification's message is an SES notification
(notificationType) or event (eventType): Bounce (bounceType Permanent suppresses, Transient and
Undetermined count as soft bounces) and Complaint, one event per recipient; the rest
(Delivery, Send, Open, ...) and UnsubscribeConfirmation are ignored.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from digest.errors import ConfigError, InputError
from digest.subscribers.feedback import Feedback
from digest.subscribers.sns import SnsVerifier, check_topics
from digest.subscribers.webhook import (
    Fetch,
    Parsed,
    WebhookRequest,
    field,
    iso_time,
    json_body,
    parse_json,
)

BOUNCE_KINDS = {"Permanent": "bounce", "Transient": "soft", "Undetermined": "soft"}


class SesWebhook:
    name = "ses"
    tolerance = 3600.0
    challenge: str | None = None

    def __init__(self, verifier: SnsVerifier) -> None:
        self.verifier = verifier

    def _envelope(self, request: WebhookRequest) -> dict[str, Any]:
        message = json_body(request, self.name)
        if not isinstance(message, dict):
            raise InputError("ses: the body is not an SNS message (a JSON object)")
        return message

    def verify(self, request: WebhookRequest, now: datetime) -> None:
        self.verifier.verify(self._envelope(request), now)

    def parse(self, request: WebhookRequest) -> Parsed:
        envelope = self._envelope(request)
        if envelope.get("Type") == "SubscriptionConfirmation":
            return Parsed(events=(), confirm=lambda: self.verifier.confirm(envelope))
        if envelope.get("Type") != "Notification":
            return Parsed(events=(), ignored=1)
        notification = parse_json(str(envelope.get("Message")), "ses: the SNS Message")
        if not isinstance(notification, dict):
            raise InputError("ses: the SNS Message is not an SES notification (JSON object)")
        kind = notification.get("notificationType") or notification.get("eventType")
        if kind not in ("Bounce", "Complaint"):
            return Parsed(events=(), ignored=1)
        mail = notification.get("mail")
        if not isinstance(mail, dict):
            raise InputError("ses: the notification has no mail object")
        base = field(envelope, "MessageId", "ses")
        if kind == "Bounce":
            events = _bounces(field(notification, "bounce", "ses", dict), mail, base)
        else:
            events = _complaints(field(notification, "complaint", "ses", dict), mail, base)
        return Parsed(events=events)


def _ids(mail: Mapping[str, Any]) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """SES's message id (the ledger's provider id), and the Message-ID header if SES kept it."""
    provider = mail.get("messageId")
    headers = mail.get("commonHeaders")
    header = headers.get("messageId") if isinstance(headers, dict) else None
    return (
        (provider,) if isinstance(provider, str) and provider else (),
        (header,) if isinstance(header, str) and header else (),
    )


def _recipients(block: Mapping[str, Any], name: str) -> list[Mapping[str, Any]]:
    people = block.get(name)
    if not isinstance(people, list) or not people or not all(isinstance(p, dict) for p in people):
        raise InputError(f"ses: {name} is missing or not a list of recipients")
    return people


def _bounces(bounce: Mapping[str, Any], mail: Mapping[str, Any], base: str) -> tuple[Feedback, ...]:
    bounce_type = field(bounce, "bounceType", "ses: bounce")
    kind = BOUNCE_KINDS.get(bounce_type, "soft")
    provider_ids, message_ids = _ids(mail)
    found = []
    for person in _recipients(bounce, "bouncedRecipients"):
        email = field(person, "emailAddress", "ses: bouncedRecipients")
        said = person.get("diagnosticCode") or person.get("status") or ""
        detail = f"{bounce_type}/{bounce.get('bounceSubType') or ''} {said}".strip()
        found.append(
            Feedback(
                source="ses",
                event_id=f"{base}:{email.lower()}",
                kind=kind,
                email=email,
                detail=detail,
                at=iso_time(bounce.get("timestamp")),
                provider_ids=provider_ids,
                message_ids=message_ids,
            )
        )
    return tuple(found)


def _complaints(
    complaint: Mapping[str, Any], mail: Mapping[str, Any], base: str
) -> tuple[Feedback, ...]:
    provider_ids, message_ids = _ids(mail)
    said = complaint.get("complaintFeedbackType") or complaint.get("complaintSubType") or ""
    return tuple(
        Feedback(
            source="ses",
            event_id=f"{base}:{email.lower()}",
            kind="complaint",
            email=email,
            detail=f"complaint {said}".strip(),
            at=iso_time(complaint.get("timestamp")),
            provider_ids=provider_ids,
            message_ids=message_ids,
        )
        for email in (
            field(p, "emailAddress", "ses: complainedRecipients")
            for p in _recipients(complaint, "complainedRecipients")
        )
    )


def make_ses(
    environ: Mapping[str, str], table: Mapping[str, Any], fetch: Fetch | None
) -> SesWebhook | None:
    known = {"topic_arns"}
    for name in table:
        if name not in known:
            raise ConfigError(f"webhooks.ses.{name}: unknown key", hint="known keys: topic_arns")
    topics = check_topics(table.get("topic_arns", []), "webhooks.ses.topic_arns")
    return SesWebhook(SnsVerifier(topics, fetch)) if topics else None
