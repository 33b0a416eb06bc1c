"""The `digest` command: the only place that prints and picks exit codes.

Exit codes: 0 ok, 1 the job failed, 2 usage or configuration error (including bad input files).
"""

from __future__ import annotations

import dataclasses
import os
import sqlite3
import sys
from contextlib import ExitStack
from pathlib import Path
from typing import Any

import click

from digest import __version__
from digest.cli.bounces import bounces
from digest.cli.documents import extract, summarize
from digest.cli.edit import edit
from digest.cli.editors import editors
from digest.cli.init import init
from digest.cli.logs import FORMATS, log_report, setup
from digest.cli.output import (
    EXIT_FAILED,
    EXIT_USAGE,
    Context,
    console,
    errors,
    exit_for,
    fail,
    new_table,
    now_utc,
    opened_state,
    print_problems,
    print_report,
    progress_bars,
    styled,
)
from digest.cli.scratch import scratch_copy
from digest.cli.sending import prepare, send, worker
from digest.cli.signals import stop_on_signals
from digest.cli.status import status
from digest.cli.subscribers import subscribers
from digest.errors import ConfigError, DigestError, StateError


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.option(
    "--config",
    "config",
    metavar="PATH",
    help="Config file (default: $DIGEST_CONFIG, else ./config.toml).",
)
@click.option(
    "--log-format",
    type=click.Choice(FORMATS),
    default="human",
    show_default=True,
    help="Log lines on stderr: human, or one JSON object per line (for log shippers).",
)
@click.version_option(__version__, prog_name="digest")
@click.pass_context
def cli(ctx: click.Context, config: str | None, log_format: str) -> None:
    """Build newsletter digests from feeds and pages and deliver them exactly once.

    \b
    Example:
      digest --config config.toml run
    """
    setup(log_format)
    ctx.obj = Context(config, log_format)


@cli.command(short_help="Build one edition now and send it.")
@click.option(
    "--dry-run",
    is_flag=True,
    help="Build and check the edition on a scratch copy of the state; write and send nothing.",
)
@click.option("--force", is_flag=True, help="Send even if the quality gate fails.")
@click.option("--intro", default=None, help="An editor's note shown under the masthead.")
@click.option("--weekly", is_flag=True, help="Build the weekly edition (weekly subscribers).")
@click.pass_obj
def run(obj: Context, dry_run: bool, force: bool, intro: str | None, weekly: bool) -> None:
    """Build one edition now and send it (or finish an interrupted one).

    SIGTERM or Ctrl-C stops it cleanly: the messages in flight finish and are recorded, and
    `digest send` resumes the rest.

    \b
    Example:
      digest run --dry-run
    """
    from digest import pipeline

    with ExitStack() as stack:
        cfg, note = obj.config, None
        if dry_run:
            cfg, note = stack.enter_context(scratch_copy(cfg))
        stop = stack.enter_context(stop_on_signals())
        state = stack.enter_context(opened_state(cfg))
        bars = stack.enter_context(progress_bars())
        options = pipeline.RunOptions(
            dry_run=dry_run,
            force=force,
            intro=intro,
            kind="weekly" if weekly else "daily",
            progress=bars.send,
            gather_progress=bars.gather,
            stop=stop,
        )
        report = pipeline.run(cfg, state, now_utc(), os.environ, options=options)
    if note:
        report = dataclasses.replace(report, notes=(*report.notes, note))
    print_report(report)
    log_report(report)
    exit_for(report)


@cli.command(short_help="Fetch every source and store new articles.")
@click.pass_obj
def gather(obj: Context) -> None:
    """Fetch every source, store new articles, summarize the next edition's new ones, and
    print a table of sources.

    \b
    Example:
      digest gather
    """
    from digest import pipeline

    cfg = obj.config
    settings = pipeline.stage_settings(cfg)
    with opened_state(cfg) as state, progress_bars() as bars:
        result = pipeline.gather(cfg, state, settings, now_utc(), bars.gather, os.environ)
    table = new_table("Sources", ("source", "status", "articles", "seconds", "error"))
    for source in result.statuses:
        style = {"ok": "green", "not-modified": "cyan"}.get(source.status, "red")
        table.add_row(
            source.name,
            styled(source.status, style),
            str(source.articles),
            f"{source.seconds:.2f}",
            source.error or "",
        )
    console.print(table)
    if result.statuses and all(s.status == "error" for s in result.statuses):
        sys.exit(EXIT_FAILED)


@cli.command(short_help="Build a preview of the next edition.")
@click.option(
    "--out",
    "out",
    required=True,
    type=click.Path(file_okay=False, path_type=Path),
    help="Folder for digest.html, digest.txt and sample.eml.",
)
@click.option("--intro", default=None, help="An editor's note shown under the masthead.")
@click.pass_obj
def build(obj: Context, out: Path, intro: str | None) -> None:
    """Build the next edition into a folder for an editor to look at; send nothing.

    \b
    Example:
      digest build --out build/preview --intro "A quieter week; three stories worth your time."
    """
    from digest import pipeline
    from digest.deliver import preview

    cfg = obj.config
    settings = pipeline.stage_settings(cfg)
    with opened_state(cfg) as state:
        now = now_utc()
        built, problems = pipeline.build(cfg, state, settings, now, os.environ, intro=intro)
        print_problems(problems)
        if built is None:
            console.print("nothing new to build")
            return
        secret = state.link_secret(os.environ.get("DIGEST_SECRET"))
        html, sample = preview(cfg.newsletter, built.rendered, secret, now)
    write_files(
        out,
        {
            "digest.html": html.encode(),
            "digest.txt": sample.text.encode(),
            "sample.eml": sample.raw,
        },
    )
    console.print(
        f"{len(built.digest.stories)} stories: "
        f"{out}/digest.html, {out}/digest.txt, {out}/sample.eml"
    )


