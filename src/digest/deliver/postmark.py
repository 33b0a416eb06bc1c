"""Postmark: POST /email/batch, up to 500 messages per call, per-message ErrorCode."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import httpx

from digest.deliver import api
from digest.deliver.message import header
from digest.deliver.options import Option, read_options, secret
from digest.errors import PermanentDeliveryError
from digest.models import DeliveryResult, OutgoingMessage

TOKEN_ENV = "POSTMARK_SERVER_TOKEN"
BASE_URL = "https://api.postmarkapp.com"
SPEC = {**api.COMMON_SPEC, "message_stream": Option(str, default="broadcast")}
INACTIVE_RECIPIENT = 406


def payload(message: OutgoingMessage, stream: str) -> dict[str, Any]:
    body: dict[str, Any] = {
        "From": header(message, "From") or "",
        "To": header(message, "To") or message.to,
        "Subject": message.subject,
        "TextBody": message.text,
        "HtmlBody": message.html,
        "Headers": [{"Name": k, "Value": v} for k, v in api.custom_headers(message).items()],
        "MessageStream": stream,
    }
    if reply := api.reply_to(message):
        body["ReplyTo"] = reply
    return body


class PostmarkProvider:
    name = "postmark"
    batch_size = 500

    def __init__(self, http: httpx.Client, message_stream: str = "broadcast") -> None:
        self.http = http
        self.stream = message_stream

    def send(self, messages: Sequence[OutgoingMessage]) -> list[DeliveryResult]:
        body = [payload(message, self.stream) for message in messages]
        response = api.post(self.http, self.name, "/email/batch", json=body)
        api.check_call(response, self.name, f"environment variable {TOKEN_ENV}")
        if not response.is_success:
            raise PermanentDeliveryError(f"postmark: batch refused ({api.describe(response)})")
        items = api.json_or_error(response, self.name)
        if not isinstance(items, list) or len(items) != len(messages):
            raise PermanentDeliveryError(
                f"postmark: answer does not match the batch: {items!r:.200}"
            )
        return [self._result(message, item) for message, item in zip(messages, items, strict=True)]

    @staticmethod
    def _result(message: OutgoingMessage, item: Any) -> DeliveryResult:
        code = item.get("ErrorCode", -1) if isinstance(item, dict) else -1
        if code == 0:
            return DeliveryResult(message.to, "sent", provider_id=str(item.get("MessageID")))
        text = item.get("Message", "") if isinstance(item, dict) else repr(item)
        if code == INACTIVE_RECIPIENT:
            text = f"inactive recipient: {text}"
        return DeliveryResult(message.to, "failed", error=f"postmark ErrorCode {code}: {text}")

    def close(self) -> None:
        self.http.close()


def make_postmark(
    options: Mapping[str, Any], base_dir: Path, environ: Mapping[str, str]
) -> PostmarkProvider:
    values = read_options("delivery.postmark", options, SPEC)
    token = secret(environ, TOKEN_ENV, purpose="the Postmark server API token")
    http = api.client(
        values["base_url"] or BASE_URL,
        timeout=values["timeout"],
        headers={"X-Postmark-Server-Token": token, "Accept": "application/json"},
    )
    return PostmarkProvider(http, values["message_stream"])
