"""`digest schedule`: APScheduler wiring only.

One scheduler process with an in-memory job store (a store shared by two processes runs every
job twice), guarded by an exclusive file lock next to the state database. coalesce=True and
max_instances=1 so a backlog becomes one run; a generous misfire grace so a late restart still
sends the day's edition instead of silently skipping it (APScheduler's default is 1 s).
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping
from contextlib import AbstractContextManager
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from apscheduler.schedulers.blocking import BlockingScheduler
from apscheduler.triggers.cron import CronTrigger

from digest.config import Config
from digest.errors import ConfigError, DigestError
from digest.models import Problem, RunReport
from digest.state import exclusive

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


def single_scheduler(cfg: Config) -> AbstractContextManager[None]:
    """Refuse to start a second scheduler on the same state database."""
    return exclusive(cfg.state_database, "schedule", "`digest schedule`")


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
