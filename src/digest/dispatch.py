"""Sending a stored edition: who it goes to, the configured provider and outbox, the send.

What a run checks before it starts (`preflight`), the audience (the CSV lists imported, then
the stored list), and `send_pending`, which sends an edition's pending recipients through the
exactly-once send loop and settles the edition when nobody is left.
"""

from __future__ import annotations

import tempfile
from collections.abc import Callable, Mapping
from contextlib import nullcontext
from datetime import datetime, timedelta
from pathlib import Path

from digest.config import Config
from digest.deliver import (
    Composer,
    Provider,
    make_provider,
    send_composed,
    send_settings_from_table,
)
from digest.editions import LocalDelivery, revived, write_outbox_preview
from digest.errors import ConfigError
from digest.models import RunReport, Subscriber
from digest.state import State, exclusive
from digest.subscribers import (
    SubscriberList,
    import_folder,
    recipients,
    reconcile_suppressions,
    subscriber_settings_from_table,
)

Progress = Callable[[int, int], None]
Stop = Callable[[], str | None]  # the reason a stop was asked for (a signal), or None


def preflight(cfg: Config) -> None:
    """What every run needs before it starts; ConfigError naming the key otherwise."""
    if not cfg.sources:
        raise ConfigError(
            "sources: no sources configured",
            hint="add a [[sources]] table with name and url to the config file",
        )
    check_outbox(cfg)


def check_outbox(cfg: Config) -> None:
    """With the outbox provider, its folder (or where it would be made) must take new files.

    A real probe file rather than os.access: root passes every permission check, but not a
    read-only mount, and the probe answers for both.
    """
    if cfg.provider != "outbox":
        return
    key, folder = "delivery.outbox.dir", outbox_dir(cfg)
    target = folder
    while not target.exists() and target != target.parent:
        target = target.parent
    if not target.is_dir():
        raise ConfigError(f"{key}: {target} is not a folder (the outbox would be {folder})")
    try:
        with tempfile.TemporaryFile(dir=target, prefix=".digest-probe-"):
            pass
    except OSError as exc:
        raise ConfigError(f"{key}: cannot write in {target}: {exc.strerror or exc}") from None


def audience(cfg: Config, state: State, now: datetime, kind: str = "daily") -> SubscriberList:
    """Everyone an edition may go to: the CSV lists' new and changed rows imported (an
    unchanged file is not read again), then the stored list with each one's choices. A reader
    who chose weekly gets the daily edition while there is no weekly one: none configured
    (`weekly_cron`), none being built (`kind`) and none made by hand (`digest run --weekly`)
    in the last eight days."""
    subscriber_settings_from_table(cfg.table("subscribers"))  # a bad key fails before sending
    import_folder(state, cfg.subscribers_dir, now=now)
    weekly = (
        kind == "weekly"
        or "weekly" in cfg.schedule.crons
        or state.editions.made_since("weekly", now - timedelta(days=8))
    )
    return recipients(state, now, weekly=weekly)


def local_delivery(cfg: Config) -> LocalDelivery | None:
    """[schedule] deliver_at_local, when it is set."""
    at = cfg.schedule.local_time
    return LocalDelivery(at, cfg.schedule.timezone) if at is not None else None


