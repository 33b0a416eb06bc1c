"""`digest subscribers ...`: the list in the state database, its CSV imports and its history."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import click

from digest.cli.output import Context, console, errors, new_table, now_utc, opened_state

if TYPE_CHECKING:
    from rich.table import Table

    from digest.state import State, SubscriberRecord
    from digest.subscribers import ImportReport

STATUS_CHOICES = ("active", "pending", "unsubscribed", "bounced", "complained")


@click.group(short_help="List, add, import and remove subscribers.")
def subscribers() -> None:
    """List, add, import, export, unsubscribe and forget subscribers.

    The list lives in the state database; CSV files in the subscribers folder are imported
    by every `digest run`, and people sign up on the web (`digest serve`, /subscribe).

    \b
    Example:
      digest subscribers list --status unsubscribed
    """


def status_label(state: State, record: SubscriberRecord) -> str:
    """The status as an operator reads it: paused, and suppressed by the delivery ledger."""
    now = now_utc()
    label = record.status
    if record.paused(now) and record.paused_until is not None:
        label += f" (paused until {record.paused_until:%Y-%m-%d})"
    if state.ledger.is_suppressed(record.email):
        label += " (suppressed)"
    return label


def wide_print(table: Table) -> None:
    """Print a table; piped into a file or a program, rows stay whole lines (a terminal's
    width folds them, the 80 columns rich assumes elsewhere would cut addresses)."""
    if console.is_terminal:
        console.print(table)
        return
    from rich.console import Console

    Console(width=250, markup=False, highlight=False).print(table)


def print_import(report: ImportReport, what: str) -> None:
    for message in report.merged:
        errors.print(f"duplicate: {message}")
    if report.merged_count > len(report.merged):
        errors.print(f"duplicate: ... and {report.merged_count - len(report.merged)} more")
    notes = [
        f"{report.added} added",
        f"{report.updated} updated",
        f"{report.unchanged} unchanged",
    ]
    if report.kept_inactive:
        notes.append(f"{report.kept_inactive} stay unsubscribed or suppressed")
    if report.deactivated:
        notes.append(f"{report.deactivated} marked inactive by the file")
    if report.removed:
        notes.append(f"{report.removed} not in the file: unsubscribed")
    if report.forgotten:
        notes.append(f"{report.forgotten} forgotten address(es) not re-added")
    if report.merged_count:
        notes.append(f"{report.merged_count} duplicate row(s) merged")
    console.print(f"imported {report.rows} subscriber(s) from {what}: " + "; ".join(notes))


@subscribers.command("list", short_help="List subscribers with status and sections.")
@click.option("--status", type=click.Choice(STATUS_CHOICES), default=None, help="Only this status.")
@click.pass_obj
def subscribers_list(obj: Context, status: str | None) -> None:
    """Print the stored list: status, sections, frequency; reason and date for inactive ones.

    \b
    Example:
      digest subscribers list --status bounced
    """
    from rich.table import Table

    from digest.subscribers import describe_sections

    cfg = obj.config
    with opened_state(cfg) as state:
        # Addresses are never cut or folded (an operator copies them); other columns fold.
        table = Table(
            title="Subscribers" + (f" ({status})" if status else ""), title_justify="left"
        )
        table.add_column("email", no_wrap=True, overflow="ignore")
        for column in ("name", "sections", "frequency", "status", "since", "reason"):
            table.add_column(column)
        for record in state.subscribers.iterate(status):
            inactive = record.status != "active"
            table.add_row(
                record.email,
                record.name,
                describe_sections(record.sections),
                record.frequency,
                status_label(state, record),
                record.status_changed.strftime("%Y-%m-%d") if inactive else "",
                (record.status_reason or "") if inactive else "",
            )
        counts = state.subscribers.counts()
    wide_print(table)
    console.print(", ".join(f"{count} {name}" for name, count in counts.items()))


@subscribers.command("validate", short_help="Check every list; exit 2 on a bad row.")
@click.argument("files", nargs=-1, type=click.Path(dir_okay=False, path_type=Path))
@click.pass_obj
def subscribers_validate(obj: Context, files: tuple[Path, ...]) -> None:
    """Check CSV lists (default: the subscribers folder) without importing anything; exit 2
    naming file and line of the first bad row.

    \b
    Example:
      digest subscribers validate
    """
    from digest.errors import InputError
    from digest.subscribers import csv_files, validate_files

    chosen = list(files) or csv_files(obj.config.subscribers_dir)
    seen: dict[str, str] = {}
    rows = active = 0
    for row in validate_files(chosen):
        key = row.email.lower()
        if key in seen:
            errors.print(f"duplicate: {row.where}: {row.email} merged with {seen[key]}")
            continue
        seen[key] = row.where
        rows += 1
        active += row.status == "active"
    if not rows and files:
        raise InputError(f"{chosen[0]}: the list holds no subscribers")
    console.print(f"{active} active of {rows} subscribers in {len(chosen)} file(s): ok")


@subscribers.command("add", short_help="Add a subscriber (active at once).")
@click.argument("email")
@click.option("--name", default="", help="Display name used in the greeting.")
@click.option("--sections", default="", help="Sections to receive, ';'-separated (default all).")
@click.option("--frequency", type=click.Choice(("daily", "weekly")), default="daily")
@click.option("--timezone", default="", help="IANA time zone, e.g. Europe/Paris.")
@click.option("--list", "list_name", default="operator", help="List the subscriber belongs to.")
@click.pass_obj
def subscribers_add(
    obj: Context,
    email: str,
    name: str,
    sections: str,
    frequency: str,
    timezone: str,
    list_name: str,
) -> None:
    """Add someone who agreed to receive the newsletter (no confirmation email).

    Refused for an address that unsubscribed, bounced or complained: only their own
    confirmed sign-up brings them back.

    \b
    Example:
      digest subscribers add ada@example.com --name "Ada" --sections "World;Science"
    """
    from digest.subscribers import add_subscriber, check_timezone, normalise_address

    address = normalise_address(email, "EMAIL")
    chosen = tuple(s.strip() for s in sections.split(";") if s.strip())
    zone = check_timezone(timezone.strip(), "--timezone")
    with opened_state(obj.config) as state:
        add_subscriber(
            state,
            address,
            name=" ".join(name.split()),
            sections=chosen,
            frequency=frequency,
            timezone=zone,
            origin=list_name,
            now=now_utc(),
        )
    console.print(f"added {address} (active)")


@subscribers.command("unsubscribe", short_help="Unsubscribe an address now.")
@click.argument("email")
@click.pass_obj
def subscribers_unsubscribe(obj: Context, email: str) -> None:
    """Unsubscribe an address now; no import can re-activate it.

    \b
    Example:
      digest subscribers unsubscribe ada@example.com
    """
    from digest.subscribers import normalise_address, unsubscribe

    address = normalise_address(email, "EMAIL")
    with opened_state(obj.config) as state:
        changed = unsubscribe(state, address, source="operator", now=now_utc())
    console.print(f"unsubscribed {address}" if changed else f"{address} was already unsubscribed")


@subscribers.command("import", short_help="Validate and import a CSV list.")
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--as", "name", default=None, help="List name (default: FILE's name).")
@click.option(
    "--replace", is_flag=True, help="The file's values win; who is not in it is unsubscribed."
)
@click.pass_obj
def subscribers_import(obj: Context, file: Path, name: str | None, replace: bool) -> None:
    """Import a CSV list into the stored list; nothing changes when any row is bad.

    New addresses are added, changed rows update their subscriber, duplicates (in any
    letter case) are merged and reported. Nobody who unsubscribed, bounced or complained is
    re-activated. With --replace the file's values overwrite choices made on the preferences
    page, and active subscribers of this list who are not in the file are unsubscribed.

    \b
    Example:
      digest subscribers import export.csv --as members.csv
    """
    from digest.subscribers import import_file, subscriber_settings_from_table

    cfg = obj.config
    subscriber_settings_from_table(cfg.table("subscribers"))
    with opened_state(cfg) as state:
        report = import_file(state, file, now=now_utc(), origin=name, replace=replace)
    print_import(report, str(file))


@subscribers.command("export", short_help="Write the list to a CSV file.")
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--status", type=click.Choice(STATUS_CHOICES), default=None, help="Only this status.")
@click.pass_obj
def subscribers_export(obj: Context, file: Path, status: str | None) -> None:
    """Write the stored list as CSV (every status); `import` reads it back unchanged.

    \b
    Example:
      digest subscribers export backup.csv
    """
    from digest.subscribers import export_file

    with opened_state(obj.config) as state:
        count = export_file(state, file, status)
    console.print(f"exported {count} subscriber(s) to {file}")


@subscribers.command("remove", short_help="Forget a person: delete their data.")
@click.argument("email")
@click.pass_obj
def subscribers_remove(obj: Context, email: str) -> None:
    """Forget a person: delete their row, history, deliveries and suppression; keep only a
    keyed hash of the address so a later import cannot re-add them silently.

    \b
    Example:
      digest subscribers remove ada@example.com
    """
    from digest.errors import InputError
    from digest.subscribers import forget, normalise_address

    address = normalise_address(email, "EMAIL")
    with opened_state(obj.config) as state:
        removed = forget(state, address, now=now_utc())
    if removed is None:
        raise InputError(f"{address}: not on the list, nothing to forget")
    console.print(
        f"forgot {address}: {removed} row(s) deleted; a hash is kept so imports skip it "
        "(remove it from your CSV files too)"
    )


@subscribers.command("show", short_help="Show one subscriber and their history.")
@click.argument("email")
@click.pass_obj
def subscribers_show(obj: Context, email: str) -> None:
    """Print one subscriber's details and every change to them, oldest first.

    \b
    Example:
      digest subscribers show ada@example.com
    """
    from digest.errors import InputError
    from digest.subscribers import describe_sections, normalise_address

    address = normalise_address(email, "EMAIL")
    with opened_state(obj.config) as state:
        record = state.subscribers.get(address)
        if record is None:
            raise InputError(f"{address}: not on the list")
        history = state.events.history(record.id)
        status = status_label(state, record)
    console.print(f"{record.email}  {record.name}".rstrip())
    console.print(f"status: {status} since {record.status_changed:%Y-%m-%d %H:%M}")
    if record.status_reason:
        console.print(f"reason: {record.status_reason}")
    console.print(f"sections: {describe_sections(record.sections)}; frequency: {record.frequency}")
    zone = record.timezone or "the newsletter's"
    console.print(f"time zone: {zone}; list: {record.origin}")
    confirmed = f"{record.confirmed:%Y-%m-%d %H:%M}" if record.confirmed else "not yet"
    console.print(f"created: {record.created:%Y-%m-%d %H:%M}; confirmed: {confirmed}")
    table = new_table("History", ("when", "source", "what", "detail"))
    for event in history:
        table.add_row(f"{event.at:%Y-%m-%d %H:%M}", event.source, event.action, event.detail)
    wide_print(table)
