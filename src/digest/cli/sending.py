"""`digest prepare`, `digest send` and `digest worker`: the edition stored by one process,
sent by one or many.

On PostgreSQL any number of workers, on any hosts, share the pending deliveries (see
docs/deployment.md); on SQLite one sender at a time holds the send lock.
"""

from __future__ import annotations

import os

import click

from digest.cli.logs import log_report
from digest.cli.output import (
    Context,
    exit_for,
    now_utc,
    opened_state,
    print_report,
    progress_bars,
)
from digest.cli.signals import stop_on_signals


@click.command(short_help="Build and store the next edition, unsent.")
@click.option("--force", is_flag=True, help="Store it even if the quality gate fails.")
@click.option("--intro", default=None, help="An editor's note shown under the masthead.")
@click.option("--weekly", is_flag=True, help="Prepare the weekly edition (weekly subscribers).")
@click.pass_obj
def prepare(obj: Context, force: bool, intro: str | None, weekly: bool) -> None:
    """Gather, build, check and store the next edition with one pending delivery per
    recipient, and send nothing: `digest send` or `digest worker` processes send it. While
    an earlier edition still has recipients pending, nothing new is prepared.

    \b
    Example:
      digest prepare && digest worker
    """
    from digest import pipeline

    cfg = obj.config
    with stop_on_signals() as stop, opened_state(cfg) as state:
        options = pipeline.RunOptions(
            force=force,
            intro=intro,
            kind="weekly" if weekly else "daily",
            stop=stop,
            prepare_only=True,
        )
        report = pipeline.run(cfg, state, now_utc(), os.environ, options=options)
    print_report(report)
    log_report(report)
    exit_for(report)


@click.command(short_help="Send pending editions until stopped.")
@click.pass_obj
def worker(obj: Context) -> None:
    """Send whatever edition has recipients pending, then wait for the next one, until
    SIGTERM or Ctrl-C (which finish the batch in flight and exit 0). Run as many as the
    provider allows on a PostgreSQL state database: they split the queue, a dead one's
    claims pass to the others when [delivery] lease_seconds runs out, and
    [delivery] rate_per_second is their total.

    \b
    Example:
      digest --log-format json worker
    """
    from digest import dispatch

    cfg = obj.config
    from digest.state import open_state

    with stop_on_signals() as stop, opened_state(cfg) as state:
        dispatch.work(
            cfg,
            state,
            os.environ,
            now=now_utc,
            stop=stop,
            wait=stop.sleep,
            on_report=log_report,
            reopen=lambda: open_state(cfg.state_database),
        )


@click.command(short_help="Resume sending the unfinished edition.")
@click.pass_obj
def send(obj: Context) -> None:
    """Send the unfinished edition to every recipient not yet sent (resume after a crash).

    SIGTERM or Ctrl-C stops it cleanly between messages; run it again to go on.

    \b
    Example:
      digest send
    """
    from digest import dispatch

    cfg = obj.config
    with stop_on_signals() as stop, opened_state(cfg) as state, progress_bars() as bars:
        report = dispatch.send_pending(
            cfg, state, now_utc(), os.environ, progress=bars.send, stop=stop
        )
    print_report(report)
    log_report(report)
    exit_for(report)
