"""The Provider protocol every delivery backend implements, and results as they complete."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
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


Answer = tuple[int, DeliveryResult]  # (index into the messages of the call, its result)


class Credits(Protocol):
    """Messages that may be out with their answers not yet recorded (a threading.Semaphore
    that the recorder releases once per answer it has committed)."""

    def acquire(self, blocking: bool = True, timeout: float | None = None) -> bool: ...

    def release(self, n: int = 1) -> None: ...


@runtime_checkable
class StreamingProvider(Provider, Protocol):
    """A provider that learns each message's fate on its own (SMTP: one 250 per message).

    `send_iter` takes the messages as they are built (an iterator: it starts sending the
    first before asking for the next) and yields the answers as they arrive, each time all
    those that have arrived since the last yield, so the send loop can record them at once;
    an error that concerns the whole call is raised after every answer that did arrive has
    been yielded. With `credits`, a provider that sends message by message takes one before
    each message and gives back those of messages it will not answer; one that answers per
    call (the APIs) ignores them: its call is in doubt whole anyway.
    """

    def send_iter(
        self, messages: Iterable[OutgoingMessage], credits: Credits | None = None
    ) -> Iterator[list[Answer]]: ...


def collected(
    provider: StreamingProvider, messages: Sequence[OutgoingMessage]
) -> list[DeliveryResult]:
    """A streaming provider's `send`: every answer of its `send_iter`, in the messages' order."""
    found = dict(answer for group in provider.send_iter(messages) for answer in group)
    return [found[index] for index in range(len(messages))]


def answers(
    provider: Provider, messages: Iterable[OutgoingMessage], credits: Credits | None = None
) -> Iterator[list[Answer]]:
    """The provider's answers as they arrive, in groups of (index into messages, result).

    A streaming provider's answers come a message at a time (grouped when several arrived
    together); a provider that answers per call (the HTTP APIs, the outbox) gives one group
    for the whole call. The send loop commits each group in one transaction: per message
    where the provider allows it, and never part of a call, so a batch in doubt is always
    whole (Resend's Idempotency-Key hashes it).
    """
    if isinstance(provider, StreamingProvider):
        yield from provider.send_iter(messages, credits)
        return
    batch = list(messages)
    if not batch:
        return
    results = provider.send(batch)
    if len(results) != len(batch):
        raise DeliveryError(f"{provider.name}: {len(results)} results for {len(batch)} messages")
    yield list(enumerate(results))


ProviderFactory = Callable[[Mapping[str, Any], Path, Mapping[str, str]], Provider]
"""(the [delivery.<name>] table, the config file's folder, the environment) -> Provider."""
