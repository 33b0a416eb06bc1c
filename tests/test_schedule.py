"""schedule: catch-up, DST, weekly and local-time firings, approval deadlines, the APScheduler
wiring and the checks before start; every clock is set, nothing sleeps."""

from __future__ import annotations

import dataclasses
import shutil
import threading
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
import time_machine

from digest import pipeline
from digest.config import Config, load_config
from digest.errors import ConfigError, StateError
from digest.models import RunReport
from digest.schedule import (
    Service,
    Slot,
    build_scheduler,
    catch_up,
    fire_times,
    next_runs,
    preflight,
    single_scheduler,
    triggers,
)
from digest.state import State, exclusive, open_state

MORNING = datetime(2026, 11, 27, 7, 0, tzinfo=UTC)  # 07:00 in London too (GMT in November)
NEW_YORK = ZoneInfo("America/New_York")


def setup(project: Path, **schedule: str) -> Config:
    environ = {f"DIGEST_SCHEDULE__{key.upper()}": value for key, value in schedule.items()}
    return load_config(project / "config.toml", environ)


def outbox(project: Path, edition: str = "") -> list[str]:
    return sorted(p.name for p in (project / "outbox").glob(f"{edition}*.eml"))


class Clock:
    """A clock the test moves by hand."""

    def __init__(self, now: datetime) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now


def service(cfg: Config, clock: Clock) -> tuple[Service, list[RunReport]]:
    reports: list[RunReport] = []
    return Service(cfg, {}, reports.append, clock=clock), reports


def with_state(cfg: Config, use: Callable[[State], object]) -> object:
    state = open_state(cfg.state_database)
    try:
        return use(state)
    finally:
        state.close()


def write_subscribers(project: Path, rows: list[str]) -> None:
    lines = ["email,name,sections,frequency,timezone,status", *rows]
    (project / "subscribers" / "subscribers.csv").write_text("\n".join(lines) + "\n")


# Catch-up


def test_a_missed_firing_runs_once_at_start_and_a_second_start_does_not_rerun_it(
    project: Path,
) -> None:
    cfg = setup(project)
    late = Clock(MORNING + timedelta(minutes=30))  # restarted at 07:30, the 07:00 was missed
    due = with_state(cfg, lambda state: catch_up(cfg, state, late.now))
    assert due == {"daily": Slot("daily", "2026-11-27T07:00", MORNING)}
    jobs, reports = service(cfg, late)
    jobs.fire("daily")
    assert [r.sent for r in reports] == [3]
    late.now += timedelta(minutes=5)  # a second start, a little later
    assert with_state(cfg, lambda state: catch_up(cfg, state, late.now)) == {}
    jobs.fire("daily")
    assert len(reports) == 1 and len(outbox(project)) == 3


def test_many_missed_firings_are_coalesced_into_one_run(project: Path) -> None:
    cfg = setup(project, cron="*/10 * * * *")
    start = Clock(MORNING + timedelta(minutes=55))  # 07:00 ... 07:50 all missed
    due = with_state(cfg, lambda state: catch_up(cfg, state, start.now))
    assert due == {"daily": Slot("daily", "2026-11-27T07:50", MORNING + timedelta(minutes=50))}
    jobs, reports = service(cfg, start)
    jobs.fire("daily")
    assert len(reports) == 1 and reports[0].sent == 3
    assert with_state(cfg, lambda state: catch_up(cfg, state, start.now)) == {}
    editions = with_state(cfg, lambda state: state.editions.recent())
    assert isinstance(editions, list) and len(editions) == 1


def test_a_firing_missed_beyond_the_grace_is_not_run(project: Path) -> None:
    cfg = setup(project, misfire_grace_seconds="600")
    late = MORNING + timedelta(minutes=30)
    assert with_state(cfg, lambda state: catch_up(cfg, state, late)) == {}


