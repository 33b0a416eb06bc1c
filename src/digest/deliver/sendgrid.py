"""SendGrid v3: POST /v3/mail/send, one personalization (one recipient) per call.

Every subscriber's body differs (personal unsubscribe links), so recipients cannot share a
request's content; the message id comes back in the X-Message-Id response header.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from email.utils import parseaddr
from pathlib import Path
from typing import Any

import httpx

from digest.deliver import api
from digest.deliver.message import header, sender_address
from digest.deliver.options import read_options, secret
from digest.models import DeliveryResult, OutgoingMessage

KEY_ENV = "SENDGRID_API_KEY"
BASE_URL = "https://api.sendgrid.com"


def _party(value: str) -> dict[str, str]:
    name, address = parseaddr(value)
    return {"email": address, "name": name} if name else {"email": address}


def payload(message: OutgoingMessage) -> dict[str, Any]:
    name, address = sender_address(message)
    body: dict[str, Any] = {
        "personalizations": [{"to": [_party(header(message, "To") or message.to)]}],
        "from": {"email": address, "name": name} if name else {"email": address},
        "subject": message.subject,
        "content": [
            {"type": "text/plain", "value": message.text},
            {"type": "text/html", "value": message.html},
        ],
        "headers": api.custom_headers(message),
    }
    if reply := api.reply_to(message):
        body["reply_to"] = _party(reply)
    return body


class SendgridProvider:
    name = "sendgrid"
    batch_size = 1

    def __init__(self, http: httpx.Client) -> None:
        self.http = http

    def send(self, messages: Sequence[OutgoingMessage]) -> list[DeliveryResult]:
        results = []
        for message in messages:
            response = api.post(self.http, self.name, "/v3/mail/send", json=payload(message))
            api.check_call(response, self.name, f"environment variable {KEY_ENV}")
            results.append(
                api.per_message(response, self.name, message, response.headers.get("x-message-id"))
            )
        return results

    def close(self) -> None:
        self.http.close()


def make_sendgrid(
    options: Mapping[str, Any], base_dir: Path, environ: Mapping[str, str]
) -> SendgridProvider:
    values = read_options("delivery.sendgrid", options, api.COMMON_SPEC)
    key = secret(environ, KEY_ENV, purpose="the SendGrid API key")
    http = api.client(
        values["base_url"] or BASE_URL,
        timeout=values["timeout"],
        headers={"Authorization": f"Bearer {key}"},
    )
    return SendgridProvider(http)