def write_files(folder: Path, files: dict[str, bytes]) -> None:
    """Write each file via a temporary name so a reader never sees half a file."""
    from digest.files import write_atomic

    for name, content in files.items():
        write_atomic(folder / name, content)


@cli.command(short_help="Run editions on the cron schedule.")
@click.pass_obj
def schedule(obj: Context) -> None:
    """Run editions on the configured schedule, in the foreground (as a service).

    A firing missed while it was down (within [schedule] misfire_grace_seconds) runs at
    start, once. SIGTERM or Ctrl-C stops it cleanly (exit 0) after the messages in flight.

    \b
    Example:
      digest --log-format json schedule
    """
    from digest.schedule import run_scheduler

    cfg = obj.config
    with stop_on_signals() as stop:
        run_scheduler(cfg, os.environ, on_report=log_report, stop=stop, wait=stop.sleep)


@cli.command(short_help="Serve the editor's desk and subscriber pages.")
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option("--port", default=8000, show_default=True, type=int, help="Port to listen on.")
@click.option(
    "--workers",
    type=click.IntRange(1, 64),
    default=None,
    help="Processes serving requests (default: [web] workers, 1).",
)
@click.pass_obj
def serve(obj: Context, host: str, port: int, workers: int | None) -> None:
    """Serve the editor's desk (sign in at /login with DIGEST_EDITOR_TOKEN), the archive,
    one-click unsubscribe, preferences and the providers' webhooks.

    Without DIGEST_EDITOR_TOKEN the desk is off and only a loopback --host is accepted.

    \b
    Example:
      DIGEST_EDITOR_TOKEN=... digest serve --host 0.0.0.0 --port 8000
    """
    import uvicorn

    from digest.config import ENV_CONFIG
    from digest.web import bind_refusal, create_app, web_settings_from_table

    refusal = bind_refusal(host, os.environ)
    if refusal is not None:
        raise ConfigError(
            refusal,
            hint="set DIGEST_EDITOR_TOKEN (the desk's sign-in), or serve on 127.0.0.1 "
            "behind a reverse proxy",
        )
    cfg = obj.config
    count = workers or web_settings_from_table(cfg.table("web")).workers
    # X-Forwarded-* are read by digest itself, from [web] trusted_proxies only.
    options: dict[str, Any] = {"host": host, "port": port, "log_level": "info"}
    options.update(proxy_headers=False, server_header=False)
    if count == 1:
        uvicorn.run(create_app(cfg, os.environ), **options)
        return
    # Each worker process makes its own app from the same config file.
    os.environ[ENV_CONFIG] = str(cfg.path)
    uvicorn.run("digest.web:app_from_environment", factory=True, workers=count, **options)


@cli.command(short_help="Run the quality gate on the pending edition.")
@click.option("--links", is_flag=True, help="Also fetch every link to see that it answers.")
@click.pass_obj
def check(obj: Context, links: bool) -> None:
    """Run the pre-send quality gate on the pending edition; exit 1 on any failure.

    \b
    Example:
      digest check --links
    """
    from digest import editorial, pipeline

    cfg = obj.config
    with opened_state(cfg) as state:
        message = editorial.pending_sample(cfg, state, now_utc(), os.environ)
    if message is None:
        console.print("nothing to check: no pending edition and nothing new gathered")
        return
    results = pipeline.quality_gate(message, check_links=links)
    table = new_table(f"Quality gate: {message.subject}", ("check", "result", "detail"))
    for result in results:
        label, style = (
            ("ok", "green")
            if result.ok
            else ("warn", "yellow")
            if result.warning
            else ("FAIL", "red")
        )
        table.add_row(result.name, styled(label, style), result.detail)
    console.print(table)
    if any(not r.ok and not r.warning for r in results):
        sys.exit(EXIT_FAILED)


cli.add_command(status)
cli.add_command(subscribers)
cli.add_command(edit)
cli.add_command(editors)
cli.add_command(init)
cli.add_command(bounces)
cli.add_command(prepare)
cli.add_command(send)
cli.add_command(worker)
cli.add_command(summarize)
cli.add_command(extract)


def main() -> None:
    """Entry point: run the CLI and map the error tree to exit codes."""
    try:
        cli.main(standalone_mode=False)
    except click.exceptions.Exit as exc:
        sys.exit(exc.exit_code)
    except click.ClickException as exc:
        exc.show()
        sys.exit(EXIT_USAGE)
    except click.exceptions.Abort:
        errors.print("aborted")
        sys.exit(EXIT_FAILED)
    except DigestError as exc:
        fail(exc)
    except OSError as exc:
        # A file or folder digest could not read or write: one line naming it, not a traceback.
        where = f"{exc.filename}: " if exc.filename else ""
        fail(StateError(f"{where}{exc.strerror or exc}"))
    except sqlite3.Error as exc:
        fail(StateError(f"{_database()}: state database error: {exc}"))
    except KeyboardInterrupt:
        sys.exit(130)


def _database() -> str:
    """The configured state database, for an error that does not name it."""
    from digest.config import config_path, load_config

    try:
        return load_config(config_path(None, os.environ), os.environ).state_database
    except DigestError:
        return "the state database"
