"""SIGTERM and SIGINT stop `digest schedule`, `run` and `send` cleanly, as real processes: the
messages in flight finish and are recorded, the exit is 0, and the next start resumes.

The scheduler runs under time-machine with the clock ticking from a set moment, so "within a
minute" is two seconds of waiting (started at 07:00:58) and a missed firing is one restart."""

from __future__ import annotations

import json
import os
import signal
import sqlite3
from collections import Counter
from datetime import UTC, datetime
from pathlib import Path

import pytest

from digest.cli.signals import stop_on_signals
from tests.cli.runner import digest, start
from tests.deliver.smtp_server import RecordingHandler
from tests.deliver.smtp_server import start as start_smtp

EVERY_MINUTE = {
    "DIGEST_SCHEDULE__CRON": "* * * * *",
    "DIGEST_SCHEDULE__TIMEZONE": "UTC",
    "DIGEST_SCHEDULE__MISFIRE_GRACE_SECONDS": "30",
}


def at(hh_mm_ss: str) -> datetime:
    return datetime.fromisoformat(f"2026-11-27T{hh_mm_ss}+00:00")


def emls(project: Path) -> list[str]:
    return sorted(p.name for p in (project / "outbox").glob("*.eml"))


def add_article(project: Path) -> None:
    feed = project / "examples" / "sources" / "world.xml"
    text = feed.read_text()
    item = (
        "<item><title>Harbour reopens after the storm</title>"
        "<link>https://news.example.org/world/harbour-reopens</link>"
        "<pubDate>Fri, 27 Nov 2026 07:02:00 GMT</pubDate><description>The harbour reopened on "
        "Friday after a storm closed it for two days. Ferries resumed at noon. Officials said "
        "repairs would take a week.</description></item>\n"
    )
    feed.write_text(text.replace("<item>", item + "<item>", 1))


def test_schedule_sends_within_the_minute_stops_and_catches_up_once(project: Path) -> None:
    # 07:00:58: the 07:00 firing is older than the 30 s grace, so only the cron can send.
    first = start("schedule", cwd=project, env=EVERY_MINUTE, now=at("07:00:58"))
    first.wait_for(lambda: len(emls(project)) == 3, "edition from the 07:01 firing")
    assert first.stop(signal.SIGTERM) == 0, first.log
    assert all(name.startswith("2026-11-27--") for name in emls(project))
    # The 07:00 firing, beyond the grace, never runs; the 07:01 one runs from the cron, or as
    # a catch-up when a loaded machine took over 2 s to start the scheduler.
    assert "due 2026-11-27T07:00 was missed" not in first.log, first.log
    assert "2026-11-27T07:01" in first.log

    shown = digest("status", "--json", cwd=project, env=EVERY_MINUTE, now=at("07:01:30"))
    assert shown.returncode == 0, shown.stderr
    data = json.loads(shown.stdout)
    assert data["schedule"]["next"]["daily"]["utc"] == "2026-11-27T07:02:00+00:00"
    assert data["editions"][0]["sent"] == 3 and data["firings"][0]["status"] == "done"

    add_article(project)  # something new for the firing that will be missed
    restarted = start("schedule", cwd=project, env=EVERY_MINUTE, now=at("07:05:20"))
    restarted.wait_for(lambda: len(emls(project)) == 6, "catch-up edition of the 07:05 firing")
    assert restarted.stop(signal.SIGTERM) == 0, restarted.log
    assert "firing.catch_up" in restarted.log
    assert len([n for n in emls(project) if n.startswith("2026-11-27-2--")]) == 3

    again = start("schedule", cwd=project, env=EVERY_MINUTE, now=at("07:05:40"))
    again.wait_for(lambda: "schedule.start" in again.log, "the scheduler to start")
    assert again.stop(signal.SIGINT) == 0, again.log
    assert "firing.catch_up" not in again.log  # that firing ran: a second start leaves it
    assert len(emls(project)) == 6


RECIPIENTS = 400


def many_subscribers(project: Path) -> set[str]:
    emails = {f"reader{i:04d}@example.com" for i in range(RECIPIENTS)}
    rows = "".join(f"{email},Reader\n" for email in sorted(emails))
    (project / "subscribers" / "subscribers.csv").write_text("email,name\n" + rows)
    return emails


