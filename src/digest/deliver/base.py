"""The one-verb Provider protocol every delivery backend implements."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Any, Protocol

from digest.models import DeliveryResult, OutgoingMessage


class Provider(Protocol):
    """Hands messages to a mail system.

    `send` returns one DeliveryResult per message, in order: "sent" (with the provider's id),
    "failed" (permanent, with the error) or "retry" (transient, with the error and an optional
    retry_after in seconds). An error that concerns every message of the call (bad
    credentials, a suspended account) is raised instead: TransientDeliveryError means try the
    whole batch again later, any other DeliveryError stops the send.
    """

    name: str
    batch_size: int

    def send(self, messages: Sequence[OutgoingMessage]) -> list[DeliveryResult]: ...

    def close(self) -> None: ...


ProviderFactory = Callable[[Mapping[str, Any], Path, Mapping[str, str]], Provider]
"""(the [delivery.<name>] table, the config file's folder, the environment) -> Provider."""
