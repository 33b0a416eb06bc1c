"""`digest bounces [PATH]`: apply returned mail from a Maildir or an mbox (for SMTP senders)."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import click

from digest.cli.output import Context, console, errors, now_utc, opened_state


@click.command(short_help="Apply returned mail from a Maildir or mbox.")
@click.argument("path", required=False, type=click.Path(path_type=Path))
@click.pass_obj
def bounces(obj: Context, path: Path | None) -> None:
    """Read returned mail from a Maildir or an mbox (default: [bounces] mailbox) and apply it:
    permanent failures suppress the address at once (status bounced), temporary ones are
    counted ([bounces] soft_limit within soft_window_days suppress), and mails sent to the
    List-Unsubscribe mailto: unsubscribe their sender. Each is tied to the edition it answers
    where its quoted Message-ID allows. Messages read before are skipped, so it is safe to
    run from cron on the same mailbox; the mailbox itself is only read.

    \b
    Example:
      digest bounces /var/mail/digest-bounces
    """
    from digest.errors import InputError
    from digest.subscribers import MAILBOX_RESULTS, bounce_settings_from_table, process_mailbox

    cfg = obj.config
    settings = bounce_settings_from_table(cfg.table("bounces"), base_dir=cfg.base_dir)
    chosen = path or settings.mailbox
    if chosen is None:
        raise InputError(
            "no mailbox to read: give a PATH",
            hint="or set [bounces] mailbox in config.toml",
        )
    messages: Counter[str] = Counter()
    events: Counter[str] = Counter()
    with opened_state(cfg) as state:
        for returned in process_mailbox(state, chosen, settings, now=now_utc()):
            messages[returned.result] += 1
            events.update(_word(outcome.result) for outcome in returned.outcomes)
            if returned.result != "already processed":
                out = errors if returned.result == "unreadable" else console
                for line in returned.lines():
                    out.print(line)
    parts = [f"{messages[k]} {k}" for k in MAILBOX_RESULTS if messages[k]]
    parts += [f"{events[k]} {k}" for k in EVENT_WORDS if events[k]]
    total = sum(messages.values())
    console.print(f"{chosen}: {total} message(s)" + (f": {'; '.join(parts)}" if parts else ""))


# What an event did, as the summary counts it (Outcome.result starts with one of these).
EVENT_WORDS = ("suppressed", "unsubscribed", "counted", "not on the list", "already")


def _word(result: str) -> str:
    return next((word for word in EVENT_WORDS if result.startswith(word)), result)