def test_the_real_scheduler_runs_the_missed_firing_at_start_once(project: Path) -> None:
    """APScheduler itself, with the clock frozen at 07:30: the catch-up is its next run time."""
    cfg = setup(project)
    late = MORNING + timedelta(minutes=30)
    with time_machine.travel(late, tick=False):
        for start in (1, 2):
            done = threading.Event()
            reports: list[RunReport] = []

            def report(
                r: RunReport, reports: list[RunReport] = reports, done: threading.Event = done
            ) -> None:
                reports.append(r)
                done.set()

            jobs = Service(cfg, {}, report)
            scheduler = build_scheduler(jobs, late)
            scheduler.start(paused=True)
            daily = scheduler.get_job("daily")
            assert (daily.coalesce, daily.max_instances) == (True, 1)
            assert daily.misfire_grace_time == 3600
            if start == 1:
                assert daily.next_run_time == MORNING  # the missed firing
                scheduler.resume()
                assert done.wait(60), "the catch-up firing did not run"
                assert [r.sent for r in reports] == [3]
            else:
                assert daily.next_run_time == MORNING + timedelta(days=1)  # not again
            scheduler.shutdown(wait=True)
    assert len(outbox(project)) == 3


def test_an_interrupted_firing_resumes_its_edition_instead_of_building_another(
    project: Path,
) -> None:
    cfg = setup(project)
    clock = Clock(MORNING)
    stopped = Service(cfg, {}, lambda r: None, clock=clock, stop=lambda: "SIGTERM")
    state = open_state(cfg.state_database)
    report = stopped.serve(state, Slot("daily", "2026-11-27T07:00", MORNING), MORNING)
    assert report is not None and report.interrupted == "SIGTERM" and report.edition_id is None
    firing = state.firings.get("daily", "2026-11-27T07:00")
    assert firing is not None and firing.status == "interrupted"
    clock.now += timedelta(minutes=10)
    assert catch_up(cfg, state, clock.now) == {"daily": Slot("daily", firing.slot, MORNING)}
    jobs, reports = service(cfg, clock)
    jobs.fire("daily")
    assert [r.sent for r in reports] == [3]
    firing = state.firings.get("daily", "2026-11-27T07:00")
    assert firing is not None and firing.status == "done" and firing.edition_id == "2026-11-27"


# Time zones and DST


def test_cron_is_read_in_the_configured_zone(project: Path) -> None:
    cfg = setup(project, timezone="America/New_York")
    (moment,) = next_runs(cfg, datetime(2026, 7, 1, 12, 0, tzinfo=UTC)).values()
    assert moment == datetime(2026, 7, 2, 7, 0, tzinfo=NEW_YORK)  # 11:00 UTC in summer


def test_a_nonexistent_0230_fires_once_that_day(project: Path) -> None:
    cfg = setup(project, timezone="America/New_York", cron="30 2 * * *")
    week = list(
        fire_times(
            triggers(cfg)["daily"],
            datetime(2026, 3, 6, tzinfo=NEW_YORK),
            datetime(2026, 3, 10, 23, tzinfo=NEW_YORK),
        )
    )
    days = [moment.astimezone(NEW_YORK).date().day for moment in week]
    assert days == [6, 7, 8, 9, 10]  # no day skipped, none doubled
    spring = week[2].astimezone(NEW_YORK)
    assert (spring.hour, spring.minute) == (3, 30)  # 02:30 does not exist: 03:30 EDT
    clock = Clock(week[2])
    jobs, reports = service(cfg, clock)
    jobs.fire("daily")
    assert [r.edition_id for r in reports] == ["2026-03-08"]


def test_a_0130_that_happens_twice_gives_one_edition(project: Path) -> None:
    cfg = setup(project, timezone="America/New_York", cron="30 1 * * *")
    day = list(
        fire_times(
            triggers(cfg)["daily"],
            datetime(2026, 11, 1, 0, 0, tzinfo=NEW_YORK),
            datetime(2026, 11, 1, 12, 0, tzinfo=NEW_YORK),
        )
    )
    # APScheduler fires at 01:30 EDT and again at 01:30 EST, an hour later.
    assert [m.astimezone(UTC).hour for m in day] == [5, 6]
    clock = Clock(day[0])
    jobs, reports = service(cfg, clock)
    jobs.fire("daily")
    clock.now = day[1]
    jobs.fire("daily")
    assert [r.edition_id for r in reports] == ["2026-11-01"]
    firings = with_state(cfg, lambda state: state.firings.recent())
    assert isinstance(firings, list) and [f.slot for f in firings] == ["2026-11-01T01:30"]


def test_weekdays_are_numbered_as_cron_numbers_them(project: Path) -> None:
    sunday_noon = datetime(2026, 11, 29, 12, 0, tzinfo=UTC)
    for cron, weekday in (("0 7 * * 1", "Mon"), ("0 7 * * 0", "Sun"), ("0 7 * * 7", "Sun")):
        (moment,) = next_runs(setup(project, cron=cron), sunday_noon).values()
        assert moment.strftime("%a") == weekday, cron


