"""The send loop with real providers: retries with backoff, bounces, threshold, rate, skips,
and when each answer reaches the ledger (per message for SMTP, per call for the APIs)."""

from __future__ import annotations

import asyncio
import sqlite3
from pathlib import Path

import httpx
import pytest
from aiosmtpd.smtp import SMTP, Envelope, Session

from digest.deliver import make_provider, send_edition, send_settings_from_table
from digest.deliver.outbox import OutboxProvider
from digest.deliver.postmark import PostmarkProvider
from digest.deliver.resend import ResendProvider
from digest.deliver.send import SendReport, SendSettings
from digest.errors import ConfigError
from digest.models import OutgoingMessage
from digest.state import MIGRATIONS
from digest.state.db import Database
from digest.state.ledger import Ledger

from .factories import message
from .fake_apis import FakeApi
from .smtp_server import RecordingHandler, start


class FakeClock:
    """A clock that only moves when the send loop sleeps; records every sleep."""

    def __init__(self) -> None:
        self.now = 0.0
        self.sleeps: list[float] = []

    def __call__(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.now += seconds


def smtp_provider(port: int) -> object:
    return make_provider(
        "smtp",
        {"host": "127.0.0.1", "port": port, "security": "none", "connections": 2},
        base_dir=Path("."),
        environ={},
    )


def test_retries_bounces_and_suppression(
    ledger: Ledger, smtp_server: tuple[RecordingHandler, int]
) -> None:
    handler, port = smtp_server
    handler.busy_times = 2
    emails = [
        "a@example.com",
        "busy@example.com",
        "bounce@example.com",
        "reject@example.com",
        "b@example.com",
    ]
    ledger.enqueue("e1", emails)
    clock = FakeClock()
    provider = smtp_provider(port)
    report = send_edition(
        "e1",
        ledger=ledger,
        provider=provider,
        message_for=message,  # type: ignore[arg-type]
        settings=SendSettings(backoff_base=2.0),
        sleep=clock.sleep,
        clock=clock,
        jitter=lambda: 1.0,
    )
    provider.close()  # type: ignore[attr-defined]
    assert handler.recipients() == {"a@example.com": 1, "busy@example.com": 1, "b@example.com": 1}
    assert (report.sent, report.failed, report.skipped, report.stopped) == (3, 2, 0, None)
    assert dict(report.failures_by_reason) == {"hard bounce": 1, "rejected": 1}
    assert clock.sleeps == [2.0, 4.0]  # exponential: attempt 1 -> 2 s, attempt 2 -> 4 s
    assert ledger.attempts("e1", "busy@example.com") == 3
    assert ledger.is_suppressed("bounce@example.com")
    assert not ledger.is_suppressed("reject@example.com")
    assert ledger.enqueue("e2", emails) == 4


def test_retry_after_is_honoured_and_attempts_run_out(ledger: Ledger) -> None:
    fake = FakeApi("postmark")
    for _ in range(3):
        fake.fail_next(429, {"Retry-After": "30"})
    http = httpx.Client(
        base_url="https://api.test",
        transport=fake.transport(),
        headers={"X-Postmark-Server-Token": "t"},
    )
    ledger.enqueue("e1", ["a@example.com", "b@example.com"])
    clock = FakeClock()
    report = send_edition(
        "e1",
        ledger=ledger,
        provider=PostmarkProvider(http),
        message_for=message,
        settings=SendSettings(max_attempts=3),
        sleep=clock.sleep,
        clock=clock,
    )
    assert clock.sleeps == [30.0, 30.0]
    assert report.failed == 2 and dict(report.failures_by_reason) == {"retries exhausted": 2}
    assert fake.delivered == {}


def test_bad_credentials_stop_and_keep_place(ledger: Ledger) -> None:
    fake = FakeApi("postmark")
    fake.fail_next(401)
    http = httpx.Client(base_url="https://api.test", transport=fake.transport())
    ledger.enqueue("e1", ["a@example.com"])
    report = send_edition(
        "e1",
        ledger=ledger,
        provider=PostmarkProvider(http),
        message_for=message,
        settings=SendSettings(),
        sleep=lambda s: None,
    )
    assert report.stopped and "POSTMARK_SERVER_TOKEN" in report.stopped
    assert ledger.counts("e1")["pending"] == 1


def test_unsubscribed_and_invalid_are_settled_without_sending(
    ledger: Ledger, tmp_path: Path
) -> None:
    ledger.enqueue("e1", ["a@example.com", "gone@example.com", "bad@@example.com"])

    def message_for(email: str) -> OutgoingMessage | None:
        return None if email.startswith("gone") else message(email)

    progress: list[tuple[int, int]] = []
    report = send_edition(
        "e1",
        ledger=ledger,
        provider=OutboxProvider(tmp_path / "out"),
        message_for=message_for,
        settings=SendSettings(),
        progress=lambda done, total: progress.append((done, total)),
    )
    assert (report.sent, report.failed, report.skipped) == (1, 1, 1)
    assert dict(report.skipped_by_reason) == {"unsubscribed": 1}
    assert dict(report.failures_by_reason) == {"invalid address": 1}
    assert progress[-1] == (3, 3)
    assert len(list((tmp_path / "out").glob("2026-05-04--*.eml"))) == 1


def test_rate_limit_spaces_calls(ledger: Ledger, tmp_path: Path) -> None:
    ledger.enqueue("e1", [f"u{i}@example.com" for i in range(10)])
    clock = FakeClock()
    send_edition(
        "e1",
        ledger=ledger,
        provider=OutboxProvider(tmp_path),
        message_for=message,
        settings=SendSettings(rate_per_second=5.0, claim_size=1),
        sleep=clock.sleep,
        clock=clock,
    )
    assert clock.now == pytest.approx(9 / 5.0)
    assert clock.sleeps == [pytest.approx(0.2)] * 9


def test_outbox_writes_one_file_per_recipient_even_when_resent(tmp_path: Path) -> None:
    provider = make_provider("outbox", {"dir": "out"}, base_dir=tmp_path, environ={})
    first = provider.send([message("a@example.com"), message("b@example.com")])
    again = provider.send([message("a@example.com")])
    files = sorted((tmp_path / "out").glob("2026-05-04--*.eml"))
    assert len(files) == 2 and first[0].provider_id == again[0].provider_id
    assert {f.name for f in files} == {r.provider_id for r in first}


def test_settings_from_table() -> None:
    table = {"provider": "smtp", "rate_per_second": 10, "max_attempts": 3, "smtp": {"host": "x"}}
    settings = send_settings_from_table(table)
    assert settings.rate_per_second == 10.0 and settings.max_attempts == 3
    with pytest.raises(ConfigError, match=r"delivery.max_attempts: must be at least 1"):
        send_settings_from_table({"max_attempts": 0})
    with pytest.raises(ConfigError, match=r"delivery.rate: unknown key"):
        send_settings_from_table({"rate": 3})


class CrashingLedger(Ledger):
    """Dies (like a kill) while writing the n-th `sent` row."""

    def __init__(self, ledger: Ledger, crash_at: int) -> None:
        super().__init__(ledger.db)
        self.crash_at = crash_at
        self.marked = 0

    def mark_sent(self, edition_id: str, email: str, provider_id: str | None) -> None:
        self.marked += 1
        if self.marked == self.crash_at:
            raise KeyboardInterrupt("killed while recording")
        super().mark_sent(edition_id, email, provider_id)


def test_an_api_batch_is_committed_whole_so_it_stays_whole_in_doubt(ledger: Ledger) -> None:
    fake = FakeApi("resend")
    http = httpx.Client(base_url="https://api.test", transport=fake.transport())
    emails = [f"u{i}@example.com" for i in range(6)]
    ledger.enqueue("e1", emails)
    crashing = CrashingLedger(ledger, crash_at=2)
    with pytest.raises(KeyboardInterrupt):
        send_edition(
            "e1",
            ledger=crashing,
            provider=ResendProvider(http),
            message_for=message,
            settings=SendSettings(claim_size=3),
        )
    assert sum(fake.delivered.values()) == 3
    # The first answer of the batch was written but not committed: all three are in doubt,
    # so the resumed run sends the same three again under the same Idempotency-Key.
    assert ledger.recover_in_doubt("e1") == emails[:3]


class CommitWatchingHandler(RecordingHandler):
    """Holds the 250 for `slow*` until the ledger shows every other message of its batch sent."""

    def __init__(self, db_path: Path, expected_sent: int) -> None:
        super().__init__()
        self.db_path = db_path
        self.expected_sent = expected_sent
        self.sent_seen_before_slow_250: int | None = None

    async def handle_DATA(self, server: SMTP, session: Session, envelope: Envelope) -> str:
        if envelope.rcpt_tos[0].startswith("slow"):
            with sqlite3.connect(self.db_path) as conn:
                for _ in range(500):  # 5 s at most: without per-message commits it never shows
                    seen = conn.execute(
                        "SELECT count(*) FROM deliveries WHERE status = 'sent'"
                    ).fetchone()[0]
                    if seen >= self.expected_sent:
                        break
                    await asyncio.sleep(0.01)
            self.sent_seen_before_slow_250 = int(seen)
        return await super().handle_DATA(server, session, envelope)


def test_smtp_commits_each_message_when_its_own_250_arrives(tmp_path: Path) -> None:
    db = Database.open(tmp_path / "ledger.db", MIGRATIONS)
    ledger = Ledger(db)
    handler = CommitWatchingHandler(tmp_path / "ledger.db", expected_sent=2)
    controller = start(handler)
    ledger.enqueue("e1", ["slow@example.com", "a@example.com", "b@example.com"])
    provider = make_provider(
        "smtp",
        {"host": "127.0.0.1", "port": controller.port, "security": "none", "connections": 3},
        base_dir=Path("."),
        environ={},
    )
    report = send_edition(
        "e1", ledger=ledger, provider=provider, message_for=message, settings=SendSettings()
    )
    provider.close()
    controller.stop()
    db.close()
    assert report.sent == 3
    # a and b (same batch as slow) were committed while slow still waited for its 250.
    assert handler.sent_seen_before_slow_250 == 2


def send_with_a_stop_on_the_third_look(
    ledger: Ledger, outbox: OutboxProvider, recipients: int
) -> tuple[SendReport, list[str | None]]:
    """Send `recipients` in batches of 3 with SIGTERM asked for from the stop callback's third
    look on; also the looks not yet taken (empty once the stop was found)."""
    ledger.enqueue("e1", [f"u{i}@example.com" for i in range(recipients)])
    outbox.batch_size = 3
    asked: list[str | None] = [None, None]

    def stop() -> str | None:
        return asked.pop(0) if asked else "SIGTERM"

    report = send_edition(
        "e1",
        ledger=ledger,
        provider=outbox,
        message_for=message,
        settings=SendSettings(),
        stop=stop,
    )
    return report, asked


def test_a_stop_request_is_honoured_between_batches(ledger: Ledger, tmp_path: Path) -> None:
    """The batch in flight is sent and recorded; nothing more is claimed; the rest resumes."""
    outbox = OutboxProvider(tmp_path / "out")
    report, _ = send_with_a_stop_on_the_third_look(ledger, outbox, 10)
    assert report.interrupted == "SIGTERM" and report.stopped is None
    assert (report.sent, report.pending) == (6, 4)
    assert ledger.counts("e1") == {"pending": 4, "sent": 6, "failed": 0, "skipped": 0}
    again = send_edition(
        "e1", ledger=ledger, provider=outbox, message_for=message, settings=SendSettings()
    )
    assert (again.sent, again.pending, again.in_doubt) == (10, 0, 0)
    assert len(list((tmp_path / "out").glob("*.eml"))) == 10


def test_a_stop_after_the_last_recipient_interrupts_nothing(ledger: Ledger, tmp_path: Path) -> None:
    """A signal that lands once every recipient is claimed (a loaded machine between the last
    message and the loop's end): the edition is complete, so the report is not interrupted
    and its firing can be settled done."""
    outbox = OutboxProvider(tmp_path / "out")
    report, asked = send_with_a_stop_on_the_third_look(ledger, outbox, 6)
    assert not asked  # the stop was looked for, and found, after the last batch
    assert (report.sent, report.pending, report.in_doubt) == (6, 0, 0)
    assert report.interrupted is None


def test_a_stop_request_cuts_a_retry_wait_short(ledger: Ledger) -> None:
    fake = FakeApi("postmark")
    fake.fail_next(429, {"Retry-After": "30"})
    http = httpx.Client(
        base_url="https://api.test",
        transport=fake.transport(),
        headers={"X-Postmark-Server-Token": "t"},
    )
    ledger.enqueue("e1", ["a@example.com"])
    clock = FakeClock()
    requested: list[str] = []

    def sleep(seconds: float) -> None:
        clock.sleep(seconds)
        if clock.now >= 1.0:
            requested.append("SIGINT")

    report = send_edition(
        "e1",
        ledger=ledger,
        provider=PostmarkProvider(http),
        message_for=message,
        settings=SendSettings(),
        sleep=sleep,
        clock=clock,
        stop=lambda: requested[0] if requested else None,
    )
    assert report.interrupted == "SIGINT" and report.pending == 1
    assert sum(clock.sleeps) < 2.0  # not the 30 s Retry-After


def test_a_full_disk_names_the_outbox_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """ENOSPC says "No space left on device" and nothing else: the error names the file."""
    import errno

    from digest.deliver import outbox

    def full(path: Path, data: bytes) -> None:
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(outbox, "write_atomic", full)
    [result] = OutboxProvider(tmp_path / "out").send([message("a@example.com")])
    assert result.status == "retry" and result.error is not None
    assert result.error.startswith(f"outbox: {tmp_path / 'out'}/2026-05-04--a@example.com")
    assert result.error.endswith(": No space left on device")
