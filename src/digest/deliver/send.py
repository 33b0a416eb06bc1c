"""The exactly-once send loop: claim from the ledger, hand to a lane, record at once.

Each batch is claimed (rows -> `sending`, committed) before the provider is called, and the
results are committed the moment they come back, each time all that arrived together in one
transaction: per message for SMTP (whose connections answer one by one), per call for the
HTTP APIs. The batches run in a lane (`jobs`): in this process, or in send processes
(`workers`) that build and send while this loop alone writes the ledger. A crash leaves the
claimed rows "in doubt"; the next run sends those again first, in the same order, so the only
messages a crash can duplicate are those accepted in the instant before their own commit
(see docs/delivery.md for the measured window per provider).

Like an MTA's queue, an edition keeps trying: a transient failure (connection refused, a
timeout, a 4xx) puts the recipient back with its own retry time (backoff with jitter) until
the edition's retry window ends (`retry_hours`, never past the next edition of the same kind:
the caller's `give_up_in`); only a permanent answer (5xx, an address that cannot be written)
fails a recipient at once. A failure streak pauses the send (`breaker`) instead of ending it.
"""

from __future__ import annotations

import dataclasses
import itertools
import logging
import random
import time
from collections import Counter
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from digest.deliver.base import Provider
from digest.deliver.bounce import HARD_BOUNCE, failure_kind
from digest.deliver.breaker import Breaker
from digest.deliver.jobs import Answers, Event, Finished, InlineLane, Lanes, Outcome, Settled
from digest.deliver.options import Option, read_options
from digest.errors import ConfigError
from digest.models import DeliveryResult, OutgoingMessage
from digest.state import Ledger

SETTINGS_SPEC = {
    "rate_per_second": Option(float, default=None),
    "max_attempts": Option(int, default=None),
    "retry_hours": Option(float, default=24.0),
    "patience_seconds": Option(float, default=600.0),
    "backoff_base": Option(float, default=1.0),
    "backoff_max": Option(float, default=60.0),
    "failure_threshold": Option(int, default=20),
    "claim_size": Option(int, default=None),
    "processes": Option(int, default=0),
    "lease_seconds": Option(float, default=300.0),
    "idle_seconds": Option(float, default=5.0),
}
MAX_PROCESSES = 32
GIVE_UP = "retries exhausted"  # the failure reason of a recipient whose retry window ended

log = logging.getLogger("digest.deliver")


@dataclass(frozen=True)
class SendSettings:
    """How hard and how fast to send.

    failure_threshold: consecutive failed attempts (no success in between) after which the
    send pauses (`breaker`: backoff_base doubling up to backoff_max, then one probe).
    retry_hours: how long a recipient's transient failures are retried; give_up_in (set by
    the caller, not configured): seconds from now to the end of the edition's window, when
    shorter. max_attempts: an extra limit on attempts per recipient (None: only the window).
    patience_seconds: how long one run waits through pauses before it returns, the rest
    pending for the next (the scheduler and `digest worker` pass their own).
    claim_size: rows per provider call (default: the provider's batch size). processes: send
    processes (0: automatic, see `composed.send_processes`; 1: build and send in the send
    loop's own process).
    lease_seconds: on a shared database, how long a claim is a sender's own before another
    may take its rows as in doubt (the sender died); longer than a batch takes to send.
    rate_per_second is then the total of every sender on the database. idle_seconds: how
    long `digest worker` waits before it looks again when nothing is pending.
    """

    rate_per_second: float | None = None
    max_attempts: int | None = None
    retry_hours: float = 24.0
    patience_seconds: float = 600.0
    give_up_in: float | None = None
    backoff_base: float = 1.0
    backoff_max: float = 60.0
    failure_threshold: int = 20
    claim_size: int | None = None
    processes: int = 0
    lease_seconds: float = 300.0
    idle_seconds: float = 5.0


