"""What the CLI commands share: consoles, the lazily loaded config, state, progress, reports.

Only the CLI prints; the library returns data (RunReport, Problem) and this module shows it.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import NoReturn

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn
from rich.table import Table

from digest.config import Config, config_path, load_config
from digest.errors import ConfigError, DigestError, InputError
from digest.models import Problem, RunReport
from digest.state import State, open_state

console = Console()
errors = Console(stderr=True, soft_wrap=True)

EXIT_OK, EXIT_FAILED, EXIT_USAGE = 0, 1, 2


class Context:
    """What every command shares: where the config is, loaded on first use."""

    def __init__(self, config: str | None) -> None:
        self.config_file = config_path(config, os.environ)
        self._config: Config | None = None

    @property
    def config(self) -> Config:
        if self._config is None:
            self._config = load_config(self.config_file, os.environ)
        return self._config


def fail(exc: DigestError) -> NoReturn:
    code = EXIT_USAGE if isinstance(exc, ConfigError | InputError) else EXIT_FAILED
    errors.print(f"[bold red]error:[/] {exc.message}", markup=True, highlight=False)
    if exc.hint:
        errors.print(f"  hint: {exc.hint}", highlight=False)
    sys.exit(code)


def now_utc() -> datetime:
    return datetime.now(UTC)


@contextmanager
def opened_state(cfg: Config) -> Iterator[State]:
    state = open_state(cfg.state_database)
    try:
        yield state
    finally:
        state.close()


@contextmanager
def progress_bar(label: str) -> Iterator[Callable[[int, int], None]]:
    """A rich progress bar when stderr is a terminal; silent otherwise."""
    if not errors.is_terminal:
        yield lambda done, total: None
        return
    with Progress(
        TextColumn(label), BarColumn(), MofNCompleteColumn(), console=errors, transient=True
    ) as bar:
        task = bar.add_task(label, total=None)
        yield lambda done, total: bar.update(task, completed=done, total=total)


def print_problems(problems: tuple[Problem, ...]) -> None:
    if not problems:
        return
    table = Table(title="Problems", title_justify="left")
    for column in ("stage", "item", "what happened"):
        table.add_column(column, overflow="fold")
    for problem in problems:
        table.add_row(problem.stage, problem.subject, problem.message)
    errors.print(table)


def print_report(report: RunReport) -> None:
    print_problems(report.problems)
    for note in report.notes:
        console.print(note, highlight=False)
    if report.edition_id is None:
        return
    if report.breakdown:
        table = Table(title="Not delivered", title_justify="left")
        for column in ("status", "reason", "recipients"):
            table.add_column(column)
        for status, reason, count in report.breakdown:
            table.add_row(status, reason, str(count))
        console.print(table)
    if report.stopped:
        errors.print(
            f"[bold red]sending stopped:[/] {report.stopped}; {report.pending} recipient(s) "
            "still pending; `digest send` resumes where it stopped",
            highlight=False,
        )
    verb = "would send to" if report.dry_run else "sent to"
    console.print(
        f"edition {report.edition_id}: {report.stories} stories, {verb} "
        f"{report.sent if not report.dry_run else report.skipped} recipient(s)"
        + ("" if report.dry_run else f", {report.failed} failed, {report.skipped} skipped"),
        highlight=False,
    )
    if report.outbox:
        edition = report.edition_id
        console.print(f"messages: {report.outbox}/{edition}--*.eml", highlight=False)
        console.print(f"open in a browser: {report.outbox}/{edition}/digest.html", highlight=False)


def exit_for(report: RunReport) -> None:
    """A send that stopped early, or delivered to nobody it tried, failed its job."""
    if report.stopped or (report.failed and not report.sent):
        sys.exit(EXIT_FAILED)


def read_text(file: Path) -> Path:
    if not file.is_file():
        raise InputError(f"{file}: file not found")
    return file
