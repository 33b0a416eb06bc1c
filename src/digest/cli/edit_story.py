"""`digest edit subject|headline|points|move`: the editor's rewrites and placing of stories,
in the store the editor's desk shares (registered on the `digest edit` group).

Every change `digest edit` makes is a versioned change of the edition, as the desk's are
(`changed`): it bumps the edition's version and is logged with who made it, so a desk page
loaded before it is checked against it (and refused when its change does not commute).
"""

from __future__ import annotations

import getpass
import os
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import TYPE_CHECKING

import click

from digest.cli.output import Context, console, now_utc, opened_state
from digest.errors import InputError

if TYPE_CHECKING:
    from digest.state import State


def who(name: str | None = None) -> str:
    """The name a change records: --by, else this account's login name."""
    if name and name.strip():
        return " ".join(name.split())
    try:
        return getpass.getuser()
    except (KeyError, OSError):
        return "command line"


@dataclass
class Step:
    """The change a `changed` block makes: the version it is made on; `made` False when the
    block found nothing to change (no version is spent on it)."""

    version: int
    made: bool = True


@contextmanager
def changed(
    state: State, op: str, target: str, summary: str, *, by: str | None = None, kind: str = "daily"
) -> Iterator[Step]:
    """The block's change as one versioned change of the next edition of `kind`: the
    edition's row held, the change made, the version bumped and logged, in one transaction.
    `op` and `target` name it as the desk's changes do (`digest.web.desk_changes`):
    "place:URL", "words:URL", "subject", "intro", "decision"."""
    with state.db.transaction():
        step = Step(state.versions.begin(kind))
        yield step
        if step.made:
            state.versions.record(op, target, who(by), summary, now_utc(), kind)


def known_key(state: State, lookback_hours: int, url: str) -> str:
    """The URL must name an article waiting for the next edition."""
    if not state.articles.is_waiting(url, now_utc(), lookback_hours):
        raise InputError(
            f"{url}: not an article waiting for the next edition",
            hint="`digest edit show` lists them (run `digest gather` first)",
        )
    return url


@click.command("subject", short_help="Set the subject line of the next edition.")
@click.argument("text", required=False)
@click.option("--clear", is_flag=True, help="Go back to the automatic subject.")
@click.pass_obj
def edit_subject(obj: Context, text: str | None, clear: bool) -> None:
    """Set the subject line of the next edition instead of the one its lead story makes.

    \b
    Example:
      digest edit subject "Cables, lithium and a lock that opens itself"
    """
    from digest import editorial

    if bool(text) == clear:
        raise click.UsageError("give TEXT or --clear (one of them)")
    done = "subject is automatic again" if clear else f"Subject set: {text}"
    with opened_state(obj.config) as state, changed(state, "subject", "subject", done):
        editorial.set_subject(state, "" if clear else str(text), now_utc())
    console.print("subject is automatic again" if clear else "subject set")


@click.command("headline", short_help="Rewrite a story's headline.")
@click.argument("url")
@click.argument("text", required=False)
@click.option("--clear", is_flag=True, help="Go back to the summarizer's headline.")
@click.pass_obj
def edit_headline(obj: Context, url: str, text: str | None, clear: bool) -> None:
    """Rewrite the headline of a story of the next edition (its key points stay).

    \b
    Example:
      digest edit headline https://tech.example.net/2026/smart-lock-flaw "Smart locks open"
    """
    if bool(text) == clear:
        raise click.UsageError("give TEXT or --clear (one of them)")
    rewrite(obj, url, headline="" if clear else text, points=None)


@click.command("points", short_help="Rewrite a story's key points.")
@click.argument("url")
@click.argument("points", nargs=-1)
@click.option("--clear", is_flag=True, help="Go back to the summarizer's key points.")
@click.pass_obj
def edit_points(obj: Context, url: str, points: tuple[str, ...], clear: bool) -> None:
    """Rewrite the key points of a story of the next edition, one argument each.

    \b
    Example:
      digest edit points https://tech.example.net/2026/smart-lock-flaw "Update now."
    """
    if bool(points) == clear:
        raise click.UsageError("give POINTS or --clear (one of them)")
    rewrite(obj, url, headline=None, points=() if clear else points)


def rewrite(
    obj: Context, url: str, *, headline: str | None, points: tuple[str, ...] | None
) -> None:
    """Change one part of a story's rewrite (None keeps that part as it was; "" and () go
    back to the summarizer's)."""
    from digest import editorial

    cfg = obj.config
    action = "reset" if headline == "" and points == () else "save"
    with opened_state(cfg) as state, changed(state, action, f"words:{url}", f"Rewrote {url}"):
        key = known_key(state, cfg.newsletter.lookback_hours, url)
        kept = state.editorial.story_edits().get(key)
        if headline is None:
            headline = (kept.headline if kept else None) or ""
        if points is None:
            points = (kept.key_points if kept else None) or ()
        editorial.rewrite(state, key, headline, list(points), now_utc())
    console.print(f"rewritten: {url}")


@click.command("move", short_help="Give a story its place in the next edition.")
@click.argument("url")
@click.argument("where", type=click.Choice(["top", "up", "down"]))
@click.pass_obj
def edit_move(obj: Context, url: str, where: str) -> None:
    """Move a story of the next edition: "top" makes it the lead (and the subject's story),
    "up" and "down" move it within its section.

    \b
    Example:
      digest edit move https://tech.example.net/2026/smart-lock-flaw top
    """
    from digest import editorial

    cfg = obj.config
    summary = f"Moved {url} {where}"
    with opened_state(cfg) as state, changed(state, where, f"place:{url}", summary) as step:
        key = known_key(state, cfg.newsletter.lookback_hours, url)
        built, _ = editorial.next_edition(cfg, state, now_utc(), os.environ)
        if built is None:
            raise InputError("nothing to move: no articles wait for the next edition")
        place = editorial.PLACES[where]
        if not editorial.move(state, built.digest, key, place, now_utc()):
            step.made = False
            console.print(f"{url} cannot move {where} from where it is")
            return
        after, _ = editorial.next_edition(cfg, state, now_utc(), os.environ)
    console.print(f"moved {where}: {url}")
    if after is not None:
        console.print(f"subject: {after.digest.subject}")