@dataclass(frozen=True)
class SendReport:
    """The edition's totals in the ledger after this run, and why it stopped early if it did."""

    sent: int
    failed: int
    skipped: int
    failures_by_reason: Mapping[str, int]
    stopped: str | None
    skipped_by_reason: Mapping[str, int] = field(default_factory=dict)
    pending: int = 0
    in_doubt: int = 0
    attempted: int = 0
    interrupted: str | None = None  # why a stop was asked for (a signal), if it was


def send_settings_from_table(table: Mapping[str, Any], key: str = "delivery") -> SendSettings:
    """SendSettings from the [delivery] table, ignoring the sub-tables; `provider` is read by the
    config (it names a registry entry) but belongs to the keys a typo's hint lists."""
    own = {k: v for k, v in table.items() if not isinstance(v, Mapping)}
    values = read_options(key, own, {**SETTINGS_SPEC, "provider": Option(str)})
    del values["provider"]
    for name in ("max_attempts", "failure_threshold", "claim_size"):
        if values[name] is not None and values[name] < 1:
            raise ConfigError(f"{key}.{name}: must be at least 1, got {values[name]}")
    if not 0 <= values["processes"] <= MAX_PROCESSES:
        raise ConfigError(
            f"{key}.processes: must be 0 (automatic) to {MAX_PROCESSES}, got {values['processes']}"
        )
    positive = ("backoff_base", "backoff_max", "lease_seconds", "idle_seconds", "retry_hours")
    for name in ("rate_per_second", "patience_seconds", *positive):
        if values[name] is not None and values[name] <= 0:
            raise ConfigError(f"{key}.{name}: must be greater than 0, got {values[name]}")
    return SendSettings(**values)


class RateLimiter:
    """Spaces provider calls so that messages go out at most `rate` per second.

    `book(count, rate, now)` returns when a booking of `count` messages may start, and
    `unbook(count, rate, end)` gives back the last `count` of a booking that ends at `end` if
    nothing was booked after it. By default the bookings are this process's own;
    `Ledger.reserve_pace` and `Ledger.return_pace` share them with every sender on a shared
    database.
    """

    def __init__(
        self,
        rate: float | None,
        clock: Callable[[], float],
        sleep: Callable[[float], None],
        book: Callable[[int, float, float], float] | None = None,
        unbook: Callable[[int, float, float], None] | None = None,
    ) -> None:
        self.rate = rate
        self.clock = clock
        self.sleep = sleep
        self.book = book or self._book
        self.unbook = unbook or self._unbook
        self.next_free = 0.0
        self.booked_until = 0.0

    def wait(self, count: int) -> None:
        if not self.rate:
            return
        now = self.clock()
        start = self.book(count, self.rate, now)
        self.booked_until = start + count / self.rate
        if start > now:
            self.sleep(start - now)

    def refund(self, count: int) -> None:
        """Give back `count` messages of the last booking that were not sent after all."""
        if self.rate and count > 0:
            self.unbook(count, self.rate, self.booked_until)
            self.booked_until -= count / self.rate

    def _book(self, count: int, rate: float, now: float) -> float:
        start = max(now, self.next_free)
        self.next_free = start + count / rate
        return start

    def _unbook(self, count: int, rate: float, end: float) -> None:
        if self.next_free == end:
            self.next_free -= count / rate


def backoff(
    attempt: int, settings: SendSettings, retry_after: float | None, jitter: float
) -> float:
    """Exponential delay with jitter (50-100% of the step), never less than Retry-After."""
    step = min(settings.backoff_max, settings.backoff_base * 2 ** max(0, attempt - 1))
    return float(max(step * (0.5 + jitter / 2), retry_after or 0.0))


