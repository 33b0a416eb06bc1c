"""`digest schedule`: APScheduler wiring, and what each firing does.

One scheduler process per state database (an exclusive lock beside it), an in-memory job store
(a store shared by two processes runs every job twice) and one worker thread, so editions run
one at a time. Each kind of edition (daily on `[schedule] cron`, weekly on `weekly_cron`) is a
cron job with coalesce=True, max_instances=1 and the configured misfire grace.

APScheduler forgets everything when the process stops, so every firing is also recorded in the
state database (`state.firings`, keyed by the wall-clock minute in the schedule's zone). On
start, the latest firing of each kind due within `misfire_grace_seconds` and not yet run is
given to APScheduler as that job's next run time, so it runs at once, once, however many
firings were missed (coalesced); a second start finds it recorded and does nothing. A DST
change that brings 01:30 twice gives one firing, since both share one wall-clock key.

A housekeeping tick (every TICK_SECONDS) queues local-time batches whose moment has come,
sends them, decides editions that wait for an editor (sent once approved, or at
`approval_deadline` sent or skipped as `on_deadline` says), and goes on with every edition
left unfinished: by a stop or a crash, or paused by relay trouble (a send here waits through
a pause for one tick at most, then leaves the edition to the next tick, so local-time
batches and approvals are never held up for long). An edition is retried so until it is done
or its retry window ends (`[delivery] retry_hours`, never past its kind's next firing).

With `[bounces] mailbox` set, a job reads that Maildir or mbox every BOUNCE_SECONDS (first at
start) and applies the returned mail in it, as `digest bounces` does.

A stop request (SIGTERM, SIGINT) ends the wait; the edition in flight finishes the messages in
flight, records them and stops, and the scheduler shuts down once its job has returned.
"""

from __future__ import annotations

import logging
import sqlite3
import time
from collections.abc import Callable, Iterator, Mapping
from contextlib import AbstractContextManager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any

from digest.config import Config, cron_trigger
from digest.errors import ConfigError, DigestError, StateError, StateUnavailableError
from digest.models import Problem, RunReport
from digest.state import Firing, State, exclusive, open_state

if TYPE_CHECKING:
    from apscheduler.schedulers.background import BackgroundScheduler
    from apscheduler.triggers.cron import CronTrigger

log = logging.getLogger("digest.schedule")

TICK_SECONDS = 30
BOUNCE_SECONDS = 300  # how often the [bounces] mailbox is read, when one is set
STOP_POLL = 0.2  # seconds between looks at a stop request while idle
STATE_RETRIES = (1, 2, 4, 8, 15, 30, 60, 60, 60, 60)  # seconds between tries of a locked database
Stop = Callable[[], str | None]
Clock = Callable[[], datetime]


def now_utc() -> datetime:
    return datetime.now(UTC)


def never() -> str | None:
    return None


@dataclass(frozen=True)
class Slot:
    """One firing: its kind, its wall-clock key in the schedule's zone, its moment (UTC)."""

    kind: str
    key: str
    due: datetime


def triggers(cfg: Config) -> dict[str, CronTrigger]:
    """The cron trigger of each scheduled kind of edition."""
    return {
        kind: cron_trigger(cron, cfg.schedule.zone) for kind, cron in cfg.schedule.crons.items()
    }


def fire_times(trigger: CronTrigger, start: datetime, end: datetime) -> Iterator[datetime]:
    """Every fire time from `start` to `end`, both included, in UTC."""
    moment = trigger.get_next_fire_time(None, start.astimezone(UTC))
    while moment is not None and moment.astimezone(UTC) <= end.astimezone(UTC):
        yield moment.astimezone(UTC)
        moment = trigger.get_next_fire_time(None, moment.astimezone(UTC) + timedelta(seconds=1))


def slot_of(cfg: Config, kind: str, due: datetime) -> Slot:
    local = due.astimezone(cfg.schedule.zone)
    return Slot(kind, local.strftime("%Y-%m-%dT%H:%M"), due.astimezone(UTC))


def latest_slot(cfg: Config, kind: str, now: datetime) -> Slot | None:
    """The last firing of `kind` due within the misfire grace before `now`, if any."""
    grace = timedelta(seconds=cfg.schedule.misfire_grace_seconds)
    last = None
    for last in fire_times(triggers(cfg)[kind], now - grace, now):  # noqa: B007 - the last one
        pass
    return slot_of(cfg, kind, last) if last is not None else None


