"""An edition rides out relay trouble in one send, on a clock the test controls (no sleeps):
a relay down for 25 s in the middle of a send, a relay that greylists (451 on each recipient's
first try), and a relay down when the send starts. Everyone ends delivered exactly once,
without a new send; only the end of the retry window fails anyone, logged at error."""

from __future__ import annotations

import logging
import threading
from pathlib import Path
from typing import Any

import pytest

from digest.deliver import make_provider, send_edition
from digest.deliver.jobs import CREDITS_PER_CONNECTION
from digest.deliver.send import SendReport, SendSettings
from digest.errors import StateUnavailableError
from digest.state.ledger import Ledger

from .factories import message
from .smtp_server import DOWN_FOR, RecordingHandler, Relay, free_port


class Clock:
    """Moves only when the send loop sleeps; tells the relay each time."""

    def __init__(self, relay: Relay) -> None:
        self.now = 1000.0
        self.relay = relay
        self.slept = 0.0
        relay.clock = self  # type: ignore[method-assign,assignment]

    def __call__(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.now += seconds
        self.slept += seconds
        self.relay.tick(self.now)


def send(ledger: Ledger, relay: Relay, clock: Clock, **settings: Any) -> SendReport:
    provider = make_provider(
        "smtp",
        {"host": "127.0.0.1", "port": relay.port, "security": "none", "connections": 2},
        base_dir=Path("."),
        environ={},
    )
    try:
        report = send_edition(
            "e1",
            ledger=ledger,
            provider=provider,
            message_for=message,
            settings=SendSettings(**settings),
            sleep=clock.sleep,
            clock=clock,
            jitter=lambda: 0.5,
        )
    finally:
        provider.close()
        if relay.controller is not None:
            relay.controller.stop()
    return report


def everyone_once(relay: Relay, emails: list[str]) -> bool:
    return relay.recipients() == dict.fromkeys(emails, 1)


def test_relay_down_25_s_mid_send(ledger: Ledger, caplog: pytest.LogCaptureFixture) -> None:
    emails = [f"reader{i:03d}@example.com" for i in range(120)]
    ledger.enqueue("e1", emails)
    relay = Relay(free_port(), down_after=30)
    relay.up()
    clock = Clock(relay)
    with caplog.at_level(logging.WARNING, logger="digest.deliver"):
        report = send(ledger, relay, clock)
    assert relay.outages == 1 and clock.slept >= DOWN_FOR
    assert (report.sent, report.failed, report.pending, report.stopped) == (120, 0, 0, None)
    assert everyone_once(relay, emails)
    events = [(r.levelname, getattr(r, "event", "")) for r in caplog.records]
    assert ("WARNING", "send.pause") in events and ("WARNING", "send.resume") in events
    assert events.index(("WARNING", "send.pause")) < events.index(("WARNING", "send.resume"))
    paused = next(r for r in caplog.records if getattr(r, "event", "") == "send.pause")
    assert paused.counts["sent"] == 30 and paused.counts["pending"] == 90  # type: ignore[attr-defined]


def test_greylisting_relay(ledger: Ledger) -> None:
    """451 to every recipient's first try: a streak of failures at every fresh batch."""
    emails = [f"busy{i:03d}@example.com" for i in range(200)]
    ledger.enqueue("e1", emails)
    relay = Relay(free_port())
    relay.up()
    clock = Clock(relay)
    report = send(ledger, relay, clock)
    assert (report.sent, report.failed, report.pending, report.stopped) == (200, 0, 0, None)
    assert everyone_once(relay, emails)
    assert all(ledger.attempts("e1", email) == 2 for email in emails)
    assert clock.slept < 300, "the greylisted retries go within minutes"


def test_three_subscribers_and_the_relay_down_at_the_start(ledger: Ledger) -> None:
    emails = ["ada@example.com", "grace@example.com", "linus@example.org"]
    ledger.enqueue("e1", emails)
    relay = Relay(free_port())
    relay.down_since = 1000.0  # down from the start: nothing listens on the port
    clock = Clock(relay)
    report = send(ledger, relay, clock)
    assert (report.sent, report.failed, report.pending, report.stopped) == (3, 0, 0, None)
    assert everyone_once(relay, emails)
    assert DOWN_FOR <= clock.slept < DOWN_FOR + 60  # the next try after the relay came back


def test_the_retry_window_ends_the_tries_with_an_error_line(
    ledger: Ledger, caplog: pytest.LogCaptureFixture
) -> None:
    emails = ["ada@example.com", "grace@example.com"]
    ledger.enqueue("e1", emails)
    relay = Relay(free_port())
    relay.down_since = 1000.0
    relay.tick = lambda now: None  # type: ignore[method-assign]  # never back
    clock = Clock(relay)
    with caplog.at_level(logging.WARNING, logger="digest.deliver"):
        report = send(ledger, relay, clock, retry_hours=1.0, patience_seconds=7200.0)
    assert (report.sent, report.failed, report.pending, report.stopped) == (0, 2, 0, None)
    assert dict(report.failures_by_reason) == {"retries exhausted": 2}
    assert 3600 <= clock.slept <= 3600 + 60
    gave_up = [r for r in caplog.records if getattr(r, "event", "") == "send.give_up"]
    assert [r.levelname for r in gave_up] == ["ERROR"]
    assert gave_up[0].counts["given_up"] == 2  # type: ignore[attr-defined]


def test_a_run_out_of_patience_returns_paused_with_everyone_pending(ledger: Ledger) -> None:
    emails = [f"reader{i}@example.com" for i in range(5)]
    ledger.enqueue("e1", emails)
    relay = Relay(free_port())
    relay.down_since = 1000.0
    relay.tick = lambda now: None  # type: ignore[method-assign]
    clock = Clock(relay)
    report = send(ledger, relay, clock, failure_threshold=3, patience_seconds=120.0)
    assert (report.sent, report.failed, report.pending) == (0, 0, 5)
    assert report.stopped is not None and report.stopped.startswith("paused after")
    assert clock.slept <= 120.0


def test_after_the_window_a_recipient_never_tried_still_gets_its_try(ledger: Ledger) -> None:
    """A local-time batch can come due after the window: its first try is not a retry."""
    ledger.enqueue("e1", ["tried@example.com", "new@example.com"])
    [(email, _)] = ledger.claim("e1", 1, 0.0)
    ledger.release("e1", email, "smtp: 451 try later", None)
    relay = Relay(free_port())
    relay.up()
    report = send(ledger, relay, Clock(relay), give_up_in=-1.0)
    assert (report.sent, report.failed, report.pending) == (1, 1, 0)
    assert relay.recipients() == {"new@example.com": 1}
    assert dict(report.failures_by_reason) == {"retries exhausted": 1}


class LostLedger(Ledger):
    """A ledger whose database goes away after `left` messages are recorded as sent."""

    def __init__(self, ledger: Ledger, left: int) -> None:
        super().__init__(ledger.db)
        self.left = left

    def mark_sent(self, edition_id: str, email: str, provider_id: str | None) -> None:
        if self.left == 0:
            raise StateUnavailableError("the state database went away")
        self.left -= 1
        super().mark_sent(edition_id, email, provider_id)


def test_a_ledger_lost_mid_send_leaves_at_most_the_credits_unrecorded(
    ledger: Ledger, smtp_server: tuple[RecordingHandler, int]
) -> None:
    """The send loop's database fails under it (a PostgreSQL restart): the loop raises, and
    its connections send no more than their credits beyond the last commit; closing the
    provider does not wait for credits that will never come back."""
    handler, port = smtp_server
    emails = [f"reader{i:03d}@example.com" for i in range(150)]
    ledger.enqueue("e1", emails)
    provider = make_provider(
        "smtp",
        {"host": "127.0.0.1", "port": port, "security": "none", "connections": 3},
        base_dir=Path("."),
        environ={},
    )
    closed = threading.Event()
    try:
        with pytest.raises(StateUnavailableError):
            send_edition(
                "e1",
                ledger=LostLedger(ledger, left=40),
                provider=provider,
                message_for=message,
                settings=SendSettings(),
            )
    finally:
        closer = threading.Thread(target=lambda: (provider.close(), closed.set()))
        closer.start()
        closer.join(timeout=60)  # a guard for a hung test, not a speed assertion
    assert closed.is_set(), "close() waited for credits that never come back"
    recorded = ledger.counts("e1")["sent"]
    assert recorded <= 40
    unrecorded = len(handler.messages) - recorded
    assert 0 <= unrecorded <= 3 * CREDITS_PER_CONNECTION, unrecorded