def send_edition(
    edition_id: str,
    *,
    ledger: Ledger,
    settings: SendSettings,
    provider: Provider | None = None,
    message_for: Callable[[str], OutgoingMessage | None] | None = None,
    lanes: Lanes | None = None,
    resolve: Callable[[str], Any] | None = None,
    progress: Callable[[int, int], None] | None = None,
    sleep: Callable[[float], None] = time.sleep,
    clock: Callable[[], float] | None = None,
    jitter: Callable[[], float] = random.random,
    stop: Callable[[], str | None] | None = None,
) -> SendReport:
    """Send every pending row of the edition once; resumable after a crash at any point.

    In this process: `provider` and message_for(email), which builds the message, or returns
    None when the subscriber is no longer active (recorded as skipped "unsubscribed"); a
    PermanentDeliveryError from it (an address that cannot be written) marks the row failed
    "invalid address". Or through `lanes` (send processes, `workers.ProcessLanes`), which
    build each message from what resolve(email) gives (None: skipped "unsubscribed").
    Either way this loop alone claims and records: each group of answers is committed the
    moment it arrives, in one transaction (as many answers as arrived together).

    stop() returns a reason once a stop is asked for (SIGTERM): the messages in flight finish
    and are recorded, no new batch is claimed, and the rest stays pending for the next run.

    clock() dates retries and leases: by default the monotonic clock, or on a shared database
    the wall clock, which every sender on every host reads alike.
    """
    if lanes is None:
        if provider is None or message_for is None:
            raise TypeError("send_edition needs lanes, or a provider and message_for")
        lanes = InlineLane(provider, message_for)
    find: Callable[[str], Any] = resolve or _same
    shared = ledger.db.shared
    if clock is None:
        clock = time.time if shared else time.monotonic
    in_doubt = ledger.recover_in_doubt(edition_id, clock())
    counts = ledger.counts(edition_id)
    tally = _Tally(total=sum(counts.values()), done=sum(counts.values()) - counts["pending"])
    limiter = RateLimiter(
        settings.rate_per_second,
        clock,
        sleep,
        ledger.reserve_pace if shared else None,
        ledger.return_pace if shared else None,
    )
    # Shared senders book their turn before they claim, so that a claim's lease runs from
    # when its messages can go, however many senders wait for the same rate.
    book_first = shared and settings.rate_per_second is not None
    window = settings.retry_hours * 3600
    if settings.give_up_in is not None:
        window = min(window, settings.give_up_in)
    breaker = Breaker(
        settings.failure_threshold, settings.backoff_base, settings.backoff_max, jitter
    )
    record = _Recorder(
        edition_id, ledger, settings, tally, clock, jitter, breaker, clock() + window
    )
    record.expire()  # a window already over: nothing more is tried
    size = settings.claim_size or lanes.batch_size
    interrupted: str | None = None
    jobs = itertools.count()
    while True:
        waiting = False
        while record.halted is None and interrupted is None and lanes.room():
            if stop is not None and (interrupted := stop()):
                break
            if not breaker.closed() and (record.flights or not breaker.due(clock())):
                break  # paused, or its probe is out
            take = size if breaker.closed() else 1
            if book_first:
                limiter.wait(take)
            claimed = ledger.claim(edition_id, take, clock(), settings.lease_seconds)
            if not claimed:
                if book_first:
                    limiter.refund(take)
                waiting = True
                break
            job = next(jobs)
            items = record.start(job, claimed, find)
            if book_first:
                limiter.refund(take - len(items))
            elif items:
                limiter.wait(len(items))
            if items:
                tally.attempted += len(items)
                lanes.submit(job, items)
        if record.flights:
            events = lanes.events()
            record(events)
            lanes.recorded(events)
        elif record.halted is not None or interrupted is not None:
            break
        elif clock() >= record.give_up_at:
            break  # the window is over: what is still pending fails below
        elif breaker.open_until is not None and not breaker.due(clock()):
            pause = min(breaker.open_until, record.give_up_at) - clock()
            if breaker.paused + pause > settings.patience_seconds:
                record.halted = record.paused_note()
                break
            breaker.paused += pause
            _wait(pause, sleep, stop)
            record.expire()
        elif waiting:
            due = ledger.next_due(edition_id)
            if due is None:
                break
            _wait(max(0.0, min(due, record.give_up_at) - clock()), sleep, stop)
            record.expire()
        if progress:
            progress(tally.done, tally.total)
    record.expire()
    report = _report(edition_id, ledger, record.halted, len(in_doubt), tally.attempted)
    # A stop that came after the last recipient was recorded interrupted nothing: the edition
    # is complete, and its firing is done, not "interrupted" (a loaded machine delivered the
    # signal between the last message and the end of the loop).
    unfinished = report.pending or report.in_doubt
    return dataclasses.replace(report, interrupted=interrupted if unfinished else None)


