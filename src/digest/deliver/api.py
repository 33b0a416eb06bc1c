"""What the HTTP email APIs share: a client, error mapping for whole calls, Retry-After."""

from __future__ import annotations

import email.utils
import time
from collections.abc import Mapping
from typing import Any

import httpx

from digest.deliver.message import header
from digest.deliver.options import Option
from digest.errors import PermanentDeliveryError, TransientDeliveryError
from digest.models import DeliveryResult, OutgoingMessage

TIMEOUT = 30.0
COMMON_SPEC = {"base_url": Option(str, default=None), "timeout": Option(float, default=TIMEOUT)}
RESERVED = frozenset({"from", "to", "reply-to", "subject", "date", "mime-version", "content-type"})


def client(base_url: str, *, timeout: float, **kwargs: Any) -> httpx.Client:
    return httpx.Client(base_url=base_url.rstrip("/"), timeout=timeout, **kwargs)


def custom_headers(message: OutgoingMessage) -> dict[str, str]:
    """Headers an API takes as extras: Message-ID, List-Unsubscribe(-Post), List-Id, ..."""
    return {name: value for name, value in message.headers if name.lower() not in RESERVED}


def reply_to(message: OutgoingMessage) -> str | None:
    return header(message, "Reply-To")


def retry_after(response: httpx.Response) -> float | None:
    """Seconds from a Retry-After header (delta-seconds or HTTP-date), if any."""
    value = response.headers.get("retry-after")
    if not value:
        return None
    try:
        return max(0.0, float(value))
    except ValueError:
        parsed = email.utils.parsedate_to_datetime(value) if value else None
        return None if parsed is None else max(0.0, parsed.timestamp() - time.time())


def post(http: httpx.Client, provider: str, url: str, **kwargs: Any) -> httpx.Response:
    """POST; a timeout or connection failure becomes TransientDeliveryError."""
    try:
        return http.post(url, **kwargs)
    except httpx.HTTPError as exc:
        raise TransientDeliveryError(f"{provider}: {type(exc).__name__}: {exc}") from exc


def describe(response: httpx.Response) -> str:
    text = " ".join(response.text.split())[:300]
    return f"HTTP {response.status_code}: {text}"


def check_call(response: httpx.Response, provider: str, credential: str) -> None:
    """Raise for answers about the whole call: bad credentials stop, 429/5xx retry later."""
    status = response.status_code
    if status in (401, 403):
        raise PermanentDeliveryError(
            f"{provider}: the API refused the credentials ({describe(response)})",
            hint=f"check {credential}",
        )
    if status == 429 or status >= 500 or status == 408:
        raise TransientDeliveryError(
            f"{provider}: {describe(response)}", retry_after=retry_after(response)
        )


def per_message(
    response: httpx.Response, provider: str, message: OutgoingMessage, provider_id: str | None
) -> DeliveryResult:
    """The result for a one-message call that passed `check_call`."""
    if response.is_success:
        return DeliveryResult(message.to, "sent", provider_id=provider_id)
    error = f"{provider}: {describe(response)}"
    if response.status_code == 409:
        return DeliveryResult(message.to, "retry", error=error)
    return DeliveryResult(message.to, "failed", error=error)


def json_or_error(response: httpx.Response, provider: str) -> Mapping[str, Any] | list[Any]:
    try:
        data = response.json()
    except ValueError as exc:
        raise PermanentDeliveryError(
            f"{provider}: unreadable answer ({describe(response)})"
        ) from exc
    if not isinstance(data, dict | list):
        raise PermanentDeliveryError(f"{provider}: unexpected answer ({describe(response)})")
    return data
