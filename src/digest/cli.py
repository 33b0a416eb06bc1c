"""The `digest` command: the only place that prints and picks exit codes.

Exit codes: 0 ok, 1 the job failed, 2 usage or configuration error (including bad input files).
"""

from __future__ import annotations

import json
import os
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, NoReturn

import click
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn
from rich.table import Table

from digest import __version__
from digest.config import Config, config_path, load_config
from digest.errors import ConfigError, DigestError, InputError
from digest.files import write_atomic
from digest.models import Problem, RunReport

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
def opened_state(cfg: Config) -> Iterator[Any]:
    from digest.state import open_state

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
        console.print(f"messages: {report.outbox}/*.eml", highlight=False)
        console.print(f"open in a browser: {report.outbox}/digest.html", highlight=False)


def exit_for(report: RunReport) -> None:
    """A send that stopped early, or delivered to nobody it tried, failed its job."""
    if report.stopped or (report.failed and not report.sent):
        sys.exit(EXIT_FAILED)


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.option(
    "--config",
    "config",
    metavar="PATH",
    help="Config file (default: $DIGEST_CONFIG, else ./config.toml).",
)
@click.version_option(__version__, prog_name="digest")
@click.pass_context
def cli(ctx: click.Context, config: str | None) -> None:
    """Build newsletter digests from feeds and pages and deliver them exactly once.

    \b
    Example:
      digest --config config.toml run
    """
    ctx.obj = Context(config)


@cli.command()
@click.option(
    "--dry-run", is_flag=True, help="Build and check the edition; store and send nothing."
)
@click.option("--force", is_flag=True, help="Send even if the quality gate fails.")
@click.option("--intro", default=None, help="An editor's note shown under the masthead.")
@click.pass_obj
def run(obj: Context, dry_run: bool, force: bool, intro: str | None) -> None:
    """Build one edition now and send it (or finish an interrupted one).

    \b
    Example:
      digest run --dry-run
    """
    from digest import pipeline

    cfg = obj.config
    with opened_state(cfg) as state, progress_bar("sending") as progress:
        report = pipeline.run(
            cfg,
            state,
            now_utc(),
            os.environ,
            dry_run=dry_run,
            force=force,
            intro=intro,
            progress=progress,
        )
    print_report(report)
    exit_for(report)


@cli.command()
@click.pass_obj
def gather(obj: Context) -> None:
    """Fetch every source, store new articles, and print a table of sources.

    \b
    Example:
      digest gather
    """
    from digest import pipeline

    cfg = obj.config
    settings = pipeline.stage_settings(cfg)
    with opened_state(cfg) as state:
        result = pipeline.gather(cfg, state, settings, now_utc())
    table = Table(title="Sources", title_justify="left")
    for column in ("source", "status", "articles", "seconds", "error"):
        table.add_column(column, overflow="fold")
    for status in result.statuses:
        style = {"ok": "green", "not-modified": "cyan"}.get(status.status, "red")
        table.add_row(
            status.name,
            f"[{style}]{status.status}[/]",
            str(status.articles),
            f"{status.seconds:.2f}",
            status.error or "",
        )
    console.print(table)
    if result.statuses and all(s.status == "error" for s in result.statuses):
        sys.exit(EXIT_FAILED)


@cli.command()
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
        sample = pipeline.message_for(cfg, built.rendered, pipeline.SAMPLE_SUBSCRIBER, secret, now)
        html = pipeline.browser_html(cfg, built.rendered, secret)
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
        f"{out}/digest.html, {out}/digest.txt, {out}/sample.eml",
        highlight=False,
    )


def write_files(folder: Path, files: dict[str, bytes]) -> None:
    """Write each file via a temporary name so a reader never sees half a file."""
    for name, content in files.items():
        write_atomic(folder / name, content)


@cli.command()
@click.pass_obj
def send(obj: Context) -> None:
    """Send the unfinished edition to every recipient not yet sent (resume after a crash).

    \b
    Example:
      digest send
    """
    from digest import pipeline

    cfg = obj.config
    with opened_state(cfg) as state, progress_bar("sending") as progress:
        report = pipeline.send_pending(cfg, state, now_utc(), os.environ, progress=progress)
    print_report(report)
    exit_for(report)


