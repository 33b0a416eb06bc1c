"""One edition, stage by stage: gather -> summarize -> compose -> render -> check -> deliver.

Named stage calls and nothing else; the config object stops here, and each stage gets its own
settings. Storing, reviving and approving editions live in `editions`; an editor's actions on
the next edition (approve, test send, sample) in `editorial`.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from digest.check import CheckResult, check_message
from digest.compose import ComposeSettings, compose, compose_settings_from_table
from digest.config import Config
from digest.deliver import (
    Provider,
    SendSettings,
    make_provider,
    message_for,
    sample_subscriber,
    send_edition,
    send_settings_from_table,
)
from digest.editions import Built, fingerprint, revived, store_edition, write_outbox_preview
from digest.errors import QualityGateError, SummarizeError
from digest.gather import FetchSettings, GatherResult, fetch_settings_from_table, gather_sources
from digest.models import Article, OutgoingMessage, Problem, RunReport, Summary
from digest.render import RenderSettings, render_edition, render_settings_from_table
from digest.state import State, exclusive
from digest.subscribers import SubscriberList, load_subscribers, recipients
from digest.summarize import (
    Summarizer,
    SummarizerSettings,
    make_summarizer,
    summarizer_settings_from_table,
)

Progress = Callable[[int, int], None]


@dataclass(frozen=True)
class StageSettings:
    """Every stage's validated settings, read once from the config."""

    fetch: FetchSettings
    summarizer: SummarizerSettings
    compose: ComposeSettings
    render: RenderSettings
    send: SendSettings


def stage_settings(cfg: Config) -> StageSettings:
    """Validate the stage tables; raises ConfigError naming the key."""
    compose_settings = compose_settings_from_table(cfg.table("compose"))
    weights = {source.name: source.weight for source in cfg.sources}
    return StageSettings(
        fetch=fetch_settings_from_table(cfg.table("gather")),
        summarizer=summarizer_settings_from_table(cfg.table("summarize")),
        compose=dataclasses.replace(compose_settings, source_weights=weights),
        render=render_settings_from_table(cfg.table("render"), base_dir=cfg.base_dir),
        send=send_settings_from_table(cfg.table("delivery")),
    )


def gather(cfg: Config, state: State, settings: StageSettings, now: datetime) -> GatherResult:
    """Fetch every source and remember new articles (seen once, used by one edition)."""
    result = gather_sources(
        cfg.sources, base_dir=cfg.base_dir, cache=state.http_cache(now), settings=settings.fetch
    )
    state.articles.remember(result.articles, now)
    state.sources.record(((s.name, s.status, s.articles, s.error) for s in result.statuses), now)
    return result


def summarize_all(
    articles: tuple[Article, ...], summarizer: Summarizer
) -> tuple[list[tuple[Article, Summary]], list[Problem]]:
    """Each article's summary; one that cannot be summarized is a Problem, not a crash."""
    items: list[tuple[Article, Summary]] = []
    problems: list[Problem] = []
    for article in articles:
        try:
            items.append((article, summarizer.summarize(article)))
        except SummarizeError as exc:
            problems.append(Problem("summarize", article.url, str(exc)))
    return items, problems


def build(
    cfg: Config,
    state: State,
    settings: StageSettings,
    now: datetime,
    environ: Mapping[str, str],
    *,
    gather_first: bool = True,
    intro: str | None = None,
) -> tuple[Built | None, tuple[Problem, ...]]:
    """Gather, summarize, compose and render the next edition without storing it.

    An editor's choices apply: dropped stories are left out, pinned ones lead, and the stored
    intro is used unless one is given.
    """
    problems: list[Problem] = []
    if gather_first:
        problems.extend(gather(cfg, state, settings, now).problems)
    choices = state.editorial.actions()
    fresh = tuple(
        article
        for article in state.articles.unsent(now, cfg.newsletter.lookback_hours)
        if choices.get(article.key) != "drop"
    )
    items, summary_problems = summarize_all(fresh, make_summarizer(settings.summarizer, environ))
    problems.extend(summary_problems)
    digest = compose(
        items,
        newsletter=cfg.newsletter,
        settings=settings.compose,
        edition_id=state.editions.next_id(now),
        now=now,
        intro=intro if intro is not None else state.editorial.intro(),
        pinned=frozenset(key for key, action in choices.items() if action == "pin"),
    )
    if digest is None:
        return None, tuple(problems)
    rendered = render_edition(digest, cfg.newsletter, settings.render)
    return Built(digest, rendered, tuple(problems)), tuple(problems)


def quality_gate(message: OutgoingMessage, *, check_links: bool = False) -> tuple[CheckResult, ...]:
    """The pre-send checks on one complete message."""
    return check_message(message.raw, check_links=check_links)


