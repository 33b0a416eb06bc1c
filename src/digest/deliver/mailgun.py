"""Mailgun (US or EU region): batches of up to 1,000 recipients to POST /v3/{domain}/messages,
other messages as finished MIME to POST /v3/{domain}/messages.mime.

Messages of one layout (`templated`) go as one batch send: the body once with
`%recipient.h0%` where each personal value goes, the recipients in `to`, and their values,
Message-ID and List-Unsubscribe in `recipient-variables` (referenced from `h:` fields, which
Mailgun fills per recipient too). Mailgun answers a batch with one id, or refuses it whole
(HTTP 400, e.g. one address it will not take): a refused batch is sent again message by
message so that each recipient gets its own answer.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator, Mapping, Sequence
from pathlib import Path
from typing import Any

import httpx

from digest.deliver import api, templated
from digest.deliver.base import Answer, Credits, collected
from digest.deliver.message import header
from digest.deliver.options import Option, read_options, secret
from digest.models import DeliveryResult, OutgoingMessage

KEY_ENV = "MAILGUN_API_KEY"
BASE_URLS = {"us": "https://api.mailgun.net", "eu": "https://api.eu.mailgun.net"}
SPEC = {
    **api.COMMON_SPEC,
    "domain": Option(str, required=True),
    "region": Option(str, default="us", choices=tuple(BASE_URLS)),
}
RECIPIENTS = 1000  # per batch send, Mailgun's limit on recipient-variables
# Mailgun replaces %recipient...% and its own %...unsubscribe_url% variables in a batch: text
# holding either cannot go into its template unchanged.
_MARKS = ("%recipient", "unsubscribe_url%")


def _fits(text: str) -> bool:
    return not any(mark in text for mark in _MARKS)


def _slot(name: str) -> str:
    return f"%recipient.{name}%"


def batch_fields(batch: templated.Batch) -> list[tuple[str, tuple[None, str]]]:
    """The form fields of one batch send (multipart, one field per value)."""
    html, text = batch.template(_slot)
    first = batch.first
    fields: list[tuple[str, str]] = [
        ("from", header(first, "From") or ""),
        ("subject", first.subject),
        ("text", text),
        ("html", html),
    ]
    if reply := api.reply_to(first):
        fields.append(("h:Reply-To", reply))
    fields += [(f"h:{k}", v) for k, v in batch.shared_headers() if k.lower() not in api.RESERVED]
    variables: dict[str, dict[str, str]] = {}
    personal: set[str] = set()
    for message in batch.messages:
        own = dict(batch.personal_headers(message))
        fields.append(("to", own.pop("To", message.to)))
        values = batch.values(message)
        for name, value in own.items():
            values[f"h:{name}"] = value
            personal.add(name)
        variables[message.to] = values
    fields += [(f"h:{name}", _slot(f"h:{name}")) for name in sorted(personal)]
    fields.append(("recipient-variables", json.dumps(variables, ensure_ascii=False)))
    return [(name, (None, value)) for name, value in fields]


class MailgunProvider:
    name = "mailgun"
    batch_size = RECIPIENTS

    def __init__(self, http: httpx.Client, domain: str) -> None:
        self.http = http
        self.domain = domain

    def send(self, messages: Sequence[OutgoingMessage]) -> list[DeliveryResult]:
        return collected(self, messages)

    def send_iter(
        self, messages: Iterable[OutgoingMessage], credits: Credits | None = None
    ) -> Iterator[list[Answer]]:
        """One group of answers per request, as each request is answered."""
        given = list(messages)
        batches, alone = templated.batches(
            given, literal=_fits, value=_fits, header=_fits, most=RECIPIENTS, touch="%"
        )
        for batch in batches:
            response = self._post("messages", files=batch_fields(batch))
            if response.is_success:
                provider_id = self._id(response)
                yield [
                    (i, DeliveryResult(m.to, "sent", provider_id=provider_id))
                    for i, m in zip(batch.indexes, batch.messages, strict=True)
                ]
                continue
            for index, message in zip(batch.indexes, batch.messages, strict=True):
                yield [(index, self._one(message))]
        for index in alone:
            yield [(index, self._one(given[index]))]

    def _one(self, message: OutgoingMessage) -> DeliveryResult:
        response = self._post(
            "messages.mime",
            data={"to": message.to},
            files={"message": ("message.eml", message.raw, "message/rfc822")},
        )
        provider_id = self._id(response) if response.is_success else None
        return api.per_message(response, self.name, message, provider_id)

    def _post(self, endpoint: str, **kwargs: Any) -> httpx.Response:
        url = f"/v3/{self.domain}/{endpoint}"
        response = api.post(self.http, self.name, url, **kwargs)
        api.check_call(response, self.name, f"environment variable {KEY_ENV}")
        return response

    def _id(self, response: httpx.Response) -> str | None:
        data = api.json_or_error(response, self.name)
        return str(data.get("id")) if isinstance(data, dict) else None

    def close(self) -> None:
        self.http.close()


def make_mailgun(
    options: Mapping[str, Any], base_dir: Path, environ: Mapping[str, str]
) -> MailgunProvider:
    values = read_options("delivery.mailgun", options, SPEC)
    key = secret(environ, KEY_ENV, purpose="the Mailgun API key")
    http = api.client(
        values["base_url"] or BASE_URLS[values["region"]],
        timeout=values["timeout"],
        auth=("api", key),
    )
    return MailgunProvider(http, values["domain"])