# Weekly and local-time editions


def test_weekly_and_daily_firings_each_reach_their_own_subscribers(project: Path) -> None:
    write_subscribers(
        project,
        ["day@example.com,Day,,daily,,active", "week@example.com,Week,,weekly,,active"],
    )
    cfg = setup(project, weekly_cron="0 7 * * mon")
    monday = datetime(2026, 11, 30, 7, 0, tzinfo=UTC)
    assert next_runs(cfg, monday - timedelta(days=2)) == {
        "daily": monday - timedelta(days=2) + timedelta(hours=0, days=1),
        "weekly": monday,
    }
    clock = Clock(monday)
    jobs, reports = service(cfg, clock)
    jobs.fire("daily")
    jobs.fire("weekly")
    assert [(r.kind, r.edition_id, r.sent) for r in reports] == [
        ("daily", "2026-11-30", 1),
        ("weekly", "2026-W49", 1),
    ]
    assert [n.split("--")[1][:4] for n in outbox(project, "2026-11-30")] == ["day@"]
    assert [n.split("--")[1][:5] for n in outbox(project, "2026-W49")] == ["week@"]
    weekly = reports[1].stories
    assert weekly == reports[0].stories  # the week's best, the daily's stories included


def test_local_time_delivery_sends_each_zone_at_its_own_seven(project: Path) -> None:
    write_subscribers(
        project,
        [
            "london@example.com,L,,daily,,active",
            "newyork@example.com,N,,daily,America/New_York,active",
            "tokyo@example.com,T,,daily,Asia/Tokyo,active",
        ],
    )
    cfg = setup(project, deliver_at_local="07:00")
    clock = Clock(MORNING)
    jobs, reports = service(cfg, clock)
    jobs.fire("daily")
    assert (reports[0].sent, reports[0].scheduled) == (1, 2)
    assert reports[0].next_delivery == datetime(2026, 11, 27, 12, 0, tzinfo=UTC)

    def sent() -> list[str]:
        return [name.split("--")[1].split("@")[0] for name in outbox(project)]

    assert sent() == ["london"]
    for moment, expected in (
        (datetime(2026, 11, 27, 11, 59, tzinfo=UTC), ["london"]),
        (datetime(2026, 11, 27, 12, 0, tzinfo=UTC), ["london", "newyork"]),  # 07:00 EST
        (datetime(2026, 11, 27, 21, 59, tzinfo=UTC), ["london", "newyork"]),
        (datetime(2026, 11, 27, 22, 0, tzinfo=UTC), ["london", "newyork", "tokyo"]),  # 07:00 JST
        (datetime(2026, 11, 27, 23, 0, tzinfo=UTC), ["london", "newyork", "tokyo"]),
    ):
        clock.now = moment
        jobs.tick()
        assert sent() == expected, moment
    record = with_state(cfg, lambda state: state.editions.get("2026-11-27"))
    assert record is not None and getattr(record, "status", None) == "done"


# Approval deadlines


def gated(project: Path, on_deadline: str) -> Config:
    cfg = setup(project, require_approval="true", approval_deadline="2h", on_deadline=on_deadline)
    state = open_state(cfg.state_database)
    pipeline.gather(cfg, state, pipeline.stage_settings(cfg), MORNING - timedelta(minutes=30))
    state.close()
    return cfg


@pytest.mark.parametrize("on_deadline", ["send", "skip"])
def test_an_unapproved_edition_is_decided_at_its_deadline(project: Path, on_deadline: str) -> None:
    cfg = gated(project, on_deadline)
    clock = Clock(MORNING)
    jobs, reports = service(cfg, clock)
    jobs.fire("daily")
    assert reports[0].awaiting_approval and outbox(project) == []
    (waiting,) = with_state(cfg, lambda state: state.firings.waiting())  # type: ignore[misc]
    assert waiting.deadline == MORNING + timedelta(hours=2)
    clock.now = MORNING + timedelta(hours=1, minutes=59)
    jobs.tick()
    assert outbox(project) == []
    clock.now = MORNING + timedelta(hours=2)
    jobs.tick()
    firing = with_state(cfg, lambda state: state.firings.get("daily", "2026-11-27T07:00"))
    assert firing is not None and getattr(firing, "status", None) == "done"
    if on_deadline == "send":
        assert len(outbox(project)) == 3
        assert getattr(firing, "decision", None) == "sent without approval at the deadline"
        assert "sent without approval" in " ".join(reports[-1].notes)
    else:
        assert outbox(project) == []
        assert getattr(firing, "decision", None) == "skipped: no approval by the deadline"
    clock.now += timedelta(hours=1)
    jobs.tick()  # decided once: nothing more happens
    assert len(outbox(project)) == (3 if on_deadline == "send" else 0)


