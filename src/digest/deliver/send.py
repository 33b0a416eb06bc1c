"""The exactly-once send loop: claim from the ledger, hand to the provider, record at once.

Each batch is claimed (rows -> `sending`, committed) before the provider is called, and every
result is committed in its own transaction the moment it comes back: per message for SMTP
(whose connections answer one by one), per call for the HTTP APIs. A crash leaves the claimed
rows "in doubt"; the next run sends those again first, in the same order, so the only
messages a crash can duplicate are those accepted in the instant before their own commit
(see docs/delivery.md for the measured window per provider).
"""

from __future__ import annotations

import dataclasses
import random
import time
from collections import Counter
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from digest.deliver.base import Provider, answers
from digest.deliver.bounce import HARD_BOUNCE, failure_kind
from digest.deliver.options import Option, read_options
from digest.errors import ConfigError, DeliveryError, TransientDeliveryError
from digest.models import DeliveryResult, OutgoingMessage
from digest.state import Ledger

SETTINGS_SPEC = {
    "rate_per_second": Option(float, default=None),
    "max_attempts": Option(int, default=5),
    "backoff_base": Option(float, default=1.0),
    "backoff_max": Option(float, default=60.0),
    "failure_threshold": Option(int, default=20),
    "claim_size": Option(int, default=None),
}


@dataclass(frozen=True)
class SendSettings:
    """How hard and how fast to send.

    failure_threshold: consecutive failed attempts (no success in between) after which the
    send stops, leaving the rest pending. claim_size: rows per provider call (default: the
    provider's batch size).
    """

    rate_per_second: float | None = None
    max_attempts: int = 5
    backoff_base: float = 1.0
    backoff_max: float = 60.0
    failure_threshold: int = 20
    claim_size: int | None = None


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
    """SendSettings from the [delivery] table, ignoring `provider` and the sub-tables."""
    own = {k: v for k, v in table.items() if k != "provider" and not isinstance(v, Mapping)}
    values = read_options(key, own, SETTINGS_SPEC)
    for name in ("max_attempts", "failure_threshold", "claim_size"):
        if values[name] is not None and values[name] < 1:
            raise ConfigError(f"{key}.{name}: must be at least 1, got {values[name]}")
    for name in ("rate_per_second", "backoff_base", "backoff_max"):
        if values[name] is not None and values[name] <= 0:
            raise ConfigError(f"{key}.{name}: must be greater than 0, got {values[name]}")
    return SendSettings(**values)


class RateLimiter:
    """Spaces provider calls so that messages go out at most `rate` per second."""

    def __init__(
        self, rate: float | None, clock: Callable[[], float], sleep: Callable[[float], None]
    ) -> None:
        self.rate = rate
        self.clock = clock
        self.sleep = sleep
        self.next_free = 0.0

    def wait(self, count: int) -> None:
        if not self.rate:
            return
        now = self.clock()
        if self.next_free > now:
            self.sleep(self.next_free - now)
            now = self.next_free
        self.next_free = max(now, self.next_free) + count / self.rate


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
    provider: Provider,
    message_for: Callable[[str], OutgoingMessage | None],
    settings: SendSettings,
    progress: Callable[[int, int], None] | None = None,
    sleep: Callable[[float], None] = time.sleep,
    clock: Callable[[], float] = time.monotonic,
    jitter: Callable[[], float] = random.random,
    stop: Callable[[], str | None] | None = None,
) -> SendReport:
    """Send every pending row of the edition once; resumable after a crash at any point.

    message_for(email) builds the message, or returns None when the subscriber is no longer
    active (recorded as skipped "unsubscribed"); a PermanentDeliveryError from it (an address
    that cannot be written) marks the row failed "invalid address".

    stop() returns a reason once a stop is asked for (SIGTERM): the messages in flight finish
    and are recorded, no new batch is claimed, and the rest stays pending for the next run.
    """
    in_doubt = ledger.recover_in_doubt(edition_id)
    counts = ledger.counts(edition_id)
    tally = _Tally(total=sum(counts.values()), done=sum(counts.values()) - counts["pending"])
    limiter = RateLimiter(settings.rate_per_second, clock, sleep)
    size = settings.claim_size or provider.batch_size
    stopped: str | None = None
    interrupted: str | None = None
    while True:
        if stop is not None and (interrupted := stop()):
            break
        now = clock()
        claimed = ledger.claim(edition_id, size, now)
        if not claimed:
            due = ledger.next_due(edition_id)
            if due is None:
                break
            _wait(max(0.0, due - now), sleep, stop)
            continue
        attempts = dict(claimed)
        messages, outcomes = _build(
            edition_id, ledger, [email for email, _ in claimed], message_for
        )
        tally.done += len(outcomes)
        if messages:
            limiter.wait(len(messages))
            tally.attempted += len(messages)
            record = _Recorder(edition_id, ledger, settings, attempts, tally, clock, jitter)
            unanswered = dict(enumerate(messages))
            try:
                for answer in answers(provider, messages):
                    for index, _ in answer:
                        if unanswered.pop(index, None) is None:
                            raise DeliveryError(
                                f"{provider.name}: answered message {index} of "
                                f"{len(messages)} twice or out of range"
                            )
                    record([result for _, result in answer])
                if unanswered:
                    raise DeliveryError(
                        f"{provider.name}: {len(messages) - len(unanswered)} results for "
                        f"{len(messages)} messages"
                    )
            except TransientDeliveryError as exc:
                tally.failures_in_row += 1 - len(unanswered)  # one failed call, not per message
                record(
                    [
                        DeliveryResult(m.to, "retry", error=str(exc), retry_after=exc.retry_after)
                        for m in unanswered.values()
                    ]
                )
            except DeliveryError as exc:
                with ledger.db.transaction():
                    for message in unanswered.values():
                        ledger.release(edition_id, message.to, str(exc), None)
                stopped = str(exc) + (f" ({exc.hint})" if exc.hint else "")
                break
        if progress:
            progress(tally.done, tally.total)
        if tally.failures_in_row >= settings.failure_threshold:
            stopped = (
                f"stopped after {tally.failures_in_row} failed attempts in a row; "
                f"last error: {tally.last_error}"
            )
            break
    report = _report(edition_id, ledger, stopped, len(in_doubt), tally.attempted)
    return dataclasses.replace(report, interrupted=interrupted)


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
    failures_in_row: int = 0
    last_error: str = ""


