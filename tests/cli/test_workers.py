"""Many senders on one PostgreSQL: `digest prepare` stores the edition, three `digest worker`
processes share its 20,000 deliveries through a real SMTP server, one is killed with SIGKILL
in the middle of a batch, and every address still receives the edition, exactly once but for
the killed worker's unrecorded batch (the in-flight window of docs/delivery.md)."""

from __future__ import annotations

import asyncio
import signal
import threading
from collections import Counter
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import psycopg
import pytest
from aiosmtpd.smtp import SMTP, Envelope, Session

from digest import dispatch
from digest.config import Config, load_config
from digest.errors import StateUnavailableError
from digest.models import RunReport
from digest.state import State, open_state
from tests import pg_server
from tests.cli.runner import digest, start
from tests.deliver.smtp_server import RecordingHandler
from tests.deliver.smtp_server import start as start_smtp
from tests.pg_server import PASSWORD, PASSWORD_ENV, PostgresServer

RECIPIENTS = 20_000
CLAIM = 50


class CountingHandler(RecordingHandler):
    """The real server, counting recipients instead of keeping 20,000 messages in memory.

    Once `hold_port` is set, the next message arriving on that port is held unanswered
    (`held` set) until `release` is set: the worker sending there then has a claimed batch,
    unrecorded, for as long as the test needs (whatever the machine's speed).
    """

    def __init__(self) -> None:
        super().__init__()
        self.received: Counter[str] = Counter()
        self.hold_port: int | None = None
        self.held = threading.Event()
        self.release = threading.Event()

    async def handle_DATA(self, server: SMTP, session: Session, envelope: Envelope) -> str:
        assert server.transport is not None
        port = server.transport.get_extra_info("sockname")[1]
        if port == self.hold_port and not self.release.is_set():
            self.held.set()
            while not self.release.is_set():
                await asyncio.sleep(0.01)
        with self.lock:
            self.received.update(envelope.rcpt_tos)
            total = self.received.total()
        return f"250 2.0.0 Ok: queued as Q{total}"


def deliveries(url: str) -> dict[str, int]:
    with psycopg.connect(url, password=PASSWORD) as conn:
        rows = conn.execute("SELECT status, count(*) FROM deliveries GROUP BY 1").fetchall()
    return {status: int(count) for status, count in rows}


def sent_again(url: str) -> set[str]:
    """Addresses claimed more than once: the ones a dead sender's lease handed on."""
    with psycopg.connect(url, password=PASSWORD) as conn:
        rows = conn.execute("SELECT email FROM deliveries WHERE attempts > 1").fetchall()
    return {row[0] for row in rows}


def edition_status(url: str) -> list[str]:
    with psycopg.connect(url, password=PASSWORD) as conn:
        return [row[0] for row in conn.execute("SELECT status FROM editions").fetchall()]