def catch_up(cfg: Config, state: State, now: datetime) -> dict[str, Slot]:
    """Per kind, the firing a start must run at once: the latest one within the grace that has
    not run (or was cut short). Firings missed before it are coalesced into it."""
    found = {}
    for kind in cfg.schedule.crons:
        slot = latest_slot(cfg, kind, now)
        if slot is None:
            continue
        firing = state.firings.get(kind, slot.key)
        if firing is None or firing.status in ("running", "interrupted"):
            found[kind] = slot
    return found


def next_runs(cfg: Config, now: datetime) -> dict[str, datetime]:
    """When each kind of edition fires next after `now` (UTC)."""
    found = {}
    for kind, trigger in triggers(cfg).items():
        moment = trigger.get_next_fire_time(None, now.astimezone(UTC) + timedelta(seconds=1))
        if moment is not None:
            found[kind] = moment.astimezone(UTC)
    return found


def _log(level: int, event: str, message: str, **fields: Any) -> None:
    log.log(level, message, extra={"event": event, **fields})


class Service:
    """The scheduler's jobs over one config: each firing, and the housekeeping tick.

    Each job opens the state database for its own run and closes it after, on the worker
    thread; every error becomes a report (and a failed firing), never a dead scheduler.
    """

    def __init__(
        self,
        cfg: Config,
        environ: Mapping[str, str],
        on_report: Callable[[RunReport], None],
        *,
        stop: Stop = never,
        clock: Clock = now_utc,
    ) -> None:
        self.cfg = cfg
        self.environ = environ
        self.on_report = on_report
        self.stop = stop
        self.clock = clock

    def fire(self, kind: str) -> None:
        """The job of one kind of edition: serve the firing due now."""
        if self.stop():
            return
        now = self.clock()
        slot = latest_slot(self.cfg, kind, now)
        if slot is None:
            return
        self._guarded(lambda state: self.serve(state, slot, now), f"{kind} {slot.key}")

    def serve(self, state: State, slot: Slot, now: datetime) -> RunReport | None:
        """Run one firing once: None when it already ran (a restart, a repeated wall time)."""
        firing = state.firings.claim(slot.kind, slot.key, slot.due, now)
        if firing is None:
            _log(logging.INFO, "firing.skip", f"{slot.kind} {slot.key} already ran", edition=None)
            return None
        for older in state.firings.waiting():
            if older.kind == slot.kind:
                state.firings.settle(
                    older.kind, older.slot, "done", now, note=f"superseded by {slot.key}"
                )
        _log(logging.INFO, "firing.start", f"{slot.kind} edition due {slot.key}", edition=None)
        try:
            report = self._edition(state, firing, now)
        except (DigestError, OSError, sqlite3.Error) as exc:
            state.firings.settle(slot.kind, slot.key, "failed", now, note=str(exc))
            raise
        self._settle(state, firing, report, now)
        return report

    def _edition(
        self, state: State, firing: Firing, now: datetime, *, waive: bool = False
    ) -> RunReport:
        from digest import pipeline

        if firing.edition_id is not None:  # stored before a stop or crash: finish that one
            return self.send(state, now, firing.edition_id)
        options = pipeline.RunOptions(
            kind=firing.kind,
            firing=firing,
            waive_approval=waive,
            stop=self.stop,
            patience=TICK_SECONDS,
        )
        for _ in range(len(state.editions.sending()) + 1):
            report = pipeline.run(self.cfg, state, now, self.environ, options=options)
            if not report.resumed or report.interrupted or report.stopped or report.pending:
                return report
            self.on_report(report)  # an earlier edition, finished first; now this one
        return report

    def send(self, state: State, now: datetime, edition_id: str) -> RunReport:
        """Go on with a stored edition, waiting through a pause for one tick at most."""
        from digest import dispatch

        return dispatch.send_pending(
            self.cfg,
            state,
            now,
            self.environ,
            edition_id=edition_id,
            stop=self.stop,
            patience=TICK_SECONDS,
        )

    def _settle(
        self,
        state: State,
        firing: Firing,
        report: RunReport,
        now: datetime,
        decision: str | None = None,
    ) -> None:
        kind, key = firing.kind, firing.slot
        if report.interrupted:
            state.firings.settle(kind, key, "interrupted", now, note=report.interrupted)
        elif report.resumed:
            unfinished = f"edition {report.edition_id} could not be finished first"
            state.firings.settle(kind, key, "failed", now, note=unfinished)
        elif report.awaiting_approval:
            limit = self.cfg.schedule.approval_deadline
            deadline = firing.due + limit if limit is not None else None
            state.firings.settle(kind, key, "waiting", now, note=report.notes[0], deadline=deadline)
        else:
            done = report.notes[0] if report.notes else report.edition_id
            state.firings.settle(kind, key, "done", now, note=done, decision=decision)

    def tick(self, *, resume: bool = False) -> None:
        """Local-time batches due now, editions waiting for approval; at start, also every
        edition a stop or a crash left unfinished."""
        if self.stop():
            return
        self._guarded(lambda state: self.housekeeping(state, self.clock(), resume), "tick")

    def housekeeping(self, state: State, now: datetime, resume: bool) -> None:

        released = state.release_due(now)
        for batch in released:
            _log(
                logging.INFO,
                "local.release",
                f"{batch.edition_id}: {len(batch.emails)} recipient(s) in {batch.zone} are due",
                edition=batch.edition_id,
                counts={"recipients": len(batch.emails)},
            )
        for record in state.resumable():
            if self.stop():
                return
            try:
                report = self.send(state, now, record.id)
            except StateUnavailableError as exc:  # a `digest send` at work: its edition
                _log(logging.INFO, "tick.busy", f"{exc.message}; next tick", edition=record.id)
                return
            if resume or released or report.sent or report.failed or not report.pending:
                self.on_report(report)  # a tick that changed nothing stays quiet
        for firing in state.firings.waiting():
            if self.stop():
                return
            self.decide(state, firing, now)

    def bounces(self) -> None:
        """Read the [bounces] mailbox: returned mail and unsubscribe requests since last time."""
        if self.stop():
            return
        self._guarded(self.read_mailbox, "bounces")

    def read_mailbox(self, state: State) -> None:
        from digest.subscribers import bounce_settings_from_table, process_mailbox

        settings = bounce_settings_from_table(self.cfg.table("bounces"), base_dir=self.cfg.base_dir)
        if settings.mailbox is None:
            return
        for returned in process_mailbox(state, settings.mailbox, settings, now=self.clock()):
            if returned.result == "already processed":
                continue
            for line in returned.lines():
                _log(logging.INFO, "bounces.message", line, edition=None)

    def decide(self, state: State, firing: Firing, now: datetime) -> None:
        """An edition waiting for approval: send it once approved; at its deadline, send or
        skip it as `on_deadline` says, and log the decision."""
        schedule = self.cfg.schedule
        late = firing.deadline is not None and now >= firing.deadline
        if not late and not state.editorial.has_approval(firing.kind):
            return
        if late and schedule.on_deadline == "skip":
            skipped = "skipped: no approval by the deadline"
            state.firings.settle(firing.kind, firing.slot, "done", now, decision=skipped)
            _log(
                logging.WARNING,
                "approval.deadline",
                f"{firing.kind} {firing.slot}: {skipped}",
                edition=None,
            )
            return
        report = self._edition(state, firing, now, waive=late)
        decision = "sent without approval at the deadline" if late else None
        if decision:
            _log(
                logging.WARNING,
                "approval.deadline",
                f"{firing.kind} {firing.slot}: {decision}",
                edition=report.edition_id,
            )
        self._settle(state, firing, report, now, decision=decision)
        if not report.awaiting_approval:
            self.on_report(report)

    def _guarded(self, job: Callable[[State], RunReport | None], what: str) -> None:
        """Run a job on its own connection; an error becomes a report, never a dead thread."""
        try:
            state = open_state(self.cfg.state_database)
            try:
                report = job(state)
            finally:
                state.close()
        except (DigestError, OSError, sqlite3.Error) as exc:
            report = RunReport(None, 0, 0, 0, 0, (Problem("schedule", what, _message(exc)),))
        if report is not None:
            self.on_report(report)


