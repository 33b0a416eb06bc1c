"""One edition, stage by stage: gather -> summarize -> compose -> render -> check -> deliver.

Named stage calls and nothing else; the config object stops here, and each stage gets its own
settings. Storing, reviving and approving editions live in `editions`; an editor's actions on
the next edition (approve, test send, sample) in `editorial`.

Two kinds of edition share one state database: the daily one (the editor's) and the weekly
one, the week's best stories by the same ranking, for the subscribers who chose weekly.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime

from digest.check import CheckResult, check_message
from digest.compose import ComposeSettings, Regrouping, compose, compose_settings_from_table
from digest.config import Config
from digest.deliver import (
    SendSettings,
    message_for,
    sample_subscriber,
    send_settings_from_table,
)
from digest.dispatch import (
    Progress,
    Stop,
    audience,
    local_delivery,
    preflight,
    provider,
    send_pending,
)
from digest.editions import Built, fingerprint, store_edition
from digest.errors import QualityGateError
from digest.gather import FetchSettings, GatherResult, fetch_settings_from_table, gather_sources
from digest.models import Article, OutgoingMessage, Problem, RunReport
from digest.render import RenderSettings, render_edition, render_settings_from_table
from digest.state import Firing, State, exclusive
from digest.summaries import summarized
from digest.summarize import SummarizerSettings, summarizer_settings_from_table
from digest.tracking import TrackingSettings, tracked, tracking_settings_from_table


@dataclass(frozen=True)
class StageSettings:
    """Every stage's validated settings, read once from the config."""

    fetch: FetchSettings
    summarizer: SummarizerSettings
    compose: ComposeSettings
    render: RenderSettings
    send: SendSettings
    tracking: TrackingSettings


def stage_settings(cfg: Config) -> StageSettings:
    """Validate the stage tables; raises ConfigError naming the key."""
    compose_settings = compose_settings_from_table(cfg.table("compose"))
    weights = {source.name: source.weight for source in cfg.sources}
    return StageSettings(
        fetch=fetch_settings_from_table(cfg.table("gather")),
        summarizer=dataclasses.replace(
            summarizer_settings_from_table(cfg.table("summarize")),
            language=cfg.newsletter.language,
        ),
        compose=dataclasses.replace(compose_settings, source_weights=weights),
        render=render_settings_from_table(cfg.table("render"), base_dir=cfg.base_dir),
        send=send_settings_from_table(cfg.table("delivery")),
        tracking=tracking_settings_from_table(cfg.table("tracking")),
    )


def gather(
    cfg: Config,
    state: State,
    settings: StageSettings,
    now: datetime,
    progress: Progress | None = None,
    environ: Mapping[str, str] | None = None,
) -> GatherResult:
    """Fetch every source and remember new articles (seen once, used by one edition).

    With `environ` (the summarizer's key), the next daily edition's articles that have no
    summary yet are summarized and kept now, so the desk's first look does not wait for them.
    """
    result = gather_sources(
        cfg.sources,
        base_dir=cfg.base_dir,
        cache=state.http_cache(now),
        settings=settings.fetch,
        progress=progress,
    )
    state.articles.remember(result.articles, now)
    state.sources.record(((s.name, s.status, s.articles, s.error) for s in result.statuses), now)
    if environ is not None:  # what cannot be summarized is reported by the build
        summarized(state, settings.summarizer, candidates(cfg, state, now), environ, now)
    return result


def candidates(
    cfg: Config, state: State, now: datetime, kind: str = "daily"
) -> tuple[Article, ...]:
    """The articles the next edition of `kind` is made from: the daily one's waiting articles
    the editor did not drop; the weekly one's, the last seven days' not in a weekly yet."""
    if kind == "weekly":
        return state.articles.this_week(now)
    choices = state.editorial.actions()
    waiting = state.articles.unsent(now, cfg.newsletter.lookback_hours)
    return tuple(article for article in waiting if choices.get(article.key) != "drop")


