"""Resend: POST /emails/batch, up to 100 per call, with an Idempotency-Key per batch.

The key is derived from the edition and the batch's recipients; a batch re-sent after a crash
is claimed in the same order, so it carries the same key and Resend answers with the first
call's result instead of sending again. A batch Resend refuses as a whole (one bad address
fails strict batch validation) is retried message by message to find the culprit.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import httpx

from digest.deliver import api
from digest.deliver.message import header
from digest.deliver.options import read_options, secret
from digest.errors import PermanentDeliveryError
from digest.models import DeliveryResult, OutgoingMessage

KEY_ENV = "RESEND_API_KEY"
BASE_URL = "https://api.resend.com"


def idempotency_key(messages: Sequence[OutgoingMessage]) -> str:
    recipients = "\n".join(message.to for message in messages)
    digest = hashlib.sha256(f"{messages[0].edition_id}\n{recipients}".encode()).hexdigest()
    return f"digest-{digest[:48]}"


def payload(message: OutgoingMessage) -> dict[str, Any]:
    body: dict[str, Any] = {
        "from": header(message, "From") or "",
        "to": [message.to],
        "subject": message.subject,
        "html": message.html,
        "text": message.text,
        "headers": api.custom_headers(message),
    }
    if reply := api.reply_to(message):
        body["reply_to"] = reply
    return body


class ResendProvider:
    name = "resend"
    batch_size = 100

    def __init__(self, http: httpx.Client) -> None:
        self.http = http

    def send(self, messages: Sequence[OutgoingMessage]) -> list[DeliveryResult]:
        if len(messages) == 1:
            return [self._send_one(messages[0])]
        response = self._post("/emails/batch", [payload(m) for m in messages], messages)
        if response.status_code in (400, 409, 422):
            return [self._send_one(message) for message in messages]
        if not response.is_success:
            raise PermanentDeliveryError(f"resend: batch refused ({api.describe(response)})")
        data = api.json_or_error(response, self.name)
        items = data.get("data") if isinstance(data, dict) else None
        if not isinstance(items, list) or len(items) != len(messages):
            raise PermanentDeliveryError(f"resend: answer does not match the batch: {data!r:.200}")
        return [
            DeliveryResult(m.to, "sent", provider_id=str(item.get("id")))
            for m, item in zip(messages, items, strict=True)
        ]

    def _send_one(self, message: OutgoingMessage) -> DeliveryResult:
        response = self._post("/emails", payload(message), [message])
        provider_id = None
        if response.is_success:
            data = api.json_or_error(response, self.name)
            provider_id = str(data.get("id")) if isinstance(data, dict) else None
        return api.per_message(response, self.name, message, provider_id)

    def _post(self, url: str, body: Any, messages: Sequence[OutgoingMessage]) -> httpx.Response:
        headers = {"Idempotency-Key": idempotency_key(messages)}
        response = api.post(self.http, self.name, url, json=body, headers=headers)
        api.check_call(response, self.name, f"environment variable {KEY_ENV}")
        return response

    def close(self) -> None:
        self.http.close()


def make_resend(
    options: Mapping[str, Any], base_dir: Path, environ: Mapping[str, str]
) -> ResendProvider:
    values = read_options("delivery.resend", options, api.COMMON_SPEC)
    key = secret(environ, KEY_ENV, purpose="the Resend API key")
    http = api.client(
        values["base_url"] or BASE_URL,
        timeout=values["timeout"],
        headers={"Authorization": f"Bearer {key}"},
    )
    return ResendProvider(http)
