"""Amazon SES v2, signed with SigV4: SendBulkEmail for up to 50 messages of one layout,
SendEmail with Raw content for the others.

Messages of one layout (`templated`) go as one SendBulkEmail call: the body once as inline
template content with `{{h0}}` where each personal value goes (SES's simple substitution), and
one entry per recipient with its values and its own Message-ID and List-Unsubscribe headers
(`ReplacementHeaders`). SES answers each entry on its own (`BulkEmailEntryResults`, in order),
so a batch's failures are recorded per recipient. Only values that read the same escaped for
HTML or not go into a template, so whether SES escapes a substitution cannot change a byte.
A call refused as a whole for its content is sent again message by message.
"""

from __future__ import annotations

import base64
import json
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
from markupsafe import escape

from digest.deliver import api, sigv4, templated
from digest.deliver.base import Answer, Credits, collected
from digest.deliver.message import header, sender_address
from digest.deliver.options import Option, read_options, secret
from digest.errors import PermanentDeliveryError, TransientDeliveryError
from digest.models import DeliveryResult, OutgoingMessage

PATH = "/v2/email/outbound-emails"
BULK_PATH = "/v2/email/outbound-bulk-emails"
ENTRIES = 50  # per SendBulkEmail call, SES's limit
SPEC = {
    **api.COMMON_SPEC,
    "region": Option(str, required=True),
    "configuration_set": Option(str, default=None),
}
STOP = frozenset(
    {
        "AccountSuspendedException",
        "SendingPausedException",
        "MailFromDomainNotVerifiedException",
        "UnrecognizedClientException",
        "InvalidClientTokenId",
        "SignatureDoesNotMatch",
        "AccessDeniedException",
    }
)
LATER = frozenset({"TooManyRequestsException", "LimitExceededException", "ThrottlingException"})
# BulkEmailEntryResult statuses: sent, to retry, and those about the account, not the address.
ENTRY_LATER = frozenset({"TRANSIENT_FAILURE", "ACCOUNT_THROTTLED", "ACCOUNT_DAILY_QUOTA_EXCEEDED"})
ENTRY_STOP = frozenset(
    {
        "ACCOUNT_SUSPENDED",
        "ACCOUNT_SENDING_PAUSED",
        "CONFIGURATION_SET_SENDING_PAUSED",
        "MAIL_FROM_DOMAIN_NOT_VERIFIED",
        "CONFIGURATION_SET_NOT_FOUND",
        "TEMPLATE_NOT_FOUND",
        "INVALID_SENDING_POOL_NAME",
    }
)
CREDENTIALS_HINT = "check AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY and delivery.ses.region"


def payload(message: OutgoingMessage, configuration_set: str | None) -> dict[str, Any]:
    body: dict[str, Any] = {
        "FromEmailAddress": sender_address(message)[1],
        "Destination": {"ToAddresses": [message.to]},
        "Content": {"Raw": {"Data": base64.b64encode(message.raw).decode("ascii")}},
    }
    if configuration_set:
        body["ConfigurationSetName"] = configuration_set
    return body


def _literal(text: str) -> bool:
    return "{{" not in text and "}}" not in text


def _value(text: str) -> bool:
    return _literal(text) and str(escape(text)) == text


def _slot(name: str) -> str:
    return "{{" + name + "}}"


def _headers(pairs: Iterable[tuple[str, str]]) -> list[dict[str, str]]:
    return [{"Name": name, "Value": value} for name, value in pairs]


def bulk_payload(batch: templated.Batch, configuration_set: str | None) -> dict[str, Any]:
    """One SendBulkEmail call for a batch."""
    html, text = batch.template(_slot)
    first = batch.first
    shared = [(k, v) for k, v in batch.shared_headers() if k.lower() not in api.RESERVED]
    entries = []
    for message in batch.messages:
        own = dict(batch.personal_headers(message))
        to = own.pop("To", message.to)
        entries.append(
            {
                "Destination": {"ToAddresses": [to]},
                "ReplacementEmailContent": {
                    "ReplacementTemplate": {
                        "ReplacementTemplateData": json.dumps(batch.values(message))
                    }
                },
                "ReplacementHeaders": _headers(own.items()),
            }
        )
    body: dict[str, Any] = {
        "FromEmailAddress": header(first, "From") or sender_address(first)[1],
        "DefaultContent": {
            "Template": {
                "TemplateContent": {"Subject": first.subject, "Text": text, "Html": html},
                "TemplateData": "{}",
                "Headers": _headers(shared),
            }
        },
        "BulkEmailEntries": entries,
    }
    if reply := api.reply_to(first):
        body["ReplyToAddresses"] = [reply]
    if configuration_set:
        body["ConfigurationSetName"] = configuration_set
    return body


