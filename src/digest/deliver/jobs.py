"""One claimed batch through a lane: build each message, hand them to the provider, report.

A job is a claimed batch, `(job id, [(address, payload), ...])`. `run_job` builds each
payload's message (`build` returns None for a subscriber who left, raises DeliveryError for
an address that cannot be written), gives the built ones to the provider as they are built,
and yields events: `Answers` as they arrive (provider results and items settled without
sending) and one `Finished` at the end, carrying the error that ended the job early, if any.

The same function runs in the send loop's own process (`InlineLane`) and in each send
process (`workers`), so the two paths cannot drift apart. Events are plain data: they cross
a pipe from a send process to the send loop, which alone writes the ledger.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any, Protocol

from digest.deliver.base import Credits, Provider, answers
from digest.errors import DeliveryError, TransientDeliveryError
from digest.models import DeliveryResult, OutgoingMessage

Item = tuple[str, Any]  # (the ledger's address, what `build` makes its message from)
Build = Callable[[Any], OutgoingMessage | None]


@dataclass(frozen=True)
class Settled:
    """An item settled without sending: reason "unsubscribed" or "invalid address"."""

    reason: str
    error: str | None = None


Outcome = DeliveryResult | Settled


@dataclass(frozen=True)
class Answers:
    """Outcomes that arrived together: (index of the item in its job, outcome)."""

    job: int
    outcomes: tuple[tuple[int, Outcome], ...]


@dataclass(frozen=True)
class Finished:
    """The job is over; `error` says why it ended before every item was answered.

    transient: try the unanswered items again later (TransientDeliveryError, or a send
    process that died); otherwise the send stops and they go back to pending.
    """

    job: int
    error: str | None = None
    transient: bool = False
    hint: str | None = None
    retry_after: float | None = None


Event = Answers | Finished


def run_job(
    provider: Provider,
    build: Build,
    job: int,
    items: Sequence[Item],
    credits: Credits | None = None,
) -> Iterator[Event]:
    """Every event of one job, as it happens; `credits` go to the provider (`base.answers`)."""
    settled: list[tuple[int, Outcome]] = []
    positions: list[int] = []  # the provider's index of a message -> the item's index

    def messages() -> Iterator[OutgoingMessage]:
        for index, (_, payload) in enumerate(items):
            try:
                message = build(payload)
            except DeliveryError as exc:
                settled.append((index, Settled("invalid address", str(exc))))
                continue
            if message is None:
                settled.append((index, Settled("unsubscribed")))
                continue
            positions.append(index)
            yield message

    def with_settled(outcomes: list[tuple[int, Outcome]]) -> Answers:
        taken = [*settled, *outcomes]
        settled.clear()
        return Answers(job, tuple(taken))

    try:
        for group in answers(provider, messages(), credits):
            if any(not 0 <= index < len(positions) for index, _ in group):
                yield Finished(job, error=f"{provider.name}: answered a message it was not sent")
                return
            yield with_settled([(positions[index], result) for index, result in group])
    except DeliveryError as exc:
        if settled:
            yield with_settled([])
        yield Finished(
            job,
            error=str(exc),
            transient=isinstance(exc, TransientDeliveryError),
            hint=exc.hint,
            retry_after=exc.retry_after,
        )
        return
    if settled:
        yield with_settled([])
    yield Finished(job)


class Lanes(Protocol):
    """Where the send loop's jobs run: in its own process, or in send processes."""

    name: str
    batch_size: int

    def room(self) -> bool:
        """Whether another job can be submitted now."""
        ...

    def submit(self, job: int, items: Sequence[Item]) -> None: ...

    def events(self) -> list[Event]:
        """Block until at least one event of a submitted job has arrived; return all that did."""
        ...

    def recorded(self, events: Sequence[Event]) -> None:
        """These events are committed to the ledger (send processes may send more)."""
        ...

    def close(self) -> None: ...


CREDITS_PER_CONNECTION = 2  # messages that may be out unrecorded, per connection


def credits_for(provider: Provider) -> int | None:
    """How many messages may be out before the ledger has their answers: for a provider that
    sends message by message over `in_flight` connections (SMTP), two per connection (one on
    its way, one waiting for its commit), so a kill of the send loop leaves at most that many
    accepted and unrecorded, however late the loop gets to its commits; for one that answers
    per call (the APIs), no limit (a call is in doubt whole).
    """
    in_flight = getattr(provider, "in_flight", None)
    return in_flight * CREDITS_PER_CONNECTION if isinstance(in_flight, int) else None


def committed_answers(events: Sequence[Event]) -> int:
    """The provider answers among `events` (what gives credits back once committed)."""
    return sum(
        isinstance(outcome, DeliveryResult)
        for event in events
        if isinstance(event, Answers)
        for _, outcome in event.outcomes
    )


class InlineLane:
    """Jobs run one at a time in the send loop's process, the provider answering as it goes.

    The provider's connection threads take a credit (`credits_for`) before each message and
    the send loop gives it back once the answer is committed: without them, a send loop held
    up (a loaded machine) let the threads send the rest of the batch, whose answers a kill
    then lost (14 duplicates in one kill test, where 3 connections were thought the limit).
    """

    def __init__(self, provider: Provider, build: Build) -> None:
        self.provider = provider
        self.build = build
        self.name = provider.name
        self.batch_size = provider.batch_size
        limit = credits_for(provider)
        self._credits = threading.Semaphore(limit) if limit else None
        self._running: Iterator[Event] | None = None

    def room(self) -> bool:
        return self._running is None

    def submit(self, job: int, items: Sequence[Item]) -> None:
        self._running = run_job(self.provider, self.build, job, items, self._credits)

    def events(self) -> list[Event]:
        assert self._running is not None, "no job submitted"
        event = next(self._running)
        if isinstance(event, Finished):
            self._running = None
        return [event]

    def recorded(self, events: Sequence[Event]) -> None:
        """These answers are committed: their connections may send as many more."""
        if self._credits is not None and (count := committed_answers(events)):
            self._credits.release(count)

    def close(self) -> None:
        """The provider is the caller's to close."""
        self._running = None
