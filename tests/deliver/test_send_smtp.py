"""`digest run` and `digest send` through a real SMTP server: bounces, an outage, resume."""

from __future__ import annotations

import re
from collections import Counter
from pathlib import Path

from tests.cli.runner import digest
from tests.deliver.smtp_server import RecordingHandler, free_port, start


def smtp_env(port: int) -> dict[str, str]:
    return {
        "DIGEST_DELIVERY__PROVIDER": "smtp",
        "DIGEST_DELIVERY__SMTP__HOST": "127.0.0.1",
        "DIGEST_DELIVERY__SMTP__PORT": str(port),
        "DIGEST_DELIVERY__SMTP__SECURITY": "none",
        "DIGEST_DELIVERY__BACKOFF_BASE": "0.01",
        "DIGEST_DELIVERY__BACKOFF_MAX": "0.05",
        "DIGEST_DELIVERY__FAILURE_THRESHOLD": "3",
    }


def received(handler: RecordingHandler) -> Counter[str]:
    return Counter(recipient for recipient, _ in handler.messages)


def test_hard_bounce_is_failed_reported_and_suppressed(project: Path) -> None:
    with (project / "subscribers" / "subscribers.csv").open("a") as out:
        out.write("bounce@example.net,Gone,,active\n")
    handler = RecordingHandler()
    controller = start(handler)
    try:
        env = smtp_env(controller.port)
        result = digest("run", cwd=project, env=env)
        assert result.returncode == 0, result.stderr
        assert received(handler) == Counter(
            {"ada@example.com": 1, "grace@example.com": 1, "linus@example.org": 1}
        )
        assert "hard bounce" in result.stdout and "1 failed" in result.stdout
        listed = digest("subscribers", "list", cwd=project, env=env)
        assert "bounce@example.net" in listed.stdout and "suppressed" in listed.stdout
    finally:
        controller.stop()


def test_outage_pauses_cleanly_and_send_resumes_exactly_once(project: Path) -> None:
    """A run out of patience while its relay is down leaves everyone pending (nobody failed),
    says so, and `digest send` finishes the edition once the relay is back."""
    port = free_port()
    env = smtp_env(port)
    down = digest("run", cwd=project, env={**env, "DIGEST_DELIVERY__PATIENCE_SECONDS": "0.5"})
    assert down.returncode == 1
    assert "sending stopped" in down.stderr and "3 recipient(s) still pending" in down.stderr
    assert re.search(r"paused after \d+ failed attempts in a row", down.stderr)
    handler = RecordingHandler()
    controller = start(handler, port=port)
    try:
        resumed = digest("send", cwd=project, env=env)
        assert resumed.returncode == 0, resumed.stderr
        assert "sent to 3 recipient(s)" in resumed.stdout
        again = digest("send", cwd=project, env=env)
        assert again.stdout.strip() == "no edition is waiting to be sent"
    finally:
        controller.stop()
    assert received(handler) == Counter(
        {"ada@example.com": 1, "grace@example.com": 1, "linus@example.org": 1}
    )


def test_send_processes_deliver_each_recipient_once(project: Path) -> None:
    """`[delivery] processes = 2` through the real command: two send processes build and send,
    the command's own process keeps the ledger."""
    rows = "".join(f"reader{n:03d}@example.com,Reader {n}\n" for n in range(120))
    with (project / "subscribers" / "subscribers.csv").open("a") as out:
        out.write(rows + "bounce@example.net,Gone,,active\n")
    handler = RecordingHandler()
    controller = start(handler)
    try:
        env = {**smtp_env(controller.port), "DIGEST_DELIVERY__PROCESSES": "2"}
        result = digest("run", cwd=project, env=env)
        assert result.returncode == 0, result.stderr
    finally:
        controller.stop()
    got = received(handler)
    assert len(got) == 123 and set(got.values()) == {1}
    assert "bounce@example.net" not in got
    assert "sent to 123 recipient(s), 1 failed" in result.stdout
