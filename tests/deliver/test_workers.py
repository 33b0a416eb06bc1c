"""Send processes (deliver.workers) against a real SMTP server: every outcome recorded by the
one process that keeps the ledger, a clean stop, a send process that dies, none left."""

from __future__ import annotations

import os
import signal
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

from digest.deliver import PROVIDERS, Composer, SendSettings, send_edition
from digest.deliver.composed import AUTO_FROM, AUTO_MAX, send_processes
from digest.deliver.workers import ProcessLanes, WorkerSpec
from digest.models import Subscriber
from digest.render import RenderSettings, render_edition
from digest.state.ledger import Ledger
from tests.render.sample import load_sample

from .smtp_server import RecordingHandler
from .test_send import FakeClock

NOW = datetime(2025, 11, 27, 7, 0, tzinfo=UTC)
CONNECTIONS = 2


@pytest.fixture(scope="module")
def composer() -> Composer:
    digest, newsletter = load_sample()
    return Composer(newsletter, render_edition(digest, newsletter, RenderSettings()), "s" * 32, NOW)


def smtp_options(port: int) -> dict[str, object]:
    return {"host": "127.0.0.1", "port": port, "security": "none", "connections": CONNECTIONS}


@pytest.fixture
def lanes(smtp_server: tuple[RecordingHandler, int], composer: Composer) -> Iterator[ProcessLanes]:
    _, port = smtp_server
    spec = WorkerSpec(
        name="smtp",
        batch_size=5,  # small jobs: many of them, spread over both processes
        factory=PROVIDERS["smtp"],
        options=smtp_options(port),
        base_dir=Path("."),
        environ={},
        build=composer,
    )
    started = ProcessLanes(spec, 2)
    yield started
    started.close()


def readers(count: int) -> dict[str, Subscriber]:
    people = [
        Subscriber(f"reader{n:03d}@example.com", f"Reader {n}", key=f"k{n}") for n in range(count)
    ]
    return {s.email: s for s in people}


def test_every_outcome_is_recorded_once_by_the_ledger_process(
    ledger: Ledger,
    smtp_server: tuple[RecordingHandler, int],
    lanes: ProcessLanes,
    composer: Composer,
) -> None:
    handler, _ = smtp_server
    people = readers(40)
    for email in ("busy1@example.com", "bounce1@example.com", "reject1@example.com"):
        people[email] = Subscriber(email, "Cue")
    people["bad@@example.com"] = Subscriber("bad@@example.com")
    ledger.enqueue("2025-11-27", [*people, "gone@example.com"])
    clock = FakeClock()
    report = send_edition(
        "2025-11-27",
        ledger=ledger,
        lanes=lanes,
        resolve=people.get,
        settings=SendSettings(backoff_base=2.0),
        sleep=clock.sleep,
        clock=clock,
        jitter=lambda: 1.0,
    )
    delivered = {f"reader{n:03d}@example.com" for n in range(40)} | {"busy1@example.com"}
    assert handler.recipients() == {email: 1 for email in delivered}
    assert (report.sent, report.failed, report.skipped, report.stopped) == (41, 3, 1, None)
    assert dict(report.failures_by_reason) == {
        "hard bounce": 1,
        "rejected": 1,
        "invalid address": 1,
    }
    assert dict(report.skipped_by_reason) == {"unsubscribed": 1}
    assert clock.sleeps == [2.0]  # busy1's retry, due after the backoff
    assert ledger.is_suppressed("bounce1@example.com")
    # Built in another process, each message is the one this process would have built.
    sent = {rcpt: raw for rcpt, raw in handler.messages}
    for email in ("reader000@example.com", "reader039@example.com"):
        assert sent[email].replace(b"\r\n", b"\n") == composer(people[email]).raw.replace(
            b"\r\n", b"\n"
        )


def test_a_stop_lets_the_jobs_in_flight_finish_and_the_rest_resumes(
    ledger: Ledger, smtp_server: tuple[RecordingHandler, int], lanes: ProcessLanes
) -> None:
    handler, _ = smtp_server
    people = readers(60)
    ledger.enqueue("2025-11-27", list(people))
    seen: list[int] = []
    report = send_edition(
        "2025-11-27",
        ledger=ledger,
        lanes=lanes,
        resolve=people.get,
        settings=SendSettings(),
        progress=lambda done, total: seen.append(done),
        stop=lambda: "SIGTERM" if seen and seen[-1] >= 12 else None,
    )
    received = handler.recipients()
    assert report.interrupted == "SIGTERM"
    assert 12 <= report.sent < 60 and report.sent == len(received)
    assert max(received.values()) == 1
    counts = ledger.counts("2025-11-27")
    assert counts["pending"] == 60 - report.sent  # nothing left in doubt: in flight was recorded
    assert report.in_doubt == 0
    again = send_edition(
        "2025-11-27", ledger=ledger, lanes=lanes, resolve=people.get, settings=SendSettings()
    )
    assert (again.sent, again.pending, again.in_doubt) == (60, 0, 0)
    assert handler.recipients() == {email: 1 for email in people}


def test_jobs_of_a_send_process_that_died_are_retried_by_the_other(
    ledger: Ledger, smtp_server: tuple[RecordingHandler, int], lanes: ProcessLanes
) -> None:
    handler, _ = smtp_server
    people = readers(30)
    ledger.enqueue("2025-11-27", list(people))
    dead = lanes.pids[0]
    os.kill(dead, signal.SIGKILL)
    clock = FakeClock()
    report = send_edition(
        "2025-11-27",
        ledger=ledger,
        lanes=lanes,
        resolve=people.get,
        settings=SendSettings(),
        sleep=clock.sleep,
        clock=clock,
    )
    assert lanes.pids != [] and dead not in lanes.pids
    assert (report.sent, report.pending, report.stopped) == (30, 0, None)
    assert handler.recipients() == {email: 1 for email in people}  # it died before sending


def test_with_no_send_process_left_the_send_stops_and_keeps_its_place(
    ledger: Ledger, lanes: ProcessLanes
) -> None:
    people = readers(12)
    ledger.enqueue("2025-11-27", list(people))
    for pid in lanes.pids:
        os.kill(pid, signal.SIGKILL)
    report = send_edition(
        "2025-11-27", ledger=ledger, lanes=lanes, resolve=people.get, settings=SendSettings()
    )
    assert report.stopped is not None and "none left" in report.stopped
    assert (report.sent, report.pending) == (0, 12)


def test_how_many_send_processes() -> None:
    assert send_processes(3, pending=10) == 3  # as configured
    assert send_processes(1, pending=10**6) == 1
    assert send_processes(0, pending=AUTO_FROM - 1) == 1  # not worth starting processes
    cores = len(os.sched_getaffinity(0))
    assert send_processes(0, pending=AUTO_FROM) == max(1, min(AUTO_MAX, cores))