def build(
    cfg: Config,
    state: State,
    settings: StageSettings,
    now: datetime,
    environ: Mapping[str, str],
    *,
    gather_first: bool = True,
    intro: str | None = None,
    kind: str = "daily",
) -> tuple[Built | None, tuple[Problem, ...]]:
    """Gather, summarize, compose and render the next edition of `kind` without storing it.

    Each article's summary is the stored one, made at its first build (`digest.summaries`):
    every build of the same edition (desk pages, previews, a test, the approval, the send)
    says the same words and asks the summarizer nothing again.

    Daily: an editor's choices apply (dropped stories are left out, pinned ones lead, placed
    ones keep their place, split and merged stories stay so, rewritten headlines and key points
    replace the summarizer's, the stored subject and intro are used unless an intro is given).
    Weekly: the last seven days' articles not yet in a weekly edition, daily editions'
    included, ranked the same way; the editor's desk prepares the daily edition only, so its
    choices do not apply. With `[tracking] clicks`, story links go through the signed /r/
    redirect.
    """
    problems: list[Problem] = []
    if gather_first:
        problems.extend(gather(cfg, state, settings, now).problems)
    weekly = kind == "weekly"
    choices = {} if weekly else state.editorial.actions()
    fresh = candidates(cfg, state, now, kind)
    items, summary_problems = summarized(state, settings.summarizer, fresh, environ, now)
    problems.extend(summary_problems)
    edits = {} if weekly else state.editorial.story_edits()
    items = [(a, edits[a.key].applied(s) if a.key in edits else s) for a, s in items]
    if intro is None and not weekly:
        intro = state.editorial.intro()
    digest = compose(
        items,
        newsletter=cfg.newsletter,
        settings=settings.compose,
        edition_id=state.editions.next_id(now.astimezone(cfg.schedule.zone), kind),
        now=now,
        intro=intro,
        pinned=frozenset(key for key, action in choices.items() if action == "pin"),
        order=None if weekly else state.editorial.order(),
        regrouping=(
            Regrouping() if weekly else Regrouping(state.groups.apart(), state.groups.together())
        ),
    )
    if digest is None:
        return None, tuple(problems)
    subject = None if weekly else state.editorial.subject()
    if subject:
        digest = dataclasses.replace(digest, subject=subject)
    if settings.tracking.clicks:
        digest = tracked(digest, cfg.newsletter, state.link_secret(environ.get("DIGEST_SECRET")))
    rendered = render_edition(digest, cfg.newsletter, settings.render)
    return Built(digest, rendered, tuple(problems), kind), tuple(problems)


def quality_gate(message: OutgoingMessage, *, check_links: bool = False) -> tuple[CheckResult, ...]:
    """The pre-send checks on one complete message."""
    return check_message(message.raw, check_links=check_links)


@dataclass(frozen=True)
class RunOptions:
    """How one run goes beyond building and sending the next daily edition."""

    dry_run: bool = False
    force: bool = False
    intro: str | None = None
    kind: str = "daily"
    firing: Firing | None = None  # the scheduler's firing this run serves
    waive_approval: bool = False  # an approval deadline passed with on_deadline = "send"
    progress: Progress | None = None  # messages sent / total
    gather_progress: Progress | None = None  # sources done / total
    stop: Stop | None = None
    prepare_only: bool = False  # store the edition with its recipients pending; send nothing
    patience: float | None = None  # seconds a send waits through pauses (default: the config's)
    send_at: datetime | None = None  # with prepare_only: every recipient held until then


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
    options: RunOptions | None = None,
) -> RunReport:
    """Finish an interrupted edition if one has recipients due; otherwise build, check and send
    a new one.

    One run at a time per state database (a scheduled run and a manual one never overlap).
    The provider's options and secret are checked first, dry runs included, and a stop
    request is honoured between stages and between messages.
    """
    opts = options or RunOptions(dry_run=dry_run, force=force, intro=intro, progress=progress)
    with exclusive(cfg.state_database, "run", "another `digest run`"):
        return _run(cfg, state, now, environ, opts)


