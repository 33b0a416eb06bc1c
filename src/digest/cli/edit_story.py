"""`digest edit subject|headline|points|move`: the editor's rewrites and placing of stories,
in the store the editor's desk shares (registered on the `digest edit` group)."""

from __future__ import annotations

import os
from typing import TYPE_CHECKING

import click

from digest.cli.output import Context, console, now_utc, opened_state
from digest.errors import InputError

if TYPE_CHECKING:
    from digest.state import State


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
    with opened_state(obj.config) as state:
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
    with opened_state(cfg) as state:
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
    with opened_state(cfg) as state:
        key = known_key(state, cfg.newsletter.lookback_hours, url)
        built, _ = editorial.next_edition(cfg, state, now_utc(), os.environ)
        if built is None:
            raise InputError("nothing to move: no articles wait for the next edition")
        place = editorial.PLACES[where]
        if not editorial.move(state, built.digest, key, place, now_utc()):
            console.print(f"{url} cannot move {where} from where it is")
            return
        after, _ = editorial.next_edition(cfg, state, now_utc(), os.environ)
    console.print(f"moved {where}: {url}")
    if after is not None:
        console.print(f"subject: {after.digest.subject}")