class SesProvider:
    name = "ses"
    batch_size = ENTRIES

    def __init__(
        self,
        http: httpx.Client,
        *,
        region: str,
        access_key: str,
        secret_key: str,
        session_token: str | None = None,
        configuration_set: str | None = None,
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
    ) -> None:
        self.http = http
        self.region = region
        self.credentials = (access_key, secret_key, session_token)
        self.configuration_set = configuration_set
        self.clock = clock

    def send(self, messages: Sequence[OutgoingMessage]) -> list[DeliveryResult]:
        return collected(self, messages)

    def send_iter(
        self, messages: Iterable[OutgoingMessage], credits: Credits | None = None
    ) -> Iterator[list[Answer]]:
        """One group of answers per call, as each call is answered."""
        given = list(messages)
        batches, alone = templated.batches(
            given, literal=_literal, value=_value, most=ENTRIES, touch="{}"
        )
        for batch in batches:
            yield from self._bulk(batch)
        for index in alone:
            yield [(index, self._send_one(given[index]))]

    def _bulk(self, batch: templated.Batch) -> Iterator[list[Answer]]:
        response = self._call(BULK_PATH, bulk_payload(batch, self.configuration_set))
        if not response.is_success:
            self._whole_call(response)
            for index, message in zip(batch.indexes, batch.messages, strict=True):
                yield [(index, self._send_one(message))]
            return
        data = api.json_or_error(response, self.name)
        entries = data.get("BulkEmailEntryResults") if isinstance(data, dict) else None
        if not isinstance(entries, list) or len(entries) != len(batch.messages):
            raise PermanentDeliveryError(f"ses: answer does not match the batch: {data!r:.200}")
        statuses = {str(entry.get("Status")) for entry in entries if isinstance(entry, dict)}
        if len(statuses) == 1 and statuses <= ENTRY_STOP:
            raise PermanentDeliveryError(
                f"ses: {statuses.pop()}: {entries[0].get('Error', '')}", hint=CREDENTIALS_HINT
            )
        yield [
            (index, _entry(message, entry))
            for index, message, entry in zip(batch.indexes, batch.messages, entries, strict=True)
        ]

    def _send_one(self, message: OutgoingMessage) -> DeliveryResult:
        response = self._call(PATH, payload(message, self.configuration_set))
        if response.is_success:
            data = api.json_or_error(response, self.name)
            message_id = data.get("MessageId") if isinstance(data, dict) else None
            return DeliveryResult(message.to, "sent", provider_id=str(message_id))
        kind = self._whole_call(response)
        return DeliveryResult(message.to, "failed", error=f"ses: {kind}: {api.describe(response)}")

    def _call(self, path: str, body: dict[str, Any]) -> httpx.Response:
        content = json.dumps(body).encode()
        url = f"{self.http.base_url}".rstrip("/") + path
        access, secret_key, token = self.credentials
        headers = sigv4.sign(
            "POST",
            url,
            {"Content-Type": "application/json"},
            content,
            access_key=access,
            secret_key=secret_key,
            session_token=token,
            region=self.region,
            service="ses",
            now=self.clock(),
        )
        return api.post(self.http, self.name, path, content=content, headers=headers)

    @staticmethod
    def _whole_call(response: httpx.Response) -> str:
        """Raise for an error about the account or the moment; else return SES's error type."""
        kind = _error_type(response)
        if kind in STOP or response.status_code in (401, 403):
            raise PermanentDeliveryError(
                f"ses: {kind or 'refused'} ({api.describe(response)})", hint=CREDENTIALS_HINT
            )
        if kind in LATER or response.status_code == 429 or response.status_code >= 500:
            raise TransientDeliveryError(
                f"ses: {kind or 'unavailable'} ({api.describe(response)})",
                retry_after=api.retry_after(response),
            )
        return kind

    def close(self) -> None:
        self.http.close()


def _entry(message: OutgoingMessage, entry: Any) -> DeliveryResult:
    """One BulkEmailEntryResult as the result of its message."""
    status = str(entry.get("Status")) if isinstance(entry, dict) else "FAILED"
    if status == "SUCCESS":
        return DeliveryResult(message.to, "sent", provider_id=str(entry.get("MessageId")))
    error = f"ses: {status}: {entry.get('Error', '') if isinstance(entry, dict) else entry}"
    if status in ENTRY_LATER or status in ENTRY_STOP:
        return DeliveryResult(message.to, "retry", error=error)
    return DeliveryResult(message.to, "failed", error=error)


def _error_type(response: httpx.Response) -> str:
    raw = response.headers.get("x-amzn-errortype", "")
    if not raw:
        try:
            data = response.json()
            raw = str(data.get("__type", "")) if isinstance(data, dict) else ""
        except ValueError:
            raw = ""
    return str(raw).split(":")[0].split("#")[-1]


def make_ses(options: Mapping[str, Any], base_dir: Path, environ: Mapping[str, str]) -> SesProvider:
    values = read_options("delivery.ses", options, SPEC)
    access = secret(environ, "AWS_ACCESS_KEY_ID", purpose="Amazon SES credentials")
    secret_key = secret(environ, "AWS_SECRET_ACCESS_KEY", purpose="Amazon SES credentials")
    region = values["region"]
    http = api.client(
        values["base_url"] or f"https://email.{region}.amazonaws.com", timeout=values["timeout"]
    )
    return SesProvider(
        http,
        region=region,
        access_key=access,
        secret_key=secret_key,
        session_token=environ.get("AWS_SESSION_TOKEN") or None,
        configuration_set=values["configuration_set"],
    )
