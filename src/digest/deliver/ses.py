"""Amazon SES v2 SendEmail with Raw content, one message per call, signed with SigV4."""

from __future__ import annotations

import base64
import json
from collections.abc import Callable, Mapping, Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx

from digest.deliver import api, sigv4
from digest.deliver.message import sender_address
from digest.deliver.options import Option, read_options, secret
from digest.errors import PermanentDeliveryError, TransientDeliveryError
from digest.models import DeliveryResult, OutgoingMessage

PATH = "/v2/email/outbound-emails"
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


def payload(message: OutgoingMessage, configuration_set: str | None) -> dict[str, Any]:
    body: dict[str, Any] = {
        "FromEmailAddress": sender_address(message)[1],
        "Destination": {"ToAddresses": [message.to]},
        "Content": {"Raw": {"Data": base64.b64encode(message.raw).decode("ascii")}},
    }
    if configuration_set:
        body["ConfigurationSetName"] = configuration_set
    return body


class SesProvider:
    name = "ses"
    batch_size = 1

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
        return [self._send_one(message) for message in messages]

    def _send_one(self, message: OutgoingMessage) -> DeliveryResult:
        body = json.dumps(payload(message, self.configuration_set)).encode()
        url = f"{self.http.base_url}".rstrip("/") + PATH
        access, secret_key, token = self.credentials
        headers = sigv4.sign(
            "POST",
            url,
            {"Content-Type": "application/json"},
            body,
            access_key=access,
            secret_key=secret_key,
            session_token=token,
            region=self.region,
            service="ses",
            now=self.clock(),
        )
        response = api.post(self.http, self.name, PATH, content=body, headers=headers)
        if response.is_success:
            data = api.json_or_error(response, self.name)
            message_id = data.get("MessageId") if isinstance(data, dict) else None
            return DeliveryResult(message.to, "sent", provider_id=str(message_id))
        kind = _error_type(response)
        if kind in STOP or response.status_code in (401, 403):
            raise PermanentDeliveryError(
                f"ses: {kind or 'refused'} ({api.describe(response)})",
                hint="check AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY and delivery.ses.region",
            )
        if kind in LATER or response.status_code == 429 or response.status_code >= 500:
            raise TransientDeliveryError(
                f"ses: {kind or 'unavailable'} ({api.describe(response)})",
                retry_after=api.retry_after(response),
            )
        return DeliveryResult(message.to, "failed", error=f"ses: {kind}: {api.describe(response)}")

    def close(self) -> None:
        self.http.close()


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