def run(
    cfg: Config,
    state: State,
    now: datetime,
    environ: Mapping[str, str],
    *,
    dry_run: bool = False,
    force: bool = False,
    intro: str | None = None,
    progress: Progress | None = None,
) -> RunReport:
    """Finish an interrupted edition if there is one; otherwise build, check and send a new one.

    One run at a time per state database (a scheduled run and a manual one never overlap).
    """
    with exclusive(cfg.state_database, "run", "another `digest run`"):
        return _run(cfg, state, now, environ, dry_run, force, intro, progress)


def _run(
    cfg: Config,
    state: State,
    now: datetime,
    environ: Mapping[str, str],
    dry_run: bool,
    force: bool,
    intro: str | None,
    progress: Progress | None,
) -> RunReport:
    settings = stage_settings(cfg)
    subscribers = load_subscribers(cfg.subscribers_dir)
    if not dry_run and state.editions.unfinished() is not None:
        report = send_pending(cfg, state, now, environ, subscribers=subscribers, progress=progress)
        return dataclasses.replace(report, notes=(*report.notes, "resumed an unfinished edition"))
    # An edition that needs approval is made of what the editor saw: no new gathering.
    approval = cfg.schedule.require_approval
    built, problems = build(
        cfg, state, settings, now, environ, intro=intro, gather_first=not approval
    )
    if built is None:
        return RunReport(None, 0, 0, 0, 0, problems, notes=("nothing new to send",))
    if approval and not dry_run and not state.editorial.is_approved(fingerprint(built.digest)):
        note = (
            f"edition {built.digest.edition_id} waits for an editor's approval: preview at "
            f"{cfg.newsletter.base_url}/preview, approve with `digest edit approve`"
        )
        return RunReport(None, len(built.digest.stories), 0, 0, 0, problems, notes=(note,))
    secret = state.link_secret(environ.get("DIGEST_SECRET"))
    sample = message_for(
        cfg.newsletter, built.rendered, sample_subscriber(subscribers), secret, now
    )
    failures = [r for r in quality_gate(sample) if not r.ok and not r.warning]
    if failures and not force:
        detail = "; ".join(f"{r.name}: {r.detail}" for r in failures)
        raise QualityGateError(
            f"edition {built.digest.edition_id} failed the quality gate: {detail}",
            hint="fix the cause, or pass --force to send anyway",
        )
    if dry_run:
        return RunReport(
            built.digest.edition_id,
            len(built.digest.stories),
            0,
            0,
            len(subscribers.active),
            problems,
            dry_run=True,
        )
    # The provider's options and secret are checked before anything is stored.
    provider(cfg, environ).close()
    store_edition(cfg.newsletter, state, built, subscribers, secret, now)
    report = send_pending(cfg, state, now, environ, subscribers=subscribers, progress=progress)
    return dataclasses.replace(report, problems=(*problems, *report.problems))


def send_pending(
    cfg: Config,
    state: State,
    now: datetime,
    environ: Mapping[str, str],
    *,
    subscribers: SubscriberList | None = None,
    progress: Progress | None = None,
) -> RunReport:
    """Send the unfinished edition to every recipient still pending in the ledger."""
    record = state.editions.unfinished()
    if record is None:
        return RunReport(None, 0, 0, 0, 0, notes=("no edition is waiting to be sent",))
    settings = stage_settings(cfg)
    subscribers = subscribers or load_subscribers(cfg.subscribers_dir)
    rendered = revived(record)
    secret = state.link_secret(environ.get("DIGEST_SECRET"))
    by_email = recipients(state, subscribers)
    if cfg.provider == "outbox":
        write_outbox_preview(outbox_dir(cfg), record.id, record.browser_html)

    def message(email: str) -> OutgoingMessage | None:
        # Suppressed addresses never get here: the ledger's claim settles them as skipped.
        subscriber = by_email.get(email.lower())
        if subscriber is None or not subscriber.active:
            return None
        return message_for(cfg.newsletter, rendered, subscriber, secret, record.created)

    sender = provider(cfg, environ)
    try:
        with exclusive(cfg.state_database, "send", "another send"):
            sent = send_edition(
                record.id,
                ledger=state.ledger,
                provider=sender,
                message_for=message,
                settings=settings.send,
                progress=progress,
            )
    finally:
        sender.close()
    if sent.stopped is None and sent.pending == 0:
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
    )


def provider(cfg: Config, environ: Mapping[str, str]) -> Provider:
    """The configured provider with its own table; ConfigError names a bad option or secret."""
    return make_provider(
        cfg.provider, cfg.table("delivery", cfg.provider), base_dir=cfg.base_dir, environ=environ
    )


def outbox_dir(cfg: Config) -> Path:
    """Where the outbox provider writes its .eml files."""
    return cfg.base_dir / str(cfg.table("delivery", "outbox").get("dir", "outbox"))