def smtp_env(port: int) -> dict[str, str]:
    return {
        "DIGEST_DELIVERY__PROVIDER": "smtp",
        "DIGEST_DELIVERY__SMTP__HOST": "127.0.0.1",
        "DIGEST_DELIVERY__SMTP__PORT": str(port),
        "DIGEST_DELIVERY__SMTP__SECURITY": "none",
        "DIGEST_SCHEDULE__TIMEZONE": "UTC",
    }


def ledger(project: Path) -> Counter[str]:
    with sqlite3.connect(project / "var" / "digest.db") as conn:
        return Counter(dict(conn.execute("SELECT status, count(*) FROM deliveries GROUP BY 1")))


@pytest.mark.slow
@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGINT], ids=["SIGTERM", "SIGINT"])
def test_a_stop_mid_send_finishes_in_flight_and_the_next_start_resumes(
    project: Path, signum: int
) -> None:
    emails = many_subscribers(project)
    handler = RecordingHandler()
    controller = start_smtp(handler)
    try:
        env = smtp_env(controller.port)
        # 07:20: the 07:00 firing is missed and within the grace: the start runs it.
        child = start("schedule", cwd=project, env=env, now=at("07:20:00"))
        child.wait_for(lambda: len(handler.messages) >= 30, "the send to be under way")
        assert child.stop(signum) == 0, child.log
        counts = ledger(project)
        received = Counter(rcpt for rcpt, _ in handler.messages)
        assert 0 < len(received) < RECIPIENTS, "the stop must land mid-send"
        assert counts["sending"] == 0, "every message in flight was recorded"
        assert counts["sent"] == len(received) and max(received.values()) == 1
        assert counts["pending"] == RECIPIENTS - len(received)

        resumed = start("schedule", cwd=project, env=env, now=at("07:25:00"))
        resumed.wait_for(lambda: len(handler.messages) >= RECIPIENTS, "the rest of the edition")
        resumed.wait_for(lambda: "run.report" in resumed.log, "the report of the resumed send")
        assert resumed.stop(signal.SIGTERM) == 0, resumed.log
    finally:
        controller.stop()
    received = Counter(rcpt for rcpt, _ in handler.messages)
    assert set(received) == emails and max(received.values()) == 1, "each one exactly once"
    assert ledger(project) == Counter({"sent": RECIPIENTS})


@pytest.mark.slow
def test_sigterm_stops_digest_run_cleanly_and_send_finishes(project: Path) -> None:
    emails = many_subscribers(project)
    handler = RecordingHandler()
    controller = start_smtp(handler)
    try:
        env = smtp_env(controller.port)
        child = start("run", cwd=project, env=env)
        child.wait_for(lambda: len(handler.messages) >= 30, "the send to be under way")
        assert child.stop(signal.SIGTERM) == 0, child.log
        assert "stopped on SIGTERM" in child.log
        assert ledger(project)["sending"] == 0
        sent = digest("send", cwd=project, env=env)
        assert sent.returncode == 0, sent.stderr
    finally:
        controller.stop()
    received = Counter(rcpt for rcpt, _ in handler.messages)
    assert set(received) == emails and max(received.values()) == 1


def test_a_signal_becomes_a_stop_request_and_a_second_one_interrupts() -> None:
    with stop_on_signals() as stop:
        assert stop() is None
        os.kill(os.getpid(), signal.SIGTERM)
        assert stop() == "SIGTERM"
        stop.sleep(30)  # returns at once: a stop was asked for
        with pytest.raises(KeyboardInterrupt):
            os.kill(os.getpid(), signal.SIGINT)
    assert signal.getsignal(signal.SIGTERM) is signal.SIG_DFL


def test_status_json_names_the_next_run_of_each_kind(project: Path) -> None:
    env = {"DIGEST_SCHEDULE__WEEKLY_CRON": "0 7 * * mon"}
    shown = digest("status", "--json", cwd=project, env=env, now=at("08:00:00"))
    assert shown.returncode == 0, shown.stderr
    upcoming = json.loads(shown.stdout)["schedule"]["next"]
    assert upcoming["daily"] == {
        "cron": "0 7 * * *",
        "local": "2026-11-28T07:00:00+00:00",
        "utc": "2026-11-28T07:00:00+00:00",
    }
    assert upcoming["weekly"]["utc"] == "2026-11-30T07:00:00+00:00"
    assert datetime.fromisoformat(upcoming["weekly"]["local"]).astimezone(UTC).hour == 7
