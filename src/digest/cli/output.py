"""What the CLI commands share: consoles, the lazily loaded config, state, progress, reports.

Only the CLI prints; the library returns data (RunReport, Problem) and this module shows it.

Both consoles have rich markup off and soft wrapping on: messages, hints, problems, notes,
subjects, feed text and paths print exactly as written, brackets included, never broken inside a
path. Colour comes from `styled` spans, never from markup in a string. Imports beyond click and
rich wait for the command that needs them, so `digest --help` starts fast.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, NoReturn

from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    ProgressColumn,
    Task,
    TaskID,
    TextColumn,
)
from rich.text import Text

from digest.cli.logs import json_lines, log_fatal
from digest.errors import ConfigError, DigestError, InputError

if TYPE_CHECKING:
    from rich.table import Table

    from digest.config import Config
    from digest.models import Problem, RunReport
    from digest.state import State

console = Console(soft_wrap=True, markup=False, highlight=False)
errors = Console(stderr=True, soft_wrap=True, markup=False, highlight=False)

EXIT_OK, EXIT_FAILED, EXIT_USAGE = 0, 1, 2


def styled(text: str, style: str) -> Text:
    """`text` shown in `style`, taken literally (no markup is parsed)."""
    return Text(text, style=style)


def new_table(title: str, columns: tuple[str, ...], *, fold: bool = True) -> Table:
    """A left-titled table that fits a terminal of 80 columns: a rule under the headers and one
    space between columns (no borders), long cells folding rather than being cut when `fold`
    is set. Headers never shrink: a column is at least as wide as its name."""
    from rich import box
    from rich.table import Table

    table = Table(
        title=title,
        title_justify="left",
        box=box.SIMPLE_HEAD,
        padding=0,  # the box draws one space between columns
        pad_edge=False,
        show_edge=False,
    )
    for column in columns:
        table.add_column(
            column, overflow="fold" if fold else "ellipsis", min_width=len(column), no_wrap=not fold
        )
    return table


class Context:
    """What every command shares: the --config value, the config loaded on first use."""

    def __init__(self, config: str | None, log_format: str = "human") -> None:
        self.explicit = config
        self.log_format = log_format
        self._config: Config | None = None

    @property
    def config(self) -> Config:
        if self._config is None:
            from digest.config import config_path, load_config

            self._config = load_config(config_path(self.explicit, os.environ), os.environ)
        return self._config


def fail(exc: DigestError) -> NoReturn:
    code = EXIT_USAGE if isinstance(exc, ConfigError | InputError) else EXIT_FAILED
    if json_lines():
        log_fatal(exc.message, exc.hint)
        sys.exit(code)
    errors.print(Text.assemble(styled("error:", "bold red"), " ", exc.message))
    if exc.hint:
        errors.print(f"  hint: {exc.hint}")
    sys.exit(code)


def now_utc() -> datetime:
    return datetime.now(UTC)


@contextmanager
def opened_state(cfg: Config) -> Iterator[State]:
    from digest.state import open_state

    state = open_state(cfg.state_database)
    try:
        yield state
    finally:
        state.close()


@dataclass
class Bars:
    """The callbacks a run reports progress to: sources gathered, messages sent."""

    gather: Callable[[int, int], None]
    send: Callable[[int, int], None]


def _quiet(done: int, total: int) -> None:
    return None


@contextmanager
def progress_bars(console: Console | None = None) -> Iterator[Bars]:
    """Live bars on a terminal (stderr): sources done / total while gathering, then messages
    sent / total with a rate. Silent when stderr is not a terminal (a service, a pipe)."""
    out = console or errors
    if not out.is_terminal:
        yield Bars(_quiet, _quiet)
        return
    with Progress(
        TextColumn("{task.description}", markup=False),
        BarColumn(),
        MofNCompleteColumn(),
        RateColumn(),
        console=out,
        transient=True,
    ) as bar:
        tasks: dict[str, TaskID] = {}

        def updater(label: str, rate: bool) -> Callable[[int, int], None]:
            def update(done: int, total: int) -> None:
                if label not in tasks:
                    tasks[label] = bar.add_task(label, total=total, rate=rate)
                bar.update(tasks[label], completed=done, total=total)

            return update

        yield Bars(updater("gathering sources", False), updater("sending", True))


class RateColumn(ProgressColumn):
    """Messages per second, on the send bar only."""

    def render(self, task: Task) -> Text:
        if not task.fields.get("rate") or task.speed is None:
            return Text("")
        return Text(f"{task.speed:,.1f} msg/s")


def print_problems(problems: tuple[Problem, ...]) -> None:
    if not problems:
        return
    table = new_table("Problems", ("stage", "item", "what happened"))
    for problem in problems:
        table.add_row(problem.stage, problem.subject, problem.message)
    errors.print(table)


def print_report(report: RunReport) -> None:
    print_problems(report.problems)
    for note in report.notes:
        console.print(note)
    if report.every_source_failed:
        errors.print(
            Text.assemble(
                styled("error:", "bold red"),
                f" every source failed ({report.sources}); see the problems above",
            )
        )
    if report.interrupted and report.edition_id is None:
        errors.print(f"stopped on {report.interrupted} before anything was stored")
    if report.edition_id is None:
        return
    if report.breakdown:
        table = new_table("Not delivered", ("status", "reason", "recipients"), fold=False)
        for status, reason, count in report.breakdown:
            table.add_row(status, reason, str(count))
        console.print(table)
    if report.stopped:
        errors.print(
            Text.assemble(
                styled("sending stopped:", "bold red"),
                f" {report.stopped}; {report.pending} recipient(s) still pending; "
                "`digest send` resumes where it stopped",
            )
        )
    if report.interrupted:
        errors.print(
            f"stopped on {report.interrupted}: {report.pending} recipient(s) still pending; "
            "`digest send` (or the scheduler's next start) resumes where it stopped"
        )
    if report.scheduled and report.next_delivery is not None:
        console.print(
            f"{report.scheduled} recipient(s) get it at their local delivery time; the next "
            f"batch is due at {report.next_delivery.isoformat()}"
        )
    if report.prepared:
        console.print(
            f"edition {report.edition_id}: {report.stories} stories, prepared for "
            f"{report.pending} recipient(s), {report.skipped} skipped; "
            "`digest send` or `digest worker` sends it"
        )
        return
    verb = "would send to" if report.dry_run else "sent to"
    console.print(
        f"edition {report.edition_id}: {report.stories} stories, {verb} "
        f"{report.sent if not report.dry_run else report.skipped} recipient(s)"
        + ("" if report.dry_run else f", {report.failed} failed, {report.skipped} skipped")
    )
    if report.outbox:
        edition = report.edition_id
        console.print(f"messages: {report.outbox}/{edition}--*.eml")
        console.print(f"open in a browser: {report.outbox}/{edition}/digest.html")


def exit_for(report: RunReport) -> None:
    """A send that stopped early, delivered to nobody it tried, or a run where every source
    failed, failed its job. A stop asked for (SIGTERM) is a clean exit: the rest resumes."""
    if report.every_source_failed or report.stopped or (report.failed and not report.sent):
        sys.exit(EXIT_FAILED)


def read_text(file: Path) -> Path:
    if not file.is_file():
        raise InputError(f"{file}: file not found")
    return file
