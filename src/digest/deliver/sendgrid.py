"""SendGrid v3: POST /v3/mail/send, messages that share a template 1,000 to a call.

Messages of one layout (`templated`) go as one request: the body once with a substitution
tag (`%%dg.h0%%`) for each personal value, and one personalization per recipient with its
`substitutions` and its own Message-ID and List-Unsubscribe headers. SendGrid refuses a
request as a whole (HTTP 400) naming the personalizations at fault: those recipients fail
and the rest go again in a new request. A refusal that names none is retried message by
message, so that each recipient gets its own answer. Other messages go one per call. The
message id comes back in the X-Message-Id header, one per request (event webhooks carry it
as the prefix of `sg_message_id`).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator, Mapping, Sequence
from email.utils import parseaddr
from pathlib import Path
from typing import Any

import httpx

from digest.deliver import api, templated
from digest.deliver.base import Answer, Credits, collected
from digest.deliver.message import header, sender_address
from digest.deliver.options import read_options, secret
from digest.models import DeliveryResult, OutgoingMessage
from digest.render import PersonalParts

KEY_ENV = "SENDGRID_API_KEY"
BASE_URL = "https://api.sendgrid.com"
PERSONALIZATIONS = 1000  # per request (and recipients in total), SendGrid's limit
SUBSTITUTION_BYTES = 10000  # per personalization, SendGrid's limit
_TAG = "%%dg."
_FIELD = re.compile(r"^personalizations\.(\d+)\.")


def _tag(name: str) -> str:
    return f"{_TAG}{name}%%"


def _party(value: str) -> dict[str, str]:
    name, address = parseaddr(value)
    return {"email": address, "name": name} if name else {"email": address}


def _envelope(message: OutgoingMessage) -> dict[str, Any]:
    """From, Reply-To and Subject, as every request has them."""
    name, address = sender_address(message)
    body: dict[str, Any] = {
        "from": {"email": address, "name": name} if name else {"email": address},
        "subject": message.subject,
    }
    if reply := api.reply_to(message):
        body["reply_to"] = _party(reply)
    return body


def payload(message: OutgoingMessage) -> dict[str, Any]:
    """One message, one personalization."""
    return {
        "personalizations": [{"to": [_party(header(message, "To") or message.to)]}],
        **_envelope(message),
        "content": [
            {"type": "text/plain", "value": message.text},
            {"type": "text/html", "value": message.html},
        ],
        "headers": api.custom_headers(message),
    }


def batch_payload(batch: templated.Batch, positions: Sequence[int]) -> dict[str, Any]:
    """The batch's messages at `positions`, as one request with one template."""
    html, text = batch.template(_tag)
    personalizations = []
    for position in positions:
        message = batch.messages[position]
        own = dict(batch.personal_headers(message))
        to = own.pop("To", message.to)
        personalizations.append(
            {
                "to": [_party(to)],
                "substitutions": {_tag(k): v for k, v in batch.values(message).items()},
                "headers": own,
            }
        )
    shared = {k: v for k, v in batch.shared_headers() if k.lower() not in api.RESERVED}
    return {
        "personalizations": personalizations,
        **_envelope(batch.first),
        "content": [{"type": "text/plain", "value": text}, {"type": "text/html", "value": html}],
        "headers": shared,
    }


def _fits(text: str) -> bool:
    return _TAG not in text


def _small(parts: PersonalParts) -> bool:
    """Whether a message's substitutions stay within SendGrid's limit per personalization."""
    values = [text for text, shared in (*parts.html, *parts.text) if not shared]
    return sum(len(_tag("h00")) + len(text.encode()) for text in values) <= SUBSTITUTION_BYTES


class SendgridProvider:
    name = "sendgrid"
    batch_size = PERSONALIZATIONS

    def __init__(self, http: httpx.Client) -> None:
        self.http = http

    def send(self, messages: Sequence[OutgoingMessage]) -> list[DeliveryResult]:
        return collected(self, messages)

    def send_iter(
        self, messages: Iterable[OutgoingMessage], credits: Credits | None = None
    ) -> Iterator[list[Answer]]:
        """One group of answers per request, as each request is answered."""
        given = list(messages)
        batches, alone = templated.batches(
            given, literal=_fits, value=_fits, most=PERSONALIZATIONS, touch="%", eligible=_small
        )
        for batch in batches:
            yield from self._batch(batch)
        for index in alone:
            yield [(index, self._one(given[index]))]

    def _batch(self, batch: templated.Batch) -> Iterator[list[Answer]]:
        positions = list(range(len(batch.messages)))
        while positions:
            response = self._post(batch_payload(batch, positions))
            if response.is_success:
                provider_id = response.headers.get("x-message-id")
                sent = DeliveryResult(batch.first.to, "sent", provider_id=provider_id)
                yield [(batch.indexes[p], _for(batch.messages[p], sent)) for p in positions]
                return
            refused = _refused(response, positions)
            if not refused:
                for p in positions:
                    yield [(batch.indexes[p], self._one(batch.messages[p]))]
                return
            yield [
                (batch.indexes[p], DeliveryResult(batch.messages[p].to, "failed", error=error))
                for p, error in refused.items()
            ]
            positions = [p for p in positions if p not in refused]

    def _one(self, message: OutgoingMessage) -> DeliveryResult:
        response = self._post(payload(message))
        return api.per_message(response, self.name, message, response.headers.get("x-message-id"))

    def _post(self, body: dict[str, Any]) -> httpx.Response:
        response = api.post(self.http, self.name, "/v3/mail/send", json=body)
        api.check_call(response, self.name, f"environment variable {KEY_ENV}")
        return response

    def close(self) -> None:
        self.http.close()


def _for(message: OutgoingMessage, sent: DeliveryResult) -> DeliveryResult:
    return DeliveryResult(message.to, "sent", provider_id=sent.provider_id)


def _refused(response: httpx.Response, positions: Sequence[int]) -> dict[int, str]:
    """{position in the batch: SendGrid's error} for the personalizations a 400 names."""
    if response.status_code != 400:
        return {}
    try:
        errors = response.json().get("errors", [])
    except (ValueError, AttributeError):
        return {}
    found: dict[int, str] = {}
    for error in errors if isinstance(errors, list) else []:
        match = _FIELD.match(str(error.get("field") or "")) if isinstance(error, dict) else None
        if match is None:
            return {}  # an error about the request itself: find it message by message
        number = int(match.group(1))
        if number < len(positions):
            found[positions[number]] = f"sendgrid: HTTP 400: {error.get('message', '')}"
    return found


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