def _message(exc: BaseException) -> str:
    if isinstance(exc, OSError) and exc.filename:
        return f"{exc.filename}: {exc.strerror or exc}"
    return str(exc)


def preflight(
    cfg: Config,
    environ: Mapping[str, str],
    now: datetime,
    wait: Callable[[float], None] = time.sleep,
) -> None:
    """Refuse to start, with a ConfigError naming the key, on what would fail later: no
    sources, a bad provider option, an outbox or a state database that cannot be written.

    A database out of reach for now (locked by another process, a server restarting) is no
    configuration error: it is tried again after STATE_RETRIES pauses (logged at warning),
    then a StateUnavailableError naming it ends the start (exit 1: the service manager may
    restart it; exit 2 keeps it down)."""
    from digest import dispatch, pipeline

    dispatch.preflight(cfg)
    bounce_mailbox(cfg)
    pipeline.stage_settings(cfg)
    dispatch.provider(cfg, environ).close()
    for pause in (*STATE_RETRIES, None):
        try:
            _note_start(cfg, now)
            return
        except StateUnavailableError as exc:
            if pause is None:
                raise
            _log(
                logging.WARNING,
                "state.retry",
                f"{_message(exc)}; trying again in {pause} s",
                edition=None,
            )
            wait(pause)


def _note_start(cfg: Config, now: datetime) -> None:
    try:
        state = open_state(cfg.state_database)
        try:
            state.firings.note_start(now)  # a real write: a read-only database fails here
        finally:
            state.close()
    except sqlite3.OperationalError as exc:
        if "locked" in str(exc) or "busy" in str(exc):
            raise StateUnavailableError(
                f"{cfg.state_database}: the state database is locked by another process: {exc}"
            ) from None
        raise _unwritable(exc) from None
    except StateUnavailableError:
        raise
    except (StateError, OSError, sqlite3.Error) as exc:
        raise _unwritable(exc) from None


