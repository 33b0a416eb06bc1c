"""One edition, stage by stage: gather -> summarize -> compose -> render -> check -> deliver.

Named stage calls and the bookkeeping between them; the stages live in their own modules.
Editions are created and their articles consumed in one transaction, together with a pending
ledger row per recipient, so a crash at any point leaves either no edition or one that
`digest send` finishes for exactly the recipients still pending.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from digest.check import CheckResult, check_message
from digest.compose import ComposeSettings, compose, compose_settings_from_table
from digest.config import Config
from digest.deliver import Provider, make_provider
from digest.deliver.send import SendSettings, send_edition, send_settings_from_table
from digest.errors import DeliveryError, QualityGateError, SummarizeError
from digest.files import write_atomic
from digest.gather import FetchSettings, GatherResult, fetch_settings_from_table, gather_sources
from digest.models import (
    Article,
    Digest,
    OutgoingMessage,
    Problem,
    RunReport,
    Story,
    Subscriber,
    Summary,
)
from digest.outgoing import (
    browser_html,
    message_for,
    recipients,
    sample_subscriber,
    wants_any,
)
from digest.render import (
    RenderedEdition,
    RenderSettings,
    render_edition,
    render_settings_from_table,
)
from digest.state import State
from digest.state.lock import exclusive
from digest.subscribers import SubscriberList, load_subscribers, normalise_address
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


@dataclass(frozen=True)
class Built:
    """A composed and rendered edition that has not been stored or sent."""

    digest: Digest
    rendered: RenderedEdition
    problems: tuple[Problem, ...]


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
    edition_id = state.editions.next_id(now)
    digest = compose(
        items,
        newsletter=cfg.newsletter,
        settings=settings.compose,
        edition_id=edition_id,
        now=now,
        intro=intro if intro is not None else state.editorial.intro(),
        pinned=frozenset(key for key, action in choices.items() if action == "pin"),
    )
    if digest is None:
        return None, tuple(problems)
    rendered = render_edition(digest, cfg.newsletter, settings.render)
    return Built(digest, rendered, tuple(problems)), tuple(problems)


def quality_gate(message: OutgoingMessage, *, check_links: bool = False) -> tuple[CheckResult, ...]:
    return check_message(message.raw, check_links=check_links)


def pending_sample(
    cfg: Config, state: State, now: datetime, environ: Mapping[str, str]
) -> OutgoingMessage | None:
    """A sample message of the next edition: the unfinished one, else a fresh build."""
    secret = state.link_secret(environ.get("DIGEST_SECRET"))
    subscribers = load_subscribers(cfg.subscribers_dir)
    record = state.editions.unfinished()
    if record is not None:
        rendered = RenderedEdition(**_revive(record.rendered))
    else:
        built, _ = build(cfg, state, stage_settings(cfg), now, environ)
        if built is None:
            return None
        rendered = built.rendered
    return message_for(cfg, rendered, sample_subscriber(subscribers), secret, now)


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
    sample = message_for(cfg, built.rendered, sample_subscriber(subscribers), secret, now)
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
    _provider(cfg, environ).close()
    store_edition(cfg, state, built, subscribers, secret, now)
    report = send_pending(cfg, state, now, environ, subscribers=subscribers, progress=progress)
    return dataclasses.replace(report, problems=(*problems, *report.problems))


def fingerprint(digest: Digest) -> str:
    """What an editor approves: the stories, their points and order, the subject and intro."""
    content = [
        digest.subject,
        digest.intro or "",
        [[s.article_key, s.headline, s.section, list(s.key_points)] for s in digest.stories],
    ]
    return hashlib.sha256(json.dumps(content, ensure_ascii=False).encode()).hexdigest()


def approve(cfg: Config, state: State, now: datetime, environ: Mapping[str, str]) -> Digest | None:
    """Approve the next edition exactly as it stands now (built from the stored articles)."""
    built, _ = build(cfg, state, stage_settings(cfg), now, environ, gather_first=False)
    if built is None:
        return None
    state.editorial.approve(fingerprint(built.digest), now)
    return built.digest


def store_edition(
    cfg: Config,
    state: State,
    built: Built,
    subscribers: SubscriberList,
    secret: str,
    now: datetime,
) -> None:
    """Edition, consumed articles and pending ledger rows in one transaction."""
    digest = built.digest
    with state.db.transaction():
        state.editions.add(
            digest.edition_id,
            created=now,
            subject=digest.subject,
            stories=len(digest.stories),
            rendered=dataclasses.asdict(built.rendered),
            browser_html=browser_html(cfg, built.rendered, secret),
        )
        used = [key for story in digest.stories for key in story_keys(story)]
        state.articles.assign(used, digest.edition_id)
        state.editorial.consume(used)
        wanted = [
            s.email
            for s in recipients(state, subscribers).values()
            if s.active and wants_any(s, built.rendered)
        ]
        state.ledger.enqueue(digest.edition_id, wanted)


def story_keys(story: Story) -> list[str]:
    """The articles a story uses: its lead and the other outlets' coverage clustered with it."""
    return [story.article_key, *(link.url for link in story.also_in)]


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
    rendered = RenderedEdition(**_revive(record.rendered))
    secret = state.link_secret(environ.get("DIGEST_SECRET"))
    by_email = recipients(state, subscribers)
    if cfg.provider == "outbox":
        _write_outbox_preview(cfg, record.id, record.browser_html)

    def message(email: str) -> OutgoingMessage | None:
        # Suppressed addresses never get here: the ledger's claim settles them as skipped.
        subscriber = by_email.get(email.lower())
        if subscriber is None or not subscriber.active:
            return None
        return message_for(cfg, rendered, subscriber, secret, record.created)

    provider = _provider(cfg, environ)
    try:
        with exclusive(cfg.state_database, "send", "another send"):
            sent = send_edition(
                record.id,
                ledger=state.ledger,
                provider=provider,
                message_for=message,
                settings=settings.send,
                progress=progress,
            )
    finally:
        provider.close()
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
        outbox=_outbox_dir(cfg) if cfg.provider == "outbox" else None,
        stopped=sent.stopped,
        pending=sent.pending,
        breakdown=breakdown,
    )


