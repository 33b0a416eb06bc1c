"""Mailgun: the finished MIME message to POST /v3/{domain}/messages.mime (US or EU region)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import httpx

from digest.deliver import api
from digest.deliver.options import Option, read_options, secret
from digest.models import DeliveryResult, OutgoingMessage

KEY_ENV = "MAILGUN_API_KEY"
BASE_URLS = {"us": "https://api.mailgun.net", "eu": "https://api.eu.mailgun.net"}
SPEC = {
    **api.COMMON_SPEC,
    "domain": Option(str, required=True),
    "region": Option(str, default="us", choices=tuple(BASE_URLS)),
}


class MailgunProvider:
    name = "mailgun"
    batch_size = 1

    def __init__(self, http: httpx.Client, domain: str) -> None:
        self.http = http
        self.domain = domain

    def send(self, messages: Sequence[OutgoingMessage]) -> list[DeliveryResult]:
        results = []
        for message in messages:
            response = api.post(
                self.http,
                self.name,
                f"/v3/{self.domain}/messages.mime",
                data={"to": message.to},
                files={"message": ("message.eml", message.raw, "message/rfc822")},
            )
            api.check_call(response, self.name, f"environment variable {KEY_ENV}")
            provider_id = None
            if response.is_success:
                data = api.json_or_error(response, self.name)
                provider_id = str(data.get("id")) if isinstance(data, dict) else None
            results.append(api.per_message(response, self.name, message, provider_id))
        return results

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
