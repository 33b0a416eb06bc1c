"""Postmark's webhooks: HTTP basic auth on the URL, one JSON record per request.

Bounce records (by Type: HardBounce and BadEmailAddress suppress, SoftBounce, Transient and
DnsError count, any record Postmark marks Inactive suppresses), SpamComplaint records, and
SubscriptionChange records, which a Broadcast message stream sends instead of SpamComplaint
(SuppressSending true: HardBounce, SpamComplaint, or ManualSuppression, an unsubscribe).
Reactivations and every other record type are verified and ignored.
"""

from __future__ import annotations

import base64
import binascii
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
    field,
    iso_time,
    json_body,
    require_both,
)

USER_ENV = "POSTMARK_WEBHOOK_USER"
PASSWORD_ENV = "POSTMARK_WEBHOOK_PASSWORD"
BOUNCE_KINDS = {
    "HardBounce": "bounce",
    "BadEmailAddress": "bounce",
    "ManuallyDeactivated": "bounce",
    "SoftBounce": "soft",
    "Transient": "soft",
    "DnsError": "soft",
    "Blocked": "soft",
    "SpamComplaint": "complaint",
    "Unsubscribe": "unsubscribe",
}
SUPPRESSION_KINDS = {
    "HardBounce": "bounce",
    "SpamComplaint": "complaint",
    "ManualSuppression": "unsubscribe",
}


class PostmarkWebhook:
    name = "postmark"
    tolerance = 0.0  # Postmark signs no timestamp; replays are harmless by record id
    challenge: str | None = 'Basic realm="digest webhooks"'

    def __init__(self, user: str, password: str) -> None:
        self.user = user.encode()
        self.password = password.encode()

    def verify(self, request: WebhookRequest, now: datetime) -> None:
        # HTTP basic auth is three lines of the stdlib; compare_digest keeps the comparison
        # from telling how much of a guess was right.
        scheme, _, encoded = request.headers.get("authorization", "").partition(" ")
        if scheme.lower() != "basic" or not encoded:
            raise VerificationError("postmark: no basic auth credentials", status=401)
        try:
            user, _, password = base64.b64decode(encoded.strip(), validate=True).partition(b":")
        except (binascii.Error, ValueError):
            raise VerificationError("postmark: unreadable basic auth", status=401) from None
        good_user = hmac.compare_digest(user, self.user)
        if not (hmac.compare_digest(password, self.password) and good_user):
            raise VerificationError("postmark: wrong user or password", status=401)

    def parse(self, request: WebhookRequest) -> Parsed:
        record = json_body(request, self.name)
        if not isinstance(record, dict):
            raise InputError("postmark: the body must be one JSON object (one record)")
        kind = record.get("RecordType")
        if kind in ("Bounce", "SpamComplaint"):
            event = _bounce(record, kind)
        elif kind == "SubscriptionChange":
            event = _subscription_change(record)
        elif isinstance(kind, str):
            event = None
        else:
            raise InputError("postmark: RecordType is missing")
        return Parsed(events=(event,) if event else (), ignored=0 if event else 1)


def _bounce(record: Mapping[str, Any], record_type: str) -> Feedback | None:
    kind = (
        "complaint" if record_type == "SpamComplaint" else BOUNCE_KINDS.get(str(record.get("Type")))
    )
    if record.get("Inactive") is True and kind in (None, "soft"):
        kind = "bounce"  # Postmark will not send to it again: the list follows
    email = field(record, "Email", "postmark")
    if kind is None:
        return None
    record_id = record.get("ID")
    if isinstance(record_id, bool) or not isinstance(record_id, int | str):
        raise InputError("postmark: ID is missing")
    details = " ".join(str(record.get(k) or "") for k in ("Type", "Details")).strip()
    return Feedback(
        source="postmark",
        event_id=f"{record_type}:{record_id}",
        kind=kind,
        email=email,
        detail=details or record_type,
        at=iso_time(record.get("BouncedAt")),
        provider_ids=_ids(record),
    )


def _subscription_change(record: Mapping[str, Any]) -> Feedback | None:
    email = field(record, "Recipient", "postmark")
    if record.get("SuppressSending") is not True:
        return None  # a reactivation: only the subscriber's own sign-up brings them back
    reason = record.get("SuppressionReason")
    kind = SUPPRESSION_KINDS.get(reason) if isinstance(reason, str) else None
    if kind is None:
        return None
    changed = str(record.get("ChangedAt") or "")
    return Feedback(
        source="postmark",
        event_id=f"SubscriptionChange:{record.get('MessageID')}:{email.lower()}:{changed}",
        kind=kind,
        email=email,
        detail=f"suppressed by Postmark: {reason} (origin: {record.get('Origin') or 'unknown'})",
        at=iso_time(changed),
        provider_ids=_ids(record),
    )


def _ids(record: Mapping[str, Any]) -> tuple[str, ...]:
    value = record.get("MessageID")
    return (value,) if isinstance(value, str) and value else ()


def make_postmark(
    environ: Mapping[str, str], table: Mapping[str, Any], fetch: Fetch | None
) -> PostmarkWebhook | None:
    pair = require_both(environ, USER_ENV, PASSWORD_ENV)
    return PostmarkWebhook(*pair) if pair else None