def send_test(
    cfg: Config, state: State, environ: Mapping[str, str], email: str, now: datetime
) -> str | None:
    """Send the next edition as it stands to one address; nothing is stored.

    Returns where it went (the provider's id), or None when there is nothing to send. The
    test has its own edition id, so its Message-ID and outbox folder never collide with the
    real send. Raises DeliveryError when the provider refuses it.
    """
    address = normalise_address(email, "email")
    built, _ = build(cfg, state, stage_settings(cfg), now, environ)
    if built is None:
        return None
    rendered = dataclasses.replace(built.rendered, edition_id=f"{built.rendered.edition_id}-test")
    secret = state.link_secret(environ.get("DIGEST_SECRET"))
    message = message_for(cfg, rendered, Subscriber(address), secret, now)
    provider = _provider(cfg, environ)
    try:
        (result,) = provider.send([message])
    finally:
        provider.close()
    if result.status != "sent":
        raise DeliveryError(f"test to {address} not sent: {result.error}")
    return f"test sent to {address} via {cfg.provider} ({result.provider_id})"


def _provider(cfg: Config, environ: Mapping[str, str]) -> Provider:
    return make_provider(
        cfg.provider, cfg.table("delivery", cfg.provider), base_dir=cfg.base_dir, environ=environ
    )


def _outbox_dir(cfg: Config) -> str:
    return str(cfg.base_dir / str(cfg.table("delivery", "outbox").get("dir", "outbox")))


def _write_outbox_preview(cfg: Config, edition_id: str, html: str) -> None:
    """With the outbox provider, also `<outbox>/<edition>/digest.html` to open in a browser."""
    write_atomic(Path(_outbox_dir(cfg)) / edition_id / "digest.html", html.encode())


def _revive(value: Any) -> Any:
    """JSON lists back to the tuples the frozen dataclasses hold."""
    if isinstance(value, list):
        return tuple(_revive(item) for item in value)
    if isinstance(value, dict):
        return {key: _revive(item) for key, item in value.items()}
    return value