def test_an_edition_approved_before_its_deadline_is_sent_at_once(project: Path) -> None:
    from digest.editorial import approve

    cfg = gated(project, "skip")
    clock = Clock(MORNING)
    jobs, _ = service(cfg, clock)
    jobs.fire("daily")
    clock.now = MORNING + timedelta(minutes=40)
    state = open_state(cfg.state_database)
    assert approve(cfg, state, clock.now, {}) is not None
    jobs.tick()
    assert len(outbox(project)) == 3
    firing = state.firings.get("daily", "2026-11-27T07:00")
    assert firing is not None and firing.status == "done" and firing.decision is None


# Several newsletters, and the checks before start


def test_two_schedulers_on_two_configs_never_interfere(project: Path, tmp_path: Path) -> None:
    other = tmp_path / "other"
    shutil.copytree(project, other)
    first, second = setup(project), setup(other)
    assert first.state_database != second.state_database
    with single_scheduler(first), single_scheduler(second):
        for cfg in (first, second):
            jobs, reports = service(cfg, Clock(MORNING))
            jobs.fire("daily")
            assert reports[0].sent == 3
    assert len(outbox(project)) == 3 and len(outbox(other)) == 3
    for cfg in (first, second):
        firings = with_state(cfg, lambda state: state.firings.recent())
        assert isinstance(firings, list) and len(firings) == 1


def test_a_second_scheduler_on_the_same_state_is_refused(project: Path) -> None:
    cfg = setup(project)
    with single_scheduler(cfg):  # noqa: SIM117 - the second must start inside the first
        with pytest.raises(StateError, match="already running"), single_scheduler(cfg):
            pass


def test_job_errors_become_reports_not_crashes(project: Path) -> None:
    cfg = setup(project)
    shutil.rmtree(project / "subscribers")
    jobs, reports = service(cfg, Clock(MORNING))
    jobs.fire("daily")
    assert "subscribers folder not found" in reports[0].problems[0].message
    firing = with_state(cfg, lambda state: state.firings.get("daily", "2026-11-27T07:00"))
    assert firing is not None and getattr(firing, "status", None) == "failed"


def test_preflight_refuses_to_start_naming_the_key(project: Path) -> None:
    cfg = setup(project)
    preflight(cfg, {}, MORNING)  # the bundled project starts
    (project / "blocker").write_text("a file where a folder should be\n")
    cases = {
        "sources: no sources configured": {"sources": ()},
        "delivery.outbox.dir": {
            "tables": {**cfg.tables, "delivery": {"outbox": {"dir": "blocker/out"}}}
        },
        "state.database": {"state_database": str(project / "blocker" / "digest.db")},
    }
    for key, change in cases.items():
        with pytest.raises(ConfigError, match=key):
            preflight(dataclasses.replace(cfg, **change), {}, MORNING)  # type: ignore[arg-type]
    smtp = dataclasses.replace(
        cfg,
        provider="smtp",
        tables={**cfg.tables, "delivery": {"smtp": {"host": "localhost", "port": "abc"}}},
    )
    with pytest.raises(ConfigError, match=r"delivery\.smtp\.port"):
        preflight(smtp, {}, MORNING)


# The bounce mailbox