@dataclass
class _Recorder:
    """Writes one provider answer to the ledger in one transaction, the moment it arrives.

    Called on the thread that owns the SQLite connection. An SMTP answer is one message, so
    the gap between the server's 250 and the ledger is one COMMIT; an API answer is the whole
    call, committed together so that a call is never half in doubt.
    """

    edition_id: str
    ledger: Ledger
    settings: SendSettings
    attempts: Mapping[str, int]
    tally: _Tally
    clock: Callable[[], float]
    jitter: Callable[[], float]

    def __call__(self, results: list[DeliveryResult]) -> None:
        with self.ledger.db.transaction():
            for result in results:
                self._write(result)

    def _write(self, result: DeliveryResult) -> None:
        ledger, edition_id, tally = self.ledger, self.edition_id, self.tally
        if result.status == "sent":
            ledger.mark_sent(edition_id, result.to, result.provider_id)
            tally.failures_in_row = 0
            tally.done += 1
            return
        tally.failures_in_row += 1
        error = result.error or "no reason given"
        tally.last_error = error
        tries = self.attempts.get(result.to.lower(), self.settings.max_attempts)
        if result.status == "failed":
            kind = failure_kind(error)
            ledger.mark_failed(edition_id, result.to, error, permanent=True, kind=kind)
            if kind == HARD_BOUNCE:
                ledger.suppress(result.to, f"{edition_id}: {error}"[:500])
            tally.done += 1
        elif tries >= self.settings.max_attempts:
            ledger.mark_failed(
                edition_id, result.to, error, permanent=False, kind="retries exhausted"
            )
            tally.done += 1
        else:
            delay = backoff(tries, self.settings, result.retry_after, self.jitter())
            ledger.release(edition_id, result.to, error, self.clock() + delay)


def _build(
    edition_id: str,
    ledger: Ledger,
    emails: list[str],
    message_for: Callable[[str], OutgoingMessage | None],
) -> tuple[list[OutgoingMessage], list[str]]:
    """Messages to send, and the addresses settled without sending (skipped or invalid)."""
    messages: list[OutgoingMessage] = []
    settled: list[tuple[str, str, str | None]] = []
    for email in emails:
        try:
            message = message_for(email)
        except DeliveryError as exc:
            settled.append((email, "invalid address", str(exc)))
            continue
        if message is None:
            settled.append((email, "unsubscribed", None))
        else:
            messages.append(message)
    if settled:
        with ledger.db.transaction():
            for email, reason, error in settled:
                if error is None:
                    ledger.mark_skipped(edition_id, email, reason)
                else:
                    ledger.mark_failed(edition_id, email, error, permanent=True, kind=reason)
    return messages, [email for email, _, _ in settled]


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
