"""Mailgun's webhooks: HMAC-SHA256 of timestamp + token with the webhook signing key.

The JSON body carries `signature` {timestamp, token, signature} and `event-data`. A token is
good once (spent in the transaction that applies the event), and its timestamp must be fresh.
Events: failed (severity permanent suppresses, temporary counts as a soft bounce; a failure
because Mailgun's own complaint or unsubscribe list holds the address counts as that),
complained, unsubscribed; every other event is ignored. Mailgun's legacy form-encoded
webhooks are not read: point the current (JSON) webhooks at digest.
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Mapping
from datetime import datetime
from typing import Any

from digest.errors import InputError, VerificationError
from digest.subscribers.feedback import Feedback
from digest.subscribers.webhook import (
    Fetch,
    Parsed,
    WebhookRequest,
    check_time,
    env_value,
    epoch_time,
    field,
    json_body,
)

KEY_ENV = "MAILGUN_WEBHOOK_SIGNING_KEY"
EVENT_KINDS = {"complained": "complaint", "unsubscribed": "unsubscribe"}
SEVERITY_KINDS = {"permanent": "bounce", "temporary": "soft"}
SUPPRESSED_KINDS = {"suppress-complaint": "complaint", "suppress-unsubscribe": "unsubscribe"}


def _signature(body: Any) -> tuple[str, str, str]:
    block = body.get("signature") if isinstance(body, dict) else None
    if not isinstance(block, dict):
        raise VerificationError("mailgun: the signature block is missing", status=401)
    values = tuple(block.get(k) for k in ("timestamp", "token", "signature"))
    if not all(isinstance(v, str | int) and not isinstance(v, bool) and v for v in values):
        raise VerificationError("mailgun: the signature block is incomplete", status=401)
    timestamp, token, signature = (str(v) for v in values)
    return timestamp, token, signature


class MailgunWebhook:
    name = "mailgun"
    tolerance = 300.0  # seconds, as for every signed timestamp here
    challenge: str | None = None

    def __init__(self, key: str) -> None:
        self.key = key.encode()

    def verify(self, request: WebhookRequest, now: datetime) -> None:
        timestamp, token, signature = _signature(json_body(request, self.name))
        expected = hmac.new(self.key, (timestamp + token).encode(), hashlib.sha256).hexdigest()
        if not hmac.compare_digest(expected, signature.lower()):
            raise VerificationError("mailgun: the signature does not match")
        try:
            signed = float(timestamp)
        except ValueError:
            raise VerificationError("mailgun: the signed timestamp is not a number") from None
        check_time(self.name, signed, now, self.tolerance)

    def parse(self, request: WebhookRequest) -> Parsed:
        body = json_body(request, self.name)
        timestamp, token, _ = _signature(body)
        data = body.get("event-data")
        if not isinstance(data, dict):
            raise InputError("mailgun: event-data is missing")
        name = field(data, "event", "mailgun: event-data")
        if name == "failed":
            kind = SEVERITY_KINDS.get(str(data.get("severity")))
            # Mailgun would not send to an address on its own lists: say which list.
            kind = SUPPRESSED_KINDS.get(str(data.get("reason")), kind)
        else:
            kind = EVENT_KINDS.get(name)
        if kind is None:
            return Parsed(events=(), ignored=1, token=token, token_time=float(timestamp))
        email = field(data, "recipient", "mailgun: event-data")
        event_id = field(data, "id", "mailgun: event-data")
        status = data.get("delivery-status")
        detail = name
        if isinstance(status, dict):
            said = status.get("description") or status.get("message") or ""
            detail = f"{name} ({data.get('severity') or data.get('reason') or ''}): "
            detail += f"{status.get('code') or ''} {said}".strip()
        mid = _message_id(data)
        ids = (mid, f"<{mid.strip('<>')}>") if mid else ()
        event = Feedback(
            source=self.name,
            event_id=event_id,
            kind=kind,
            email=email,
            detail=detail,
            at=epoch_time(data.get("timestamp")),
            provider_ids=ids,
            message_ids=ids[1:],
        )
        return Parsed(events=(event,), token=token, token_time=float(timestamp))


def _message_id(data: Mapping[str, Any]) -> str | None:
    """The message-id header Mailgun reports (its own id of the message, without brackets)."""
    message = data.get("message")
    headers = message.get("headers") if isinstance(message, dict) else None
    value = headers.get("message-id") if isinstance(headers, dict) else None
    return value if isinstance(value, str) and value else None


def make_mailgun(
    environ: Mapping[str, str], table: Mapping[str, Any], fetch: Fetch | None
) -> MailgunWebhook | None:
    key = env_value(environ, KEY_ENV)
    return MailgunWebhook(key) if key else None