def test_the_bounce_mailbox_is_read_by_a_job_when_one_is_set(project: Path, tmp_path: Path) -> None:
    """[bounces] mailbox: a job, first at start then every 5 minutes, applies the returned
    mail in it once; a mailbox that is gone is a report, not a dead scheduler."""
    import mailbox

    from digest.models import message_id
    from tests.conftest import DATA

    plain, _ = service(setup(project), Clock(MORNING))
    assert build_scheduler(plain, MORNING).get_job("bounces") is None
    dsn = (DATA / "bounces" / "postfix_hard.eml").read_text()
    dsn = dsn.replace("gone@example.net", "ada@example.com").replace(
        message_id("2026-11-27", "gone@example.net", "example.com"),
        message_id("2026-11-27", "ada@example.com", "example.com"),
    )
    box = mailbox.Maildir(tmp_path / "Maildir", create=True)
    box.add(dsn.encode())
    box.close()
    cfg = load_config(
        project / "config.toml", {"DIGEST_BOUNCES__MAILBOX": str(tmp_path / "Maildir")}
    )
    jobs, reports = service(cfg, Clock(MORNING + timedelta(hours=1)))
    jobs.fire("daily")  # the edition goes to ada, grace and linus
    with time_machine.travel(MORNING, tick=False):
        scheduler = build_scheduler(jobs, MORNING)
        scheduler.start(paused=True)
        job = scheduler.get_job("bounces")
        assert job.next_run_time == MORNING and job.trigger.interval == timedelta(minutes=5)
        scheduler.shutdown(wait=False)
    jobs.bounces()
    jobs.bounces()  # read again: nothing applied twice
    ada = with_state(cfg, lambda state: state.subscribers.get("ada@example.com"))
    assert getattr(ada, "status", None) == "bounced"
    counts = with_state(cfg, lambda state: state.feedback.counts("2026-11-27"))
    assert counts == {"bounced": 1, "complained": 0}
    assert [r.problems for r in reports[1:]] == []
    shutil.rmtree(tmp_path / "Maildir")
    jobs.bounces()
    assert "no such Maildir or mbox" in reports[-1].problems[0].message
    bad = dataclasses.replace(cfg, tables={**cfg.tables, "bounces": {"soft_limit": -1}})
    with pytest.raises(ConfigError, match=r"bounces\.soft_limit"):
        preflight(bad, {}, MORNING)


# Relay trouble


def relay_environ(port: int) -> dict[str, str]:
    """SMTP to a test relay; backoffs and each run's patience shortened (they are real waits
    inside a send), the schedule's own clock is the test's."""
    from tests.deliver.test_send_smtp import smtp_env

    return {
        **smtp_env(port),
        "DIGEST_DELIVERY__BACKOFF_MAX": "0.02",
        "DIGEST_DELIVERY__PATIENCE_SECONDS": "0.1",  # a tick's share, shortened for the test
    }


def test_a_relay_down_at_the_firing_delivers_everyone_once_when_back_without_a_new_firing(
    project: Path,
) -> None:
    """The firing's send pauses (nobody fails), the firing is settled, and the next ticks go
    on with the edition by themselves once the relay listens again."""
    from tests.deliver.smtp_server import RecordingHandler, free_port, start

    port = free_port()
    cfg = load_config(project / "config.toml", relay_environ(port))
    clock = Clock(MORNING)
    jobs, reports = service(cfg, clock)
    jobs.fire("daily")
    assert [(r.sent, r.failed, r.pending) for r in reports] == [(0, 0, 3)]
    assert reports[0].stopped is not None and reports[0].stopped.startswith("paused")
    clock.now += timedelta(seconds=30)
    jobs.tick()  # still down: still pending, nobody failed, nothing reported
    assert len(reports) == 1
    with exclusive(cfg.state_database, "send", "`digest send`"):
        jobs.tick()  # an operator's `digest send` holds the edition: the tick leaves it quietly
    assert len(reports) == 1
    handler = RecordingHandler()
    controller = start(handler, port=port)
    try:
        clock.now += timedelta(seconds=30)
        jobs.tick()
    finally:
        controller.stop()
    assert [(r.sent, r.failed, r.pending) for r in reports[1:]] == [(3, 0, 0)]
    assert set(handler.recipients().values()) == {1} and len(handler.recipients()) == 3
    firings = with_state(cfg, lambda state: state.firings.recent())
    assert isinstance(firings, list) and len(firings) == 1
    editions = with_state(cfg, lambda state: state.editions.recent())
    assert isinstance(editions, list) and [e.status for e in editions] == ["done"]


def ticks_until_sent(
    jobs: Service, clock: Clock, reports: list[RunReport], on_tick: Callable[[], None]
) -> timedelta:
    """Tick every 30 s (the scheduler's check) for at most 5 minutes, until a report says
    nobody is pending; how long it took on the schedule's clock."""
    started = clock.now
    while clock.now - started < timedelta(minutes=5):
        clock.now += timedelta(seconds=30)
        on_tick()
        jobs.tick()
        if reports and reports[-1].pending == 0 and reports[-1].sent:
            break
    return clock.now - started


