"""The Provider protocol every delivery backend implements, and results as they complete."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping, Sequence
from pathlib import Path
from typing import Any, Protocol, runtime_checkable

from digest.errors import DeliveryError
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


@runtime_checkable
class StreamingProvider(Provider, Protocol):
    """A provider that learns each message's fate on its own (SMTP: one 250 per message).

    `send_iter` yields (index into messages, result) in the order the answers arrive, so the
    send loop can record each one at once; an error that concerns the whole call is raised
    after every answer that did arrive has been yielded.
    """

    def send_iter(
        self, messages: Sequence[OutgoingMessage]
    ) -> Iterator[tuple[int, DeliveryResult]]: ...


def answers(
    provider: Provider, messages: Sequence[OutgoingMessage]
) -> Iterator[list[tuple[int, DeliveryResult]]]:
    """The provider's answers as they arrive, each a list of (index into messages, result).

    A streaming provider's answers come one message at a time; a provider that answers per
    call (the HTTP APIs, the outbox) gives one list for the whole call. The send loop commits
    each list in one transaction: per message where the provider allows it, and never part
    of a call, so a batch in doubt is always whole (Resend's Idempotency-Key hashes it).
    """
    if isinstance(provider, StreamingProvider):
        for answer in provider.send_iter(messages):
            yield [answer]
        return
    results = provider.send(messages)
    if len(results) != len(messages):
        raise DeliveryError(f"{provider.name}: {len(results)} results for {len(messages)} messages")
    yield list(enumerate(results))


ProviderFactory = Callable[[Mapping[str, Any], Path, Mapping[str, str]], Provider]
"""(the [delivery.<name>] table, the config file's folder, the environment) -> Provider."""
