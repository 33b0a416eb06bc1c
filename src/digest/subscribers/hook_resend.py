"""Resend's webhooks, signed by Svix: the `svix` package checks svix-id, svix-timestamp (within
five minutes) and svix-signature against RESEND_WEBHOOK_SECRET (`whsec_...`).

Events: email.bounced (a permanent bounce, or soft when Resend says its type is Transient) and
email.complained, one per recipient; every other event (email.sent, email.delivered,
email.delivery_delayed, email.opened, ...) is ignored. The svix-id names the event: Svix
retries a message with the same id, so a retry is recognised.
"""

from __future__ import annotations

import binascii
from collections.abc import Mapping
from datetime import datetime
from typing import TYPE_CHECKING, Any

from digest.errors import ConfigError, InputError, VerificationError
from digest.subscribers.feedback import Feedback
from digest.subscribers.webhook import (
    Fetch,
    Parsed,
    WebhookRequest,
    env_value,
    field,
    iso_time,
    json_body,
)

if TYPE_CHECKING:
    from svix.webhooks import Webhook as Svix

SECRET_ENV = "RESEND_WEBHOOK_SECRET"
HEADERS = ("svix-id", "svix-timestamp", "svix-signature")


class ResendWebhook:
    name = "resend"
    tolerance = 300.0  # what the svix library allows; it reads the clock itself
    challenge: str | None = None

    def __init__(self, svix: Svix) -> None:
        self.svix = svix

    def verify(self, request: WebhookRequest, now: datetime) -> None:
        from svix.webhooks import WebhookVerificationError

        headers = {name: request.headers.get(name, "") for name in HEADERS}
        if not all(headers.values()):
            raise VerificationError("resend: the svix signature headers are missing", status=401)
        try:
            self.svix.verify(request.body, headers)
        # svix raises its own error for a bad signature or time, and lets a malformed header
        # (no comma, bad base64) or a body that is not UTF-8 through as the builtin errors.
        except (WebhookVerificationError, ValueError, binascii.Error) as exc:
            raise VerificationError(f"resend: {exc or 'signature refused'}") from None

    def parse(self, request: WebhookRequest) -> Parsed:
        body = json_body(request, self.name)
        if not isinstance(body, dict):
            raise InputError("resend: the body must be a JSON object")
        name = field(body, "type", self.name)
        if name not in ("email.bounced", "email.complained"):
            return Parsed(events=(), ignored=1)
        data = field(body, "data", self.name, dict)
        recipients = data.get("to")
        if isinstance(recipients, str):
            recipients = [recipients]
        if not isinstance(recipients, list) or not recipients:
            raise InputError("resend: data.to is missing")
        if not all(isinstance(r, str) and "@" in r for r in recipients):
            raise InputError("resend: data.to must list addresses")
        email_id = data.get("email_id")
        kind, detail = "complaint", "complaint"
        if name == "email.bounced":
            bounce = data.get("bounce") if isinstance(data.get("bounce"), dict) else {}
            kind = "soft" if bounce.get("type") == "Transient" else "bounce"
            detail = (
                " ".join(str(bounce.get(k) or "") for k in ("type", "subType", "message")).strip()
                or "bounced"
            )
        svix_id = request.headers.get("svix-id", "")
        return Parsed(
            events=tuple(
                Feedback(
                    source=self.name,
                    event_id=f"{svix_id}:{email.lower()}",
                    kind=kind,
                    email=email,
                    detail=detail,
                    at=iso_time(body.get("created_at")),
                    provider_ids=(email_id,) if isinstance(email_id, str) and email_id else (),
                )
                for email in recipients
            )
        )


def make_resend(
    environ: Mapping[str, str], table: Mapping[str, Any], fetch: Fetch | None
) -> ResendWebhook | None:
    secret = env_value(environ, SECRET_ENV)
    if secret is None:
        return None
    # svix's Webhook is a thin wrapper of standardwebhooks', whose error for an empty key it
    # does not re-export.
    from standardwebhooks.webhooks import EmptyWebhookSecretError
    from svix.webhooks import Webhook

    try:
        return ResendWebhook(Webhook(secret))
    except (ValueError, binascii.Error, RuntimeError, EmptyWebhookSecretError) as exc:
        raise ConfigError(
            f"environment variable {SECRET_ENV}: not a Svix signing secret: {exc}",
            hint="copy the signing secret (whsec_...) from Resend's webhook page",
        ) from None
