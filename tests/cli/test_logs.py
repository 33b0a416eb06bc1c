"""Log levels that match the harm, read from the records `log_report` makes."""

from __future__ import annotations

import logging

import pytest

from digest.cli.logs import log_report
from digest.models import Problem, RunReport


def levels(caplog: pytest.LogCaptureFixture, report: RunReport) -> list[tuple[str, str]]:
    caplog.clear()
    with caplog.at_level(logging.INFO, logger="digest"):
        log_report(report)
    return [(r.levelname, getattr(r, "event", "")) for r in caplog.records]


def test_a_scheduler_job_that_could_not_run_is_an_error(
    caplog: pytest.LogCaptureFixture,
) -> None:
    """A read-only database fails the scheduler's job: an error, not a warning."""
    readonly = Problem("schedule", "tick", "var/digest.db: attempt to write a readonly database")
    report = RunReport(None, 0, 0, 0, 0, (readonly,))
    assert ("ERROR", "run.problem") in levels(caplog, report)
    feed = Problem("gather", "Example feed", "HTTP 503")
    report = RunReport("2026-11-27", 3, 3, 0, 0, (feed,))
    assert levels(caplog, report) == [("WARNING", "run.problem"), ("INFO", "run.report")]


def test_a_paused_send_is_a_warning_and_a_stopped_one_an_error(
    caplog: pytest.LogCaptureFixture,
) -> None:
    paused = RunReport("e", 3, 0, 0, 0, stopped="paused after 20 failed attempts", pending=3)
    assert levels(caplog, paused) == [("WARNING", "run.report")]
    stopped = RunReport("e", 3, 0, 0, 0, stopped="smtp: login refused", pending=3)
    assert levels(caplog, stopped) == [("ERROR", "run.report")]