def _same(email: str) -> str:
    return email


STOP_POLL = 0.2  # seconds between looks at a stop request during a retry wait


def _wait(
    seconds: float, sleep: Callable[[float], None], stop: Callable[[], str | None] | None
) -> None:
    """Sleep until a retry is due; with a stop request to honour, in short steps."""
    if stop is None:
        sleep(seconds)
        return
    while seconds > 0 and not stop():
        step = min(STOP_POLL, seconds)
        sleep(step)
        seconds -= step


@dataclass
class _Tally:
    """What the send loop counts as it goes."""

    total: int
    done: int
    attempted: int = 0
    last_error: str = ""


@dataclass
class _Flight:
    """A job handed to a lane: its addresses, their attempt counts, what is unanswered."""

    emails: list[str]
    attempts: list[int]
    unanswered: set[int]


@dataclass
class _Recorder:
    """Writes what the lanes report to the ledger, one transaction per arrival.

    Called on the thread that owns the SQLite connection. An SMTP answer is one message (or
    the few that arrived together), so the gap between the server's 250 and the ledger is one
    COMMIT; an API answer is the whole call, committed together so that a call is never half
    in doubt.
    """

    edition_id: str
    ledger: Ledger
    settings: SendSettings
    tally: _Tally
    clock: Callable[[], float]
    jitter: Callable[[], float]
    breaker: Breaker
    give_up_at: float  # send clock: the end of the edition's retry window
    flights: dict[int, _Flight] = field(default_factory=dict)
    halted: str | None = None  # why the send stops (no new claims), once it must

    def start(
        self, job: int, claimed: list[tuple[str, int]], find: Callable[[str], Any]
    ) -> list[tuple[str, Any]]:
        """The job's items; addresses whose subscriber is gone are settled here at once."""
        items: list[tuple[str, Any]] = []
        attempts: list[int] = []
        gone: list[str] = []
        for email, tries in claimed:
            payload = find(email)
            if payload is None:
                gone.append(email)
            else:
                items.append((email, payload))
                attempts.append(tries)
        if gone:
            with self.ledger.db.transaction():
                for email in gone:
                    self.ledger.mark_skipped(self.edition_id, email, "unsubscribed")
            self.tally.done += len(gone)
        if items:
            self.flights[job] = _Flight(
                [email for email, _ in items], attempts, set(range(len(items)))
            )
        return items

    def __call__(self, events: list[Event]) -> None:
        with self.ledger.db.transaction():
            for event in events:
                flight = self.flights[event.job]
                if isinstance(event, Answers):
                    for index, outcome in event.outcomes:
                        if index not in flight.unanswered:
                            self._halt(f"{self.edition_id}: answered item {index} twice")
                            continue
                        flight.unanswered.discard(index)
                        self._write(flight, index, outcome)
                else:
                    self._finish(flight, event)
                    del self.flights[event.job]

    def _finish(self, flight: _Flight, event: Finished) -> None:
        """The job ended: whatever is still unanswered is retried later or goes back."""
        left = sorted(flight.unanswered)
        flight.unanswered.clear()
        if event.error is None and not left:
            return
        if event.transient:
            for index in left:
                result = DeliveryResult(
                    flight.emails[index], "retry", error=event.error, retry_after=event.retry_after
                )
                self._write(flight, index, result)
            return
        error = event.error or f"{len(left)} messages of a batch were never answered"
        for index in left:
            self.ledger.release(self.edition_id, flight.emails[index], error, None)
        self._halt(error + (f" ({event.hint})" if event.hint else ""))

    def expire(self) -> None:
        """At the end of the retry window, every recipient still pending after a try fails
        for good (one never tried gets its try)."""
        if self.clock() < self.give_up_at:
            return
        given_up = self.ledger.give_up(
            self.edition_id, self.tally.last_error or "not sent", GIVE_UP
        )
        if given_up:
            self.tally.done += given_up
            self._log(
                logging.ERROR,
                "send.give_up",
                f"gave up on {given_up} recipient(s) at the end of the edition's retry window; "
                f"last error: {self.tally.last_error or 'none'}",
                given_up=given_up,
            )

    def paused_note(self) -> str:
        return (
            f"paused after {self.breaker.failures} failed attempts in a row (last error: "
            f"{self.tally.last_error}); the rest stays pending until the edition's retry window "
            "ends: `digest schedule` and `digest worker` resume it on their own, or `digest send`"
        )

    def _log(self, level: int, event: str, message: str, **extra: int) -> None:
        counts = self.ledger.counts(self.edition_id)
        log.log(
            level,
            f"{self.edition_id}: {message}",
            extra={"event": event, "edition": self.edition_id, "counts": {**counts, **extra}},
        )

    def _halt(self, reason: str) -> None:
        if self.halted is None:
            self.halted = reason

    def _write(self, flight: _Flight, index: int, outcome: Outcome) -> None:
        ledger, edition_id, tally = self.ledger, self.edition_id, self.tally
        email = flight.emails[index]
        if isinstance(outcome, Settled):
            if outcome.error is None:
                ledger.mark_skipped(edition_id, email, outcome.reason)
            else:
                ledger.mark_failed(
                    edition_id, email, outcome.error, permanent=True, kind=outcome.reason
                )
            tally.done += 1
            return
        if outcome.status == "sent":
            ledger.mark_sent(edition_id, email, outcome.provider_id)
            tally.done += 1
            if self.breaker.success():
                self._log(logging.WARNING, "send.resume", "sending again: the probe went out")
            return
        error = outcome.error or "no reason given"
        tally.last_error = error
        if (pause := self.breaker.failure(self.clock())) is not None:
            self._log(  # the pause at warning; each failed probe that lengthens it at info
                logging.WARNING if self.breaker.trips == 1 else logging.INFO,
                "send.pause",
                f"paused for {pause:.1f} s after {self.breaker.failures} failed attempts in "
                f"a row, then one message as a probe; last error: {error}",
            )
        tries = flight.attempts[index]
        if outcome.status == "failed":
            kind = failure_kind(error)
            ledger.mark_failed(edition_id, email, error, permanent=True, kind=kind)
            if kind == HARD_BOUNCE:
                ledger.suppress(email, f"{edition_id}: {error}"[:500])
            tally.done += 1
        elif self.clock() >= self.give_up_at or tries >= (self.settings.max_attempts or tries + 1):
            ledger.mark_failed(edition_id, email, error, permanent=False, kind=GIVE_UP)
            tally.done += 1
        else:
            delay = backoff(tries, self.settings, outcome.retry_after, self.jitter())
            ledger.release(edition_id, email, error, self.clock() + delay)


def _report(
    edition_id: str, ledger: Ledger, stopped: str | None, in_doubt: int, attempted: int
) -> SendReport:
    counts = ledger.counts(edition_id)
    return SendReport(
        sent=counts["sent"],
        failed=counts["failed"],
        skipped=counts["skipped"],
        failures_by_reason=Counter(ledger.reasons(edition_id, "failed")),
        stopped=stopped,
        skipped_by_reason=Counter(ledger.reasons(edition_id, "skipped")),
        pending=counts["pending"],
        in_doubt=in_doubt,
        attempted=attempted,
    )