def send_pending(
    cfg: Config,
    state: State,
    now: datetime,
    environ: Mapping[str, str],
    *,
    subscribers: SubscriberList | None = None,
    progress: Progress | None = None,
    edition_id: str | None = None,
    stop: Stop | None = None,
) -> RunReport:
    """Send an unfinished edition (the oldest with recipients due, or `edition_id`) to every
    recipient still pending in the ledger; local-time batches that are due join it first."""
    check_outbox(cfg)
    state.release_due(now)
    if edition_id is not None:
        record = state.editions.get(edition_id)
    else:
        waiting = state.resumable()
        record = waiting[0] if waiting else None
    if record is None or record.status != "sending":
        later = state.batches.next_send()
        note = (
            f"no recipient is due yet: the next local-time batch is due at {later.isoformat()}"
            if later is not None
            else "no edition is waiting to be sent"
        )
        return RunReport(None, 0, 0, 0, 0, notes=(note,), next_delivery=later)
    send_settings = send_settings_from_table(cfg.table("delivery"))
    subscribers = subscribers or audience(cfg, state, now)
    rendered = revived(record)
    secret = state.link_secret(environ.get("DIGEST_SECRET"))
    by_email = {s.email.lower(): s for s in subscribers.subscribers}
    if cfg.provider == "outbox":
        write_outbox_preview(outbox_dir(cfg), record.id, record.browser_html)

    def recipient(email: str) -> Subscriber | None:
        # Suppressed addresses never get here: the ledger's claim settles them as skipped.
        subscriber = by_email.get(email.lower())
        return subscriber if subscriber is not None and subscriber.active else None

    sender = provider(cfg, environ)
    try:
        # SQLite has one sender at a time; on a shared database senders split the queue.
        one_sender = exclusive(cfg.state_database, "send", "another send")
        with nullcontext() if state.db.shared else one_sender:
            sent = send_composed(
                record.id,
                ledger=state.ledger,
                provider=sender,
                options=cfg.table("delivery", cfg.provider),
                base_dir=cfg.base_dir,
                environ=environ,
                composer=Composer(cfg.newsletter, rendered, secret, record.created),
                recipient=recipient,
                settings=send_settings,
                progress=progress,
                stop=stop,
            )
    finally:
        sender.close()
    reconcile_suppressions(state, now=now)  # hard bounces of this send: listed as bounced
    scheduled, next_delivery = state.batches.waiting(record.id)
    if sent.stopped is None and sent.interrupted is None and sent.pending == 0 and not scheduled:
        state.editions.finish(record.id, now)
    breakdown = tuple(
        (status, reason, count)
        for status, reasons in (
            ("failed", sent.failures_by_reason),
            ("skipped", sent.skipped_by_reason),
        )
        for reason, count in sorted(reasons.items())
    )
    return RunReport(
        record.id,
        record.stories,
        sent.sent,
        sent.failed,
        sent.skipped,
        outbox=str(outbox_dir(cfg)) if cfg.provider == "outbox" else None,
        stopped=sent.stopped,
        pending=sent.pending,
        breakdown=breakdown,
        kind=record.kind,
        interrupted=sent.interrupted,
        scheduled=scheduled,
        next_delivery=next_delivery,
    )


def work(
    cfg: Config,
    state: State,
    environ: Mapping[str, str],
    *,
    now: Callable[[], datetime],
    stop: Stop,
    wait: Callable[[float], None],
    on_report: Callable[[RunReport], None],
) -> None:
    """`digest worker`: send whatever edition has recipients pending, again and again; wait
    `[delivery] idle_seconds` when none has (or when the rest is leased to other senders).

    Stops once `stop()` gives a reason, after the batch in flight. A round that changed
    nothing is not reported, so an idle worker's log stays quiet.
    """
    idle = send_settings_from_table(cfg.table("delivery")).idle_seconds
    last: tuple[object, ...] | None = None
    while stop() is None:
        report = send_pending(cfg, state, now(), environ, stop=stop)
        seen = (report.edition_id, report.sent, report.failed, report.skipped, report.pending)
        if report.edition_id is not None and seen != last:
            on_report(report)
        last = seen
        if stop() is None and (report.edition_id is None or report.pending or report.stopped):
            wait(idle)


def provider(cfg: Config, environ: Mapping[str, str]) -> Provider:
    """The configured provider with its own table; ConfigError names a bad option or secret."""
    return make_provider(
        cfg.provider, cfg.table("delivery", cfg.provider), base_dir=cfg.base_dir, environ=environ
    )


def outbox_dir(cfg: Config) -> Path:
    """Where the outbox provider writes its .eml files."""
    return cfg.base_dir / str(cfg.table("delivery", "outbox").get("dir", "outbox"))
