"""`digest schedule`: APScheduler wiring only.

One scheduler process with an in-memory job store (a store shared by two processes runs every
job twice), guarded by an exclusive file lock next to the state database. coalesce=True and
max_instances=1 so a backlog becomes one run; a generous misfire grace so a late restart still
sends the day's edition instead of silently skipping it (APScheduler's default is 1 s).
"""

from __future__ import annotations

import fcntl
import logging
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from apscheduler.schedulers.blocking import BlockingScheduler
from apscheduler.triggers.cron import CronTrigger

from digest.config import Config
from digest.errors import ConfigError, DigestError, StateError
from digest.models import Problem, RunReport

log = logging.getLogger("digest.schedule")


def cron_trigger(cfg: Config) -> CronTrigger:
    """The configured cron expression in the configured time zone."""
    try:
        return CronTrigger.from_crontab(cfg.schedule.cron, timezone=ZoneInfo(cfg.schedule.timezone))
    except ValueError as exc:
        raise ConfigError(f"schedule.cron: {exc}") from None


def scheduled_job(
    cfg: Config, environ: Mapping[str, str], on_report: Callable[[RunReport], None]
) -> Callable[[], None]:
    """One edition per firing; an error is reported, never allowed to kill the scheduler."""
    from digest import pipeline
    from digest.state import open_state

    def job() -> None:
        try:
            state = open_state(cfg.state_database)
            try:
                report = pipeline.run(cfg, state, datetime.now(UTC), environ)
            finally:
                state.close()
        except DigestError as exc:
            report = RunReport(None, 0, 0, 0, 0, (Problem("run", "edition", str(exc)),))
        on_report(report)

    return job


def build_scheduler(
    cfg: Config, environ: Mapping[str, str], on_report: Callable[[RunReport], None]
) -> BlockingScheduler:
    scheduler = BlockingScheduler(timezone=ZoneInfo(cfg.schedule.timezone))
    scheduler.add_job(
        scheduled_job(cfg, environ, on_report),
        cron_trigger(cfg),
        id="edition",
        coalesce=True,
        max_instances=1,
        misfire_grace_time=cfg.schedule.misfire_grace_seconds,
        replace_existing=True,
    )
    return scheduler


@contextmanager
def single_scheduler(cfg: Config) -> Iterator[None]:
    """Refuse to start a second scheduler on the same state database."""
    base = cfg.state_database if "://" not in cfg.state_database else str(cfg.base_dir / "var/x")
    lock_path = Path(base).with_suffix(".schedule.lock")
    lock_path.parent.mkdir(parents=True, exist_ok=True)
    with lock_path.open("w") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise StateError(
                f"{lock_path}: another `digest schedule` is already running on this state",
                hint="run one scheduler per state database",
            ) from None
        yield


def run_scheduler(
    cfg: Config, environ: Mapping[str, str], on_report: Callable[[RunReport], None]
) -> None:
    """Block, running editions on schedule, until interrupted."""
    scheduler = build_scheduler(cfg, environ, on_report)
    with single_scheduler(cfg):
        try:
            scheduler.start()
        except (KeyboardInterrupt, SystemExit):
            scheduler.shutdown(wait=False)
