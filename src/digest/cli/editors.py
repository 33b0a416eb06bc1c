"""`digest editors add|list|remove`: the named accounts of the editor's desk.

`add NAME` prints a one-use invitation link (valid INVITE_DAYS days) that lets NAME set a
password; `remove NAME` removes the account and ends its sessions at once. Approvals, edits
and test sends made at the desk carry the account's name.
"""

from __future__ import annotations

import secrets
from datetime import timedelta

import click

from digest.cli.output import Context, console, now_utc, opened_state
from digest.errors import InputError

INVITE_DAYS = 7


@click.group(short_help="Add, list or remove desk editor accounts.")
def editors() -> None:
    """Named editor accounts for the desk of `digest serve` (passwords hashed with Argon2).

    \b
    Example:
      digest editors add "Grace Hopper"
    """


@editors.command("add", short_help="Add an editor; print their invitation link.")
@click.argument("name")
@click.pass_obj
def editors_add(obj: Context, name: str) -> None:
    """Add NAME (or invite them again) and print the one-use link that sets the password.

    \b
    Example:
      digest editors add "Grace Hopper"
    """
    from digest.web import clean_name  # the desk's rule (loads the web face: only when run)

    cleaned = clean_name(name)
    if cleaned is None:
        raise InputError(f"editors add: {name!r} is not a usable name (1 to 80 characters)")
    token = secrets.token_urlsafe(32)
    now = now_utc()
    with opened_state(obj.config) as state:
        state.accounts.invite(cleaned, token, now, now + timedelta(days=INVITE_DAYS))
    base = obj.config.newsletter.base_url.rstrip("/")
    console.print(f"Invited {cleaned}: this link sets the password once, for {INVITE_DAYS} days:")
    click.echo(f"{base}/invite/{token}")


@editors.command("list", short_help="List the editor accounts.")
@click.pass_obj
def editors_list(obj: Context) -> None:
    """Each account: active (password set) or invited, and its open sessions.

    \b
    Example:
      digest editors list
    """
    from digest.state import ACCOUNT_PREFIX

    with opened_state(obj.config) as state:
        accounts = state.accounts.all()
        sessions = {a.name: state.sessions.count(ACCOUNT_PREFIX + a.name) for a in accounts}
    if not accounts:
        console.print("No editor accounts (add one with `digest editors add NAME`).")
    for account in accounts:
        status = "active" if account.password_hash else "invited"
        click.echo(f"{account.name}\t{status}\t{sessions[account.name]} session(s)")


@editors.command("remove", short_help="Remove an editor; end their sessions.")
@click.argument("name")
@click.pass_obj
def editors_remove(obj: Context, name: str) -> None:
    """Remove NAME's account: every session of it ends at once.

    \b
    Example:
      digest editors remove "Grace Hopper"
    """
    with opened_state(obj.config) as state:
        if not state.accounts.remove(name):
            raise InputError(f"editors remove: no editor account named {name!r}")
    console.print(f"Removed {name}: their sessions are ended.")
