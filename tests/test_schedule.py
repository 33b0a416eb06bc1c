"""schedule: the APScheduler job is configured to neither skip nor double a run."""

from __future__ import annotations

import shutil
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from digest.config import load_config
from digest.errors import StateError
from digest.models import RunReport
from digest.schedule import build_scheduler, scheduled_job, single_scheduler


def test_job_is_coalesced_single_instance_with_grace(project: Path) -> None:
    cfg = load_config(project / "config.toml", {})
    scheduler = build_scheduler(cfg, {}, lambda report: None)
    (job,) = scheduler.get_jobs()
    assert job.coalesce is True
    assert job.max_instances == 1
    assert job.misfire_grace_time == 3600
    london = ZoneInfo("Europe/London")
    fire = job.trigger.get_next_fire_time(None, datetime(2026, 7, 1, 8, 0, tzinfo=london))
    assert fire == datetime(2026, 7, 2, 7, 0, tzinfo=london)


def test_scheduled_job_runs_an_edition_and_reports(project: Path) -> None:
    cfg = load_config(project / "config.toml", {})
    reports: list[RunReport] = []
    scheduled_job(cfg, {}, reports.append)()
    assert reports[0].sent == 3
    scheduled_job(cfg, {}, reports.append)()
    assert reports[1].sent == 0 and "nothing new to send" in reports[1].notes


def test_job_errors_become_reports_not_crashes(project: Path) -> None:
    cfg = load_config(project / "config.toml", {})
    shutil.rmtree(project / "subscribers")
    reports: list[RunReport] = []
    scheduled_job(cfg, {}, reports.append)()
    assert "subscribers folder not found" in reports[0].problems[0].message


def test_a_second_scheduler_on_the_same_state_is_refused(project: Path) -> None:
    cfg = load_config(project / "config.toml", {})
    with single_scheduler(cfg):  # noqa: SIM117 - the second must start inside the first
        with pytest.raises(StateError, match="already running"), single_scheduler(cfg):
            pass