@cli.command()
@click.argument("files", nargs=-1, type=click.Path(dir_okay=False, path_type=Path))
@click.option(
    "--jsonl",
    "jsonl",
    type=click.Path(dir_okay=False, path_type=Path),
    help='Read {"id","text","title"?} lines; write {"id","headline","section","key_points"}.',
)
def summarize(files: tuple[Path, ...], jsonl: Path | None) -> None:
    """Summarize articles: one JSON object per file (text, HTML or Markdown).

    \b
    Examples:
      digest summarize article.txt
      digest summarize --jsonl stories.jsonl > summaries.jsonl
    """
    from digest.summarize import summarize_document, summarize_jsonl

    if bool(files) == bool(jsonl):
        raise click.UsageError("give FILE... or --jsonl IN.jsonl (one of them)")
    if jsonl is not None:
        with read_text(jsonl).open(encoding="utf-8") as lines:
            for record in summarize_jsonl(lines, name=str(jsonl)):
                sys.stdout.write(json.dumps(record, ensure_ascii=False) + "\n")
        return
    for file in files:
        text = read_text(file).read_text(encoding="utf-8", errors="replace")
        summary = summarize_document(text, fmt=document_format(file, text))
        record = {
            "file": str(file),
            "headline": summary.headline,
            "section": summary.section,
            "key_points": list(summary.key_points),
        }
        click.echo(json.dumps(record, ensure_ascii=False))


def read_text(file: Path) -> Path:
    if not file.is_file():
        raise InputError(f"{file}: file not found")
    return file


def document_format(file: Path, text: str) -> Any:
    suffix = file.suffix.lower()
    if suffix in (".html", ".htm") or text.lstrip()[:15].lower().startswith(("<!doctype", "<html")):
        return "html"
    if suffix in (".md", ".markdown"):
        return "markdown"
    return "text"


@cli.command()
@click.argument("targets", nargs=-1, required=True)
def extract(targets: tuple[str, ...]) -> None:
    """Extract the main article of pages: JSON with title, section, published, url, text.

    \b
    Example:
      digest extract examples/sources/world-putin-call.html
    """
    from digest.gather import extract_page

    for target in targets:
        if target.startswith(("http://", "https://")):
            content, url = fetch_url(target)
        else:
            content, url = read_text(Path(target)).read_bytes(), None
        article = extract_page(content, url=url, source=target)
        record = {
            "title": article.title,
            "section": article.section,
            "published": article.published.isoformat() if article.published else None,
            "url": article.url,
            "text": article.text,
        }
        click.echo(json.dumps(record, ensure_ascii=False))


def fetch_url(url: str) -> tuple[bytes, str]:
    """One GET with the gatherer's limits (size cap, redirects, retries on transients)."""
    import asyncio

    from digest.gather import FetchSettings
    from digest.gather.fetch import Fetcher, new_client

    async def get() -> tuple[bytes, str]:
        settings = FetchSettings()
        async with new_client(settings) as client:
            fetched = await Fetcher(client, settings).fetch(url)
        return fetched.body, fetched.url

    return asyncio.run(get())


@cli.group()
def subscribers() -> None:
    """List, add, validate and unsubscribe subscribers.

    \b
    Example:
      digest subscribers list
    """


@subscribers.command("list")
@click.pass_obj
def subscribers_list(obj: Context) -> None:
    """Print every subscriber with status and sections.

    \b
    Example:
      digest subscribers list
    """
    from digest.subscribers import load_subscribers

    cfg = obj.config
    found = load_subscribers(cfg.subscribers_dir)
    with opened_state(cfg) as state:
        table = Table(title=f"Subscribers ({cfg.subscribers_dir})", title_justify="left")
        for column in ("email", "name", "sections", "status"):
            table.add_column(column)
        for sub in found.subscribers:
            status = "active" if sub.active else "unsubscribed (list)"
            if state.ledger.is_suppressed(sub.email):
                status = "suppressed"
            table.add_row(sub.email, sub.name, "; ".join(sub.sections) or "all", status)
    console.print(table)
    for duplicate in found.duplicates:
        errors.print(f"duplicate: {duplicate}", highlight=False)


@subscribers.command("validate")
@click.pass_obj
def subscribers_validate(obj: Context) -> None:
    """Check every list; exit 2 naming file and line of the first bad row.

    \b
    Example:
      digest subscribers validate
    """
    from digest.subscribers import load_subscribers

    found = load_subscribers(obj.config.subscribers_dir)
    for duplicate in found.duplicates:
        errors.print(f"duplicate: {duplicate}", highlight=False)
    console.print(f"{len(found.active)} active of {len(found.subscribers)} subscribers: ok")