def _run(
    cfg: Config, state: State, now: datetime, environ: Mapping[str, str], opts: RunOptions
) -> RunReport:
    preflight(cfg)
    settings = stage_settings(cfg)
    subscribers = audience(cfg, state, now, opts.kind)
    provider(cfg, environ).close()  # options and secret, before anything is gathered or stored
    if not opts.dry_run:
        state.release_due(now)
        waiting = state.resumable()
        if waiting and opts.prepare_only:
            pending = state.ledger.counts(waiting[0].id)["pending"]
            note = f"edition {waiting[0].id} is still being sent: nothing new prepared"
            return RunReport(
                waiting[0].id, waiting[0].stories, 0, 0, 0, notes=(note,), pending=pending
            )
        if waiting:
            report = send_pending(
                cfg,
                state,
                now,
                environ,
                subscribers=subscribers,
                progress=opts.progress,
                edition_id=waiting[0].id,
                stop=opts.stop,
                patience=opts.patience,
            )
            return dataclasses.replace(
                report, notes=(*report.notes, "resumed an unfinished edition"), resumed=True
            )
    kind = opts.kind
    # An edition that needs approval is made of what the editor saw: no new gathering.
    approval = cfg.schedule.require_approval
    base = RunReport(None, 0, 0, 0, 0, kind=kind)
    if not approval:
        gathered = gather(cfg, state, settings, now, opts.gather_progress, environ)
        base = dataclasses.replace(
            base,
            problems=gathered.problems,
            sources=len(gathered.statuses),
            sources_failed=sum(s.status == "error" for s in gathered.statuses),
        )
    if opts.stop is not None and (reason := opts.stop()):
        return dataclasses.replace(base, interrupted=reason)
    built, built_problems = build(
        cfg, state, settings, now, environ, intro=opts.intro, gather_first=False, kind=kind
    )
    base = dataclasses.replace(base, problems=(*base.problems, *built_problems))
    if built is None:
        return dataclasses.replace(base, notes=("nothing new to send",))
    takers = sum(s.active and s.frequency == kind for s in subscribers.subscribers)
    if not takers:
        note = f"no active subscriber takes the {kind} edition: nothing stored or sent"
        return dataclasses.replace(base, notes=(note,))
    stories = len(built.digest.stories)
    approved = state.editorial.is_approved(fingerprint(built.digest))
    if approval and not opts.dry_run and not approved and not opts.waive_approval:
        flag = " --weekly" if kind == "weekly" else ""
        note = (
            f"edition {built.digest.edition_id} waits for an editor's approval: review it at "
            f"{cfg.newsletter.base_url}/editions/next, approve with `digest edit approve{flag}`"
        )
        return dataclasses.replace(base, stories=stories, notes=(note,), awaiting_approval=True)
    secret = state.link_secret(environ.get("DIGEST_SECRET"))
    sample = message_for(
        cfg.newsletter, built.rendered, sample_subscriber(subscribers), secret, now
    )
    failures = [r for r in quality_gate(sample) if not r.ok and not r.warning]
    if failures and not opts.force:
        detail = "; ".join(f"{r.name}: {r.detail}" for r in failures)
        raise QualityGateError(
            f"edition {built.digest.edition_id} failed the quality gate: {detail}",
            hint="fix the cause, or pass --force to send anyway",
        )
    if opts.dry_run:
        return dataclasses.replace(
            base, edition_id=built.digest.edition_id, stories=stories, skipped=takers, dry_run=True
        )
    if opts.stop is not None and (reason := opts.stop()):
        return dataclasses.replace(base, interrupted=reason)
    store_edition(
        cfg.newsletter,
        state,
        built,
        subscribers,
        secret,
        now,
        firing=opts.firing,
        local=local_delivery(cfg),
        until=opts.send_at,
    )
    if opts.prepare_only:
        counts = state.ledger.counts(built.digest.edition_id)
        scheduled, next_delivery = state.batches.waiting(built.digest.edition_id)
        return dataclasses.replace(
            base,
            edition_id=built.digest.edition_id,
            stories=stories,
            pending=counts["pending"],
            skipped=counts["skipped"],
            scheduled=scheduled,
            next_delivery=next_delivery,
            prepared=True,
        )
    report = send_pending(
        cfg,
        state,
        now,
        environ,
        subscribers=subscribers,
        progress=opts.progress,
        edition_id=built.digest.edition_id,
        stop=opts.stop,
        patience=opts.patience,
    )
    notes = report.notes
    if approval and not approved:
        notes = (*notes, "sent without approval: the approval deadline passed")
    return dataclasses.replace(
        report,
        problems=(*base.problems, *report.problems),
        notes=notes,
        sources=base.sources,
        sources_failed=base.sources_failed,
    )