@pytest.mark.slow
def test_three_workers_share_the_queue_and_take_over_a_killed_ones_batch(
    project: Path, postgres_url: str
) -> None:
    emails = {f"reader{i:05d}@example.com" for i in range(RECIPIENTS)}
    rows = "".join(f"{email},Reader\n" for email in sorted(emails))
    (project / "subscribers" / "subscribers.csv").write_text("email,name\n" + rows)
    handler = CountingHandler()
    # One server port per worker, one handler: the port a message arrives on names its sender.
    controllers = [start_smtp(handler) for _ in range(3)]
    env = {
        "DIGEST_STATE__DATABASE": postgres_url,
        PASSWORD_ENV: PASSWORD,
        "DIGEST_DELIVERY__PROVIDER": "smtp",
        "DIGEST_DELIVERY__SMTP__HOST": "127.0.0.1",
        "DIGEST_DELIVERY__SMTP__SECURITY": "none",
        "DIGEST_DELIVERY__CLAIM_SIZE": str(CLAIM),
        "DIGEST_DELIVERY__PROCESSES": "1",
        # Long enough that a live worker's batch never outlasts it on a loaded machine (that
        # would be the other, documented way to be sent twice), short enough to wait for.
        "DIGEST_DELIVERY__LEASE_SECONDS": "10",
        "DIGEST_DELIVERY__IDLE_SECONDS": "0.2",
        "DIGEST_RENDER__THEME": "compact",
    }
    workers = []
    try:
        prepared = digest("prepare", cwd=project, env=env)
        assert prepared.returncode == 0, prepared.stderr
        assert f"prepared for {RECIPIENTS} recipient(s)" in prepared.stdout
        assert deliveries(postgres_url) == {"pending": RECIPIENTS}
        assert handler.received.total() == 0, "prepare sends nothing"

        workers = [
            start("worker", cwd=project, env={**env, "DIGEST_DELIVERY__SMTP__PORT": str(c.port)})
            for c in controllers
        ]
        workers[0].wait_for(lambda: handler.received.total() >= RECIPIENTS // 4, "a quarter sent")
        handler.hold_port = controllers[0].port
        workers[0].wait_for(handler.held.is_set, "the first worker in the middle of a batch")
        workers[0].process.send_signal(signal.SIGKILL)
        workers[0].process.wait(timeout=30)
        handler.release.set()
        workers[1].wait_for(
            lambda: deliveries(postgres_url) == {"sent": RECIPIENTS},
            "every delivery recorded as sent",
            timeout=900,
        )
        for worker in workers[1:]:
            assert worker.stop(signal.SIGTERM) == 0, worker.log
    finally:
        for worker in workers:
            if worker.process.poll() is None:
                worker.process.kill()
        handler.release.set()
        for controller in controllers:
            controller.stop()

    received = handler.received
    assert set(received) == emails, "nobody is skipped"
    taken_over = sent_again(postgres_url)
    assert 0 < len(taken_over) <= CLAIM, (
        f"the killed worker's claimed batch passed on, no more: {len(taken_over)} rows"
    )
    twice = {email for email, count in received.items() if count > 1}
    assert twice <= taken_over, "only the killed worker's unrecorded messages come twice"
    assert max(received.values()) == (2 if twice else 1)
    print(f"taken over: {len(taken_over)}, received twice: {len(twice)}")
    assert edition_status(postgres_url) == ["done"]
    assert all("run.report" in worker.log for worker in workers[1:])


def test_send_processes_on_postgresql_deliver_each_recipient_once(
    project: Path, postgres_url: str
) -> None:
    """`digest send` with two send processes on a PostgreSQL ledger, to the outbox."""
    emails = {f"reader{i:04d}@example.com" for i in range(2_500)}
    rows = "".join(f"{email},Reader\n" for email in sorted(emails))
    (project / "subscribers" / "subscribers.csv").write_text("email,name\n" + rows)
    env = {
        "DIGEST_STATE__DATABASE": postgres_url,
        PASSWORD_ENV: PASSWORD,
        "DIGEST_DELIVERY__PROCESSES": "2",
        "DIGEST_RENDER__THEME": "compact",
    }
    prepared = digest("prepare", cwd=project, env=env)
    assert prepared.returncode == 0, prepared.stderr
    sent = digest("send", cwd=project, env=env)
    assert sent.returncode == 0, sent.stderr
    assert deliveries(postgres_url) == {"sent": len(emails)}
    written = sorted((project / "outbox").glob("*.eml"))
    assert len(written) == len(emails)
    assert {path.name.split("--", 1)[1].rsplit("-", 1)[0] for path in written} == emails
    assert edition_status(postgres_url) == ["done"]


@pytest.fixture
def private_postgres(postgres_server: PostgresServer) -> Iterator[PostgresServer]:
    """A server of this test's own, to stop and start without touching the session's."""
    server = pg_server.start(postgres_server.bin_dir)
    yield server
    server.stop()


def outbox_env(url: str, **delivery: str) -> dict[str, str]:
    env = {"DIGEST_STATE__DATABASE": url, PASSWORD_ENV: PASSWORD}
    env.update({f"DIGEST_DELIVERY__{key.upper()}": value for key, value in delivery.items()})
    return env


def prepared_then_halted(
    project: Path, server: PostgresServer, monkeypatch: pytest.MonkeyPatch, **delivery: str
) -> tuple[Config, dict[str, str], str, State]:
    """An edition prepared on its own database, a connection to it open, the server stopped."""
    url = server.url(server.create_database())
    env = outbox_env(url, **delivery)
    assert digest("prepare", cwd=project, env=env).returncode == 0
    for key, value in env.items():
        monkeypatch.setenv(key, value)
    state = open_state(url)
    server.halt()
    return load_config(project / "config.toml", env), env, url, state


def test_a_worker_rides_out_a_postgresql_restart(
    project: Path, private_postgres: PostgresServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The server goes away under a worker holding its connection and comes back: the worker
    backs off, reconnects, and sends the edition, once per recipient, without a restart."""
    cfg, env, url, state = prepared_then_halted(project, private_postgres, monkeypatch)
    waits: list[float] = []
    reports: list[RunReport] = []

    def wait(seconds: float) -> None:
        waits.append(seconds)
        if len(waits) == 2:  # down through the first reconnection, back for the second
            private_postgres.resume()

    def stop() -> str | None:
        return "done" if reports and reports[-1].pending == 0 else None

    dispatch.work(
        cfg,
        state,
        env,
        now=lambda: datetime.now(UTC),
        stop=stop,
        wait=wait,
        on_report=reports.append,
        reopen=lambda: open_state(url),
    )
    assert waits == [1.0, 2.0]
    assert [(r.sent, r.failed, r.pending) for r in reports] == [(3, 0, 0)]
    assert len(list((project / "outbox").glob("*.eml"))) == 3
    with psycopg.connect(url, password=PASSWORD) as conn:
        assert conn.execute("SELECT status FROM editions").fetchall() == [("done",)]


def test_a_worker_gives_up_on_a_server_that_stays_away_naming_it(
    project: Path, private_postgres: PostgresServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    cfg, env, url, state = prepared_then_halted(
        project, private_postgres, monkeypatch, patience_seconds="3"
    )
    waits: list[float] = []
    with pytest.raises(StateUnavailableError) as raised:
        dispatch.work(
            cfg,
            state,
            env,
            now=lambda: datetime.now(UTC),
            stop=lambda: None,
            wait=waits.append,
            on_report=lambda report: None,
            reopen=lambda: open_state(url),
        )
    assert waits == [1.0, 2.0]
    assert f"127.0.0.1:{private_postgres.port}/" in raised.value.message