@subscribers.command("add")
@click.argument("email")
@click.option("--name", default="", help="Display name used in the greeting.")
@click.option("--sections", default="", help="Sections to receive, ';'-separated (default all).")
@click.option("--list", "list_name", default="subscribers.csv", help="CSV file in the folder.")
@click.pass_obj
def subscribers_add(obj: Context, email: str, name: str, sections: str, list_name: str) -> None:
    """Add a subscriber to a list (written atomically).

    \b
    Example:
      digest subscribers add ada@example.com --name "Ada" --sections "World;Science"
    """
    from digest.models import Subscriber
    from digest.subscribers import append_subscriber, load_subscribers, normalise_address

    cfg = obj.config
    address = normalise_address(email, "EMAIL")
    has_lists = cfg.subscribers_dir.is_dir() and any(cfg.subscribers_dir.glob("*.csv"))
    if has_lists and load_subscribers(cfg.subscribers_dir).find(address):
        raise InputError(f"{address} is already subscribed")
    chosen = tuple(s.strip() for s in sections.split(";") if s.strip())
    append_subscriber(cfg.subscribers_dir / list_name, Subscriber(address, name, chosen))
    console.print(f"added {address} to {cfg.subscribers_dir / list_name}", highlight=False)


@subscribers.command("unsubscribe")
@click.argument("email")
@click.pass_obj
def subscribers_unsubscribe(obj: Context, email: str) -> None:
    """Unsubscribe an address now (kept in the state, so no list import can undo it).

    \b
    Example:
      digest subscribers unsubscribe ada@example.com
    """
    from digest.subscribers import normalise_address

    address = normalise_address(email, "EMAIL")
    with opened_state(obj.config) as state:
        state.ledger.suppress(address, "unsubscribed")
    console.print(f"unsubscribed {address}", highlight=False)


@cli.command()
@click.pass_obj
def schedule(obj: Context) -> None:
    """Run editions on the configured cron schedule, in the foreground (as a service).

    \b
    Example:
      digest schedule
    """
    from digest.schedule import run_scheduler

    cfg = obj.config
    console.print(
        f"scheduling '{cfg.schedule.cron}' ({cfg.schedule.timezone}); Ctrl-C to stop",
        highlight=False,
    )
    run_scheduler(cfg, os.environ, on_report=print_report)


@cli.command()
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option("--port", default=8000, show_default=True, type=int, help="Port to listen on.")
@click.pass_obj
def serve(obj: Context, host: str, port: int) -> None:
    """Serve the editor preview, the archive and one-click unsubscribe.

    \b
    Example:
      digest serve --host 127.0.0.1 --port 8000
    """
    import uvicorn

    from digest.web import create_app

    uvicorn.run(create_app(obj.config, os.environ), host=host, port=port, log_level="info")


@cli.command()
@click.pass_obj
def status(obj: Context) -> None:
    """Show recent editions with their delivery counts.

    \b
    Example:
      digest status
    """
    cfg = obj.config
    with opened_state(cfg) as state:
        table = Table(title="Editions", title_justify="left")
        for column in ("edition", "created", "stories", "status", "sent", "failed", "pending"):
            table.add_column(column)
        for record in state.editions.recent(20):
            counts = state.ledger.counts(record.id)
            table.add_row(
                record.id,
                record.created.strftime("%Y-%m-%d %H:%M"),
                str(record.stories),
                record.status,
                str(counts.get("sent", 0)),
                str(counts.get("failed", 0)),
                str(counts.get("pending", 0)),
            )
    console.print(table)
    console.print(f"sources: {len(cfg.sources)}; provider: {cfg.provider}", highlight=False)


@cli.command()
@click.option("--links", is_flag=True, help="Also fetch every link to see that it answers.")
@click.pass_obj
def check(obj: Context, links: bool) -> None:
    """Run the pre-send quality gate on the pending edition; exit 1 on any failure.

    \b
    Example:
      digest check --links
    """
    from digest import pipeline

    cfg = obj.config
    with opened_state(cfg) as state:
        message = pipeline.pending_sample(cfg, state, now_utc(), os.environ)
    if message is None:
        console.print("nothing to check: no pending edition and nothing new gathered")
        return
    results = pipeline.quality_gate(message, check_links=links)
    table = Table(title=f"Quality gate: {message.subject}", title_justify="left")
    for column in ("check", "result", "detail"):
        table.add_column(column, overflow="fold")
    for result in results:
        mark = (
            "[green]ok[/]" if result.ok else "[yellow]warn[/]" if result.warning else "[red]FAIL[/]"
        )
        table.add_row(result.name, mark, result.detail)
    console.print(table)
    if any(not r.ok and not r.warning for r in results):
        sys.exit(EXIT_FAILED)


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
    except KeyboardInterrupt:
        sys.exit(130)


if __name__ == "__main__":
    main()