def assert_one_firing_and_done(cfg: Config) -> None:
    firings = with_state(cfg, lambda state: state.firings.recent())
    assert isinstance(firings, list) and len(firings) == 1, "no new firing"
    editions = with_state(cfg, lambda state: state.editions.recent())
    assert isinstance(editions, list) and [e.status for e in editions] == ["done"]


def test_a_relay_down_25_s_mid_send_delivers_everyone_once_without_a_new_firing(
    project: Path,
) -> None:
    """The relay closes its listener after 20 of 60 messages (refused connections from then
    on) and listens again 25 s later on the schedule's clock: the firing's send pauses with
    the rest pending, and the ticks after the relay is back finish the edition, each reader
    once, within minutes and with the one firing."""
    from tests.deliver.smtp_server import DOWN_FOR, Relay, free_port

    emails = [f"reader{i:02d}@example.com" for i in range(60)]
    write_subscribers(project, [f"{email},Reader,,daily,,active" for email in emails])
    relay = Relay(free_port(), down_after=20)
    clock = Clock(MORNING)
    relay.clock = lambda: clock.now.timestamp()
    relay.up()
    cfg = load_config(project / "config.toml", relay_environ(relay.port))
    jobs, reports = service(cfg, clock)
    try:
        jobs.fire("daily")
        assert relay.outages == 1 and relay.down_since is not None
        [firing] = reports
        assert (firing.sent, firing.failed, firing.pending) == (20, 0, 40)
        assert firing.stopped is not None and firing.stopped.startswith("paused")
        back = datetime.fromtimestamp(relay.down_since, UTC) + timedelta(seconds=DOWN_FOR)
        took = ticks_until_sent(jobs, clock, reports, lambda: relay.tick(clock.now.timestamp()))
    finally:
        if relay.controller is not None:
            relay.controller.stop()
    assert relay.recipients() == dict.fromkeys(emails, 1), "everyone, once"
    assert reports[-1].pending == 0 and sum(r.failed for r in reports) == 0
    assert clock.now - back <= timedelta(minutes=5) and took <= timedelta(minutes=5)
    assert_one_firing_and_done(cfg)


def test_a_greylisting_relay_delivers_everyone_once_without_a_new_firing(
    project: Path,
) -> None:
    """451 to each recipient's first try (greylisting): the firing and the ticks after it
    retry each reader until the relay takes them, each once, within minutes, one firing."""
    from tests.deliver.smtp_server import RecordingHandler, start

    emails = [f"busy{i:02d}@example.com" for i in range(60)]  # the relay's cue: 451 first
    write_subscribers(project, [f"{email},Reader,,daily,,active" for email in emails])
    handler = RecordingHandler(busy_times=1)
    controller = start(handler)
    cfg = load_config(project / "config.toml", relay_environ(controller.port))
    clock = Clock(MORNING)
    jobs, reports = service(cfg, clock)
    try:
        jobs.fire("daily")
        took = (
            ticks_until_sent(jobs, clock, reports, lambda: None)
            if reports[-1].pending
            else timedelta(0)
        )
    finally:
        controller.stop()
    assert handler.recipients() == dict.fromkeys(emails, 1), "everyone, once"
    assert all(handler.tries[email] == 2 for email in emails), "greylisted once, then taken"
    assert reports[-1].pending == 0 and sum(r.failed for r in reports) == 0
    assert took <= timedelta(minutes=5)
    assert_one_firing_and_done(cfg)


# The state database out of reach at start


def test_a_locked_database_at_start_is_waited_for_not_a_config_error(
    project: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Another process holding the write lock: the start tries again after a pause instead of
    failing as a configuration error (exit 2, which the unit never restarts)."""
    import sqlite3

    from digest.errors import StateUnavailableError
    from digest.state import db

    monkeypatch.setattr(db, "BUSY_SECONDS", 0.05)  # SQLite's own wait for the lock, shortened
    cfg = setup(project)
    open_state(cfg.state_database).close()
    holder = sqlite3.connect(cfg.state_database, isolation_level=None)
    holder.execute("BEGIN EXCLUSIVE")
    waits: list[float] = []

    def wait(seconds: float) -> None:
        waits.append(seconds)
        if len(waits) == 2:
            holder.execute("ROLLBACK")

    preflight(cfg, {}, MORNING, wait)
    assert waits == [1, 2]
    holder.execute("BEGIN EXCLUSIVE")
    with pytest.raises(StateUnavailableError, match="locked"):
        preflight(cfg, {}, MORNING, lambda seconds: None)
    holder.close()
