"""`digest subscribers ...`: list, validate, add, import and unsubscribe."""

from __future__ import annotations

from pathlib import Path

import click

from digest.cli.output import Context, console, errors, new_table, opened_state
from digest.errors import InputError


@click.group(short_help="List, add, import and remove subscribers.")
def subscribers() -> None:
    """List, add, import, validate and unsubscribe subscribers.

    \b
    Example:
      digest subscribers list
    """


@subscribers.command("list", short_help="List subscribers with status and sections.")
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
        table = new_table(
            f"Subscribers ({cfg.subscribers_dir})",
            ("email", "name", "sections", "status"),
            fold=False,
        )
        for sub in found.subscribers:
            status = "active" if sub.active else "unsubscribed (list)"
            if state.ledger.is_suppressed(sub.email):
                status = "suppressed"
            table.add_row(sub.email, sub.name, "; ".join(sub.sections) or "all", status)
    console.print(table)
    for duplicate in found.duplicates:
        errors.print(f"duplicate: {duplicate}")


@subscribers.command("validate", short_help="Check every list; exit 2 on a bad row.")
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
        errors.print(f"duplicate: {duplicate}")
    console.print(f"{len(found.active)} active of {len(found.subscribers)} subscribers: ok")


@subscribers.command("add", short_help="Add a subscriber to a list.")
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
    console.print(f"added {address} to {cfg.subscribers_dir / list_name}")


@subscribers.command("unsubscribe", short_help="Unsubscribe an address now.")
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
    console.print(f"unsubscribed {address}")


@subscribers.command("import", short_help="Validate and import a CSV list.")
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--as", "name", default=None, help="List name in the folder (default: FILE's name).")
@click.pass_obj
def subscribers_import(obj: Context, file: Path, name: str | None) -> None:
    """Validate a CSV list and copy it into the subscribers folder, replacing a list of that name.

    Nothing is written when any row is bad. Addresses unsubscribed by link stay unsubscribed.

    \b
    Example:
      digest subscribers import export.csv --as members.csv
    """
    from digest.subscribers import import_list

    cfg = obj.config
    rows = import_list(file, cfg.subscribers_dir, name)
    with opened_state(cfg) as state:
        suppressed = sum(1 for s in rows if state.ledger.is_suppressed(s.email))
    console.print(
        f"imported {len(rows)} subscriber(s) into {cfg.subscribers_dir / (name or file.name)}"
        + (f"; {suppressed} stay unsubscribed or suppressed" if suppressed else "")
    )
