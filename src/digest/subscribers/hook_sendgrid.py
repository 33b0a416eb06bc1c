"""SendGrid's Signed Event Webhook: ECDSA P-256 over the timestamp header and the exact body.

The public key is the base64 DER key SendGrid's settings page shows
(SENDGRID_WEBHOOK_PUBLIC_KEY). A request is a JSON array of events: bounce (type "bounce"
suppresses, "blocked" counts as a soft bounce), dropped (SendGrid would not send: a bounced,
invalid, spam-reporting or unsubscribed address), spamreport, unsubscribe and
group_unsubscribe; every other event (processed, delivered, deferred, open, ...) is ignored.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
from collections.abc import Mapping
from datetime import datetime
from typing import TYPE_CHECKING, Any

from digest.errors import ConfigError, InputError, VerificationError
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

if TYPE_CHECKING:
    from cryptography.hazmat.primitives.asymmetric import ec

KEY_ENV = "SENDGRID_WEBHOOK_PUBLIC_KEY"
SIGNATURE = "x-twilio-email-event-webhook-signature"
TIMESTAMP = "x-twilio-email-event-webhook-timestamp"
EVENT_KINDS = {
    "spamreport": "complaint",
    "unsubscribe": "unsubscribe",
    "group_unsubscribe": "unsubscribe",
}
DROPPED_KINDS = {
    "Bounced Address": "bounce",
    "Invalid": "bounce",
    "Spam Reporting Address": "complaint",
    "Unsubscribed Address": "unsubscribe",
}


class SendgridWebhook:
    name = "sendgrid"
    tolerance = 300.0  # seconds; SendGrid documents none, five minutes is the common choice
    challenge: str | None = None

    def __init__(self, key: ec.EllipticCurvePublicKey) -> None:
        self.key = key

    def verify(self, request: WebhookRequest, now: datetime) -> None:
        from cryptography.exceptions import InvalidSignature
        from cryptography.hazmat.primitives import hashes
        from cryptography.hazmat.primitives.asymmetric import ec

        signature = request.headers.get(SIGNATURE, "")
        timestamp = request.headers.get(TIMESTAMP, "")
        if not signature or not timestamp:
            raise VerificationError("sendgrid: the signature headers are missing", status=401)
        try:
            decoded = base64.b64decode(signature, validate=True)
            signed = float(timestamp)
        except (binascii.Error, ValueError):
            raise VerificationError("sendgrid: unreadable signature headers") from None
        try:
            self.key.verify(decoded, timestamp.encode() + request.body, ec.ECDSA(hashes.SHA256()))
        except InvalidSignature:
            raise VerificationError("sendgrid: the signature does not match the body") from None
        check_time(self.name, signed, now, self.tolerance)

    def parse(self, request: WebhookRequest) -> Parsed:
        events = json_body(request, self.name)
        if not isinstance(events, list) or not all(isinstance(e, dict) for e in events):
            raise InputError("sendgrid: the body must be a JSON array of event objects")
        found = []
        for index, event in enumerate(events):
            name = field(event, "event", f"sendgrid: event {index}")
            kind = _kind(event, name)
            email = field(event, "email", f"sendgrid: event {index}")
            if kind is not None:
                found.append(_feedback(event, name, kind, email, request.body, index))
        return Parsed(events=tuple(found), ignored=len(events) - len(found))


def _kind(event: Mapping[str, Any], name: str) -> str | None:
    if name == "bounce":
        return "soft" if event.get("type") == "blocked" else "bounce"
    if name == "dropped":
        return DROPPED_KINDS.get(str(event.get("reason") or ""))
    return EVENT_KINDS.get(name)


def _feedback(
    event: Mapping[str, Any], name: str, kind: str, email: str, body: bytes, index: int
) -> Feedback:
    event_id = event.get("sg_event_id")
    if not isinstance(event_id, str) or not event_id:
        # Every documented event carries one; failing that, the event's place in this body.
        event_id = f"{hashlib.sha256(body).hexdigest()[:32]}:{index}"
    # sg_message_id is the X-Message-Id the send got, a dot, and SendGrid's routing suffix
    # ("<id>.filterdrecv-..." or "<id>.recvd-..."): every dotted prefix is a candidate.
    message = event.get("sg_message_id")
    parts = message.split(".") if isinstance(message, str) and message else []
    ids = tuple(".".join(parts[:n]) for n in range(1, len(parts) + 1))
    smtp_id = event.get("smtp-id")
    reason = " ".join(str(event.get(k) or "") for k in ("status", "reason", "type")).strip()
    return Feedback(
        source="sendgrid",
        event_id=event_id,
        kind=kind,
        email=email,
        detail=f"{name}: {reason}" if reason else name,
        at=epoch_time(event.get("timestamp")),
        provider_ids=ids,
        message_ids=(smtp_id,) if isinstance(smtp_id, str) and smtp_id else (),
    )


def load_key(text: str) -> ec.EllipticCurvePublicKey:
    """The key as SendGrid shows it (base64 DER), or a PEM block of it."""
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.hazmat.primitives.serialization import load_der_public_key

    body = "".join(line for line in text.strip().splitlines() if not line.startswith("-----"))
    try:
        key = load_der_public_key(base64.b64decode(body, validate=True))
    except (binascii.Error, ValueError) as exc:
        raise ConfigError(
            f"environment variable {KEY_ENV}: not a public key: {exc}",
            hint="paste the verification key from SendGrid's Mail Settings > Signed Event Webhook",
        ) from None
    if not isinstance(key, ec.EllipticCurvePublicKey) or key.curve.name != "secp256r1":
        raise ConfigError(f"environment variable {KEY_ENV}: not an ECDSA P-256 public key")
    return key


def make_sendgrid(
    environ: Mapping[str, str], table: Mapping[str, Any], fetch: Fetch | None
) -> SendgridWebhook | None:
    text = env_value(environ, KEY_ENV)
    return SendgridWebhook(load_key(text)) if text else None
