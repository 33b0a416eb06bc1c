"""`digest edit ...`: an editor's choices for the next edition, and a test send to oneself.

The same store as the editor's desk in `digest serve`: a story dropped, pinned, placed or
rewritten here shows on the desk, and the other way round.
"""

from __future__ import annotations

import os
from typing import TYPE_CHECKING

import click

from digest.cli.edit_story import (
    changed,
    edit_headline,
    edit_move,
    edit_points,
    edit_subject,
    known_key,
    who,
)
from digest.cli.output import Context, console, now_utc, opened_state

if TYPE_CHECKING:
    from digest.models import Digest
    from digest.state import Action


@click.group(short_help="Curate, test and approve the next edition.")
def edit() -> None:
    """Pin, drop, move or rewrite stories, set the subject and intro, send yourself a test of
    the next edition, approve or hold it. The editor's desk (`digest serve`) shares all of it.

    \b
    Example:
      digest edit show
    """


@edit.command("show", short_help="List articles waiting for the next edition.")
@click.pass_obj
def edit_show(obj: Context) -> None:
    """List the articles waiting for the next edition with the editor's choices.

    \b
    Example:
      digest edit show
    """
    cfg = obj.config
    with opened_state(cfg) as state:
        articles = state.articles.unsent(now_utc(), cfg.newsletter.lookback_hours)
        choices = state.editorial.actions()
        edits = state.editorial.story_edits()
        places = state.editorial.order()
        intro = state.editorial.intro()
        subject = state.editorial.subject()
    # One URL per line (the console never wraps), so it can be copied into `digest edit pin URL`.
    console.print(f"{len(articles)} article(s) waiting for the next edition:")
    for article in sorted(articles, key=lambda a: places.get(a.key, len(places))):
        choice = choices.get(article.key, "-")
        place = f" (place {places[article.key] + 1})" if article.key in places else ""
        console.print(f"{choice:<5} {article.key}{place}")
        console.print(f"      {article.section or 'no section'} · {article.title}")
        rewrite = edits.get(article.key)
        if rewrite is not None and rewrite.headline is not None:
            console.print(f"      headline: {rewrite.headline}")
        if rewrite is not None and rewrite.key_points is not None:
            console.print(f"      key points: {len(rewrite.key_points)} rewritten")
    console.print(f"subject: {subject or '(automatic)'}")
    console.print(f"intro: {intro or '(none)'}")


def choose(obj: Context, url: str, action: Action | None) -> None:
    cfg = obj.config
    op = action or "restore"
    with opened_state(cfg) as state, changed(state, op, f"place:{url}", f"{op}: {url}"):
        key = known_key(state, cfg.newsletter.lookback_hours, url)
        state.editorial.choose(key, action, now_utc())
    console.print(f"{action or 'reset'}: {url}")


@edit.command("pin", short_help="Put a story at the top of the next edition.")
@click.argument("url")
@click.pass_obj
def edit_pin(obj: Context, url: str) -> None:
    """Put a story at the top of the next edition, whatever the cap.

    \b
    Example:
      digest edit pin https://news.example.org/world/baltic-undersea-cables
    """
    choose(obj, url, "pin")


@edit.command("drop", short_help="Leave a story out of the next edition.")
@click.argument("url")
@click.pass_obj
def edit_drop(obj: Context, url: str) -> None:
    """Leave a story out of the next edition.

    \b
    Example:
      digest edit drop https://tech.example.net/2026/smart-lock-flaw
    """
    choose(obj, url, "drop")


@edit.command("reset", short_help="Forget a pin or drop.")
@click.argument("url")
@click.pass_obj
def edit_reset(obj: Context, url: str) -> None:
    """Forget a pin or drop.

    \b
    Example:
      digest edit reset https://tech.example.net/2026/smart-lock-flaw
    """
    choose(obj, url, None)


@edit.command("intro", short_help="Set the editor's note of the next edition.")
@click.argument("text", required=False)
@click.option("--clear", is_flag=True, help="Remove the intro.")
@click.pass_obj
def edit_intro(obj: Context, text: str | None, clear: bool) -> None:
    """Set the editor's note shown under the masthead of the next edition.

    \b
    Example:
      digest edit intro "Three stories worth your time this morning."
    """
    if bool(text) == clear:
        raise click.UsageError("give TEXT or --clear (one of them)")
    done = "Intro removed" if clear else "Intro set"
    with opened_state(obj.config) as state, changed(state, "intro", "intro", done):
        state.editorial.set_intro(None if clear else text, now_utc())
    console.print("intro cleared" if clear else "intro set")


def decide(obj: Context, decision: str, weekly: bool, by: str | None) -> Digest | None:
    """Approve or hold the next edition, as a versioned change naming the version decided on;
    None when there is nothing to decide (no version spent)."""
    from digest import editorial

    decisions = {"approve": (editorial.approve, "Approved"), "hold": (editorial.hold, "Held")}
    act, said = decisions[decision]
    kind = "weekly" if weekly else "daily"
    with (
        opened_state(obj.config) as state,
        changed(state, decision, "decision", said, by=by, kind=kind) as step,
    ):
        digest = act(
            obj.config, state, now_utc(), os.environ, kind, editor=who(by), version=step.version
        )
        step.made = digest is not None
    return digest


@edit.command("approve", short_help="Approve the next edition as it stands.")
@click.option("--weekly", is_flag=True, help="Approve the next weekly edition instead.")
@click.option("--by", "by", metavar="NAME", help="Who approves (default: your login name).")
@click.pass_obj
def edit_approve(obj: Context, weekly: bool, by: str | None) -> None:
    """Approve the next edition exactly as it stands (with [schedule] require_approval).

    Any later change (a new article, a pin, a new intro) needs a new approval.

    \b
    Example:
      digest edit approve --by "Ada Lovelace"
    """
    digest = decide(obj, "approve", weekly, by)
    if digest is None:
        console.print("nothing to approve: no articles wait for the next edition")
        return
    console.print(f"approved: {digest.subject} ({len(digest.stories)} stories)")


@edit.command("hold", short_help="Hold the next edition: withdraw its approval.")
@click.option("--weekly", is_flag=True, help="Hold the next weekly edition instead.")
@click.option("--by", "by", metavar="NAME", help="Who holds it (default: your login name).")
@click.pass_obj
def edit_hold(obj: Context, weekly: bool, by: str | None) -> None:
    """Withdraw every approval of the next edition; with [schedule] require_approval it waits
    until it is approved again.

    \b
    Example:
      digest edit hold --by "Ada Lovelace"
    """
    digest = decide(obj, "hold", weekly, by)
    if digest is None:
        console.print("nothing to hold: no articles wait for the next edition")
        return
    console.print(f"held: {digest.subject}")


@edit.command("test", short_help="Send the next edition to one test address.")
@click.argument("email")
@click.pass_obj
def edit_test(obj: Context, email: str) -> None:
    """Send the next edition, as it stands, to one address through the configured provider.

    Nothing is stored: no edition, no ledger row, no article used.

    \b
    Example:
      digest edit test editor@example.com
    """
    from digest import editorial

    with opened_state(obj.config) as state:
        note = editorial.send_test(obj.config, state, os.environ, email, now_utc())
    console.print(note or "nothing to send: no articles wait for the next edition")


for command in (edit_subject, edit_headline, edit_points, edit_move):
    edit.add_command(command)