def _unwritable(exc: BaseException) -> ConfigError:
    return ConfigError(
        f"state.database: {_message(exc)}",
        hint="the scheduler needs a state database it can write (check the path and mount)",
    )


def bounce_mailbox(cfg: Config) -> Path | None:
    """[bounces] mailbox, checked (ConfigError naming the key): the scheduler reads it."""
    from digest.subscribers import bounce_settings_from_table

    return bounce_settings_from_table(cfg.table("bounces"), base_dir=cfg.base_dir).mailbox


def build_scheduler(service: Service, now: datetime) -> BackgroundScheduler:
    """The jobs: one cron job per kind of edition (a catch-up firing first), the tick."""
    from apscheduler.events import EVENT_JOB_MISSED, JobExecutionEvent
    from apscheduler.executors.pool import ThreadPoolExecutor
    from apscheduler.schedulers.background import BackgroundScheduler
    from apscheduler.triggers.interval import IntervalTrigger

    cfg = service.cfg
    scheduler = BackgroundScheduler(
        timezone=cfg.schedule.zone,
        executors={"default": ThreadPoolExecutor(1)},
        job_defaults={
            "coalesce": True,
            "max_instances": 1,
            "misfire_grace_time": cfg.schedule.misfire_grace_seconds,
        },
    )
    state = open_state(cfg.state_database)
    try:
        missed = catch_up(cfg, state, now)
    finally:
        state.close()
    for kind, trigger in triggers(cfg).items():
        extra: dict[str, Any] = {}
        if kind in missed:
            extra["next_run_time"] = missed[kind].due
            _log(
                logging.INFO,
                "firing.catch_up",
                f"{kind} edition due {missed[kind].key} was missed: running it now",
                edition=None,
            )
        scheduler.add_job(service.fire, trigger, args=[kind], id=kind, name=kind, **extra)
    scheduler.add_job(service.tick, kwargs={"resume": True}, id="start", next_run_time=now)
    if bounce_mailbox(cfg) is not None:
        every = IntervalTrigger(seconds=BOUNCE_SECONDS, start_date=now)
        scheduler.add_job(service.bounces, every, id="bounces", next_run_time=now)
    scheduler.add_job(
        service.tick,
        IntervalTrigger(seconds=TICK_SECONDS, start_date=now + timedelta(seconds=TICK_SECONDS)),
        id="tick",
    )

    def missed_job(event: JobExecutionEvent) -> None:
        _log(
            logging.WARNING,
            "firing.missed",
            f"{event.job_id} firing due {event.scheduled_run_time} was missed beyond the grace",
            edition=None,
        )

    scheduler.add_listener(missed_job, EVENT_JOB_MISSED)
    return scheduler


def single_scheduler(cfg: Config) -> AbstractContextManager[None]:
    """Refuse to start a second scheduler on the same state database."""
    return exclusive(cfg.state_database, "schedule", "`digest schedule`")


def run_scheduler(
    cfg: Config,
    environ: Mapping[str, str],
    on_report: Callable[[RunReport], None],
    *,
    stop: Stop = never,
    clock: Clock = now_utc,
    wait: Callable[[float], None] = time.sleep,
) -> None:
    """Check, then run editions on schedule until `stop()` gives a reason."""
    preflight(cfg, environ, clock(), wait)
    with single_scheduler(cfg):
        service = Service(cfg, environ, on_report, stop=stop, clock=clock)
        now = clock()
        scheduler = build_scheduler(service, now)
        scheduler.start()
        upcoming = ", ".join(f"{k} {t.isoformat()}" for k, t in next_runs(cfg, now).items())
        _log(logging.INFO, "schedule.start", f"scheduler started; next: {upcoming}", edition=None)
        try:
            while not stop():
                wait(STOP_POLL)
        finally:
            _log(logging.INFO, "schedule.stop", f"stopping: {stop() or 'exit'}", edition=None)
            scheduler.shutdown(wait=True)  # the job in flight returns once it has stopped
