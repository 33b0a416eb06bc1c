"""Log lines: human ones by default, `--log-format json` (one object per line) for shippers.

Every JSON line has time (UTC, ISO 8601), level, event, edition and counts, plus the message;
a human line is `time level event message`. Library code logs with `extra={"event": ...,
"edition": ..., "counts": {...}}`; a record without them is event "log". The JSON formatter
is written here rather than taken from python-json-logger: the five fields are our schema
either way, and the mapping is a few lines.
"""

from __future__ import annotations

import json
import logging
import sys
from datetime import UTC, datetime
from typing import Any

from digest.models import RunReport

FORMATS = ("human", "json")
log = logging.getLogger("digest.run")
_chosen = {"format": "human"}  # what `setup` was given: fatal errors follow it too


def _fields(record: logging.LogRecord) -> dict[str, Any]:
    return {
        "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="seconds"),
        "level": record.levelname.lower(),
        "event": getattr(record, "event", "log"),
        "edition": getattr(record, "edition", None),
        "counts": getattr(record, "counts", None) or {},
        "message": record.getMessage(),
    }


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        return json.dumps(_fields(record), ensure_ascii=False)


class HumanFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        fields = _fields(record)
        counts = " ".join(f"{k}={v}" for k, v in fields["counts"].items())
        tail = f" ({counts})" if counts else ""
        return f"{fields['time']} {fields['level']} {fields['event']} {fields['message']}{tail}"


def setup(fmt: str) -> None:
    """Send digest's log records (and APScheduler's errors) to stderr in `fmt`."""
    _chosen["format"] = fmt
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(JsonFormatter() if fmt == "json" else HumanFormatter())
    for name, level in (("digest", logging.INFO), ("apscheduler", logging.ERROR)):
        logger = logging.getLogger(name)
        logger.handlers[:] = [handler]
        logger.setLevel(level)
        logger.propagate = False


def json_lines() -> bool:
    """True under `--log-format json`: every line on stderr is then a JSON object."""
    return _chosen["format"] == "json"


def log_fatal(message: str, hint: str | None) -> None:
    """The error that ends the command, as one JSON line (event "run.error")."""
    text = f"{message} (hint: {hint})" if hint else message
    log.error(text, extra={"event": "run.error", "edition": None})


def report_counts(report: RunReport) -> dict[str, int]:
    if report.dry_run:  # nothing was sent or skipped: it says whom it would send to
        return {
            "stories": report.stories,
            "would_send": report.skipped,
            "problems": len(report.problems),
        }
    counts = {
        "stories": report.stories,
        "sent": report.sent,
        "failed": report.failed,
        "skipped": report.skipped,
        "pending": report.pending,
        "problems": len(report.problems),
    }
    if report.scheduled:
        counts["scheduled"] = report.scheduled
    if report.sources:
        counts["sources"] = report.sources
        counts["sources_failed"] = report.sources_failed
    return counts


def log_report(report: RunReport) -> None:
    """One line for the end of a run: what it did, and why it stopped if it did."""
    if report.edition_id is None:
        what = "; ".join(report.notes) or "nothing sent"
    elif report.prepared:
        what = f"{report.kind} edition {report.edition_id}: prepared for {report.pending}"
    elif report.dry_run:
        what = f"{report.kind} edition {report.edition_id}: dry run, would send to {report.skipped}"
    else:
        what = f"{report.kind} edition {report.edition_id}: sent {report.sent}"
    level = logging.INFO
    if report.interrupted:
        what += f"; stopped on {report.interrupted}, the rest resumes on the next start"
    if report.stopped:
        # A pause (relay trouble, retried later) is a warning; a send that cannot go on is an error.
        paused = report.stopped.startswith("paused")
        what = f"{what}; sending {'paused' if paused else 'stopped'}: {report.stopped}"
        level = logging.WARNING if paused else logging.ERROR
    if report.every_source_failed:
        what, level = f"{what}; every source failed", logging.ERROR
    for problem in report.problems:
        # One feed or address failing is a warning; a scheduler job that could not run at all
        # (the database read-only or gone, the disk full) is an error an operator must see.
        harm = logging.ERROR if problem.stage == "schedule" else logging.WARNING
        log.log(
            harm,
            f"{problem.stage}: {problem.subject}: {problem.message}",
            extra={"event": "run.problem", "edition": report.edition_id},
        )
    log.log(
        level,
        what,
        extra={
            "event": "run.report",
            "edition": report.edition_id,
            "counts": report_counts(report),
        },
    )
