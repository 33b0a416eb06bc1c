"""The desk's pages: the dashboard, the next edition, and a stored edition with its results.

Each page builds what it shows through the pipeline and the state's queries in a worker
thread (SQLite connections stay on the thread that opened them, gathering runs its own event
loop) and hands the templates plain values (`desk_view`, `desk_results`).
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from itertools import islice
from typing import TYPE_CHECKING, Any

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from digest.editorial import next_edition, summaries_standing
from digest.errors import DigestError
from digest.models import parse_mailbox
from digest.state import State, SubscriberRecord
from digest.subscribers import import_folder
from digest.web.desk_results import chart, result_row, story_clicks
from digest.web.desk_view import next_edition_view, when

if TYPE_CHECKING:
    from digest.web.editor import Desk

VIEWS = (
    ("desktop", "Desktop"),
    ("phone", "Phone"),
    ("dark", "Dark mode"),
    ("images", "Images off"),
    ("text", "Plain text"),
    ("subscriber", "As a subscriber"),
)
QUERIES = {"desktop": "", "phone": "", "dark": "scheme=dark", "images": "images=off"}
MAX_PICK = 200  # subscribers offered in the "as a subscriber" list


@dataclass(frozen=True)
class Tab:
    key: str
    label: str
    src: str
    selected: bool


@dataclass(frozen=True)
class PreviewView:
    """The preview frame: its tabs, what it shows now, and the raw views' links."""

    base: str
    tabs: tuple[Tab, ...]
    view: str
    src: str
    subscriber: str
    subscribers: tuple[tuple[str, str], ...]


def _label(record: SubscriberRecord) -> str:
    who = f"{record.name} <{record.email}>" if record.name else record.email
    return f"{who} · {', '.join(record.sections) if record.sections else 'every section'}"


def preview_view(
    base: str, version: str, view: str, chosen: str, people: Iterable[SubscriberRecord]
) -> PreviewView:
    """Tabs over one frame; "as a subscriber" shows the chosen one (the first by default)."""
    picks = tuple((str(r.id), _label(r)) for r in islice(people, MAX_PICK))
    ids = [pick[0] for pick in picks]
    person = chosen if chosen in ids else (ids[0] if ids else "")

    def src(key: str) -> str:
        if key == "text":
            return f"{base}/email.txt?v={version}"
        query = f"as={person}" if key == "subscriber" else QUERIES[key]
        return f"{base}/email.html?{query + '&' if query else ''}v={version}"

    view = view if view in dict(VIEWS) and (view != "subscriber" or person) else "desktop"
    tabs = tuple(
        Tab(key, label, src(key), key == view)
        for key, label in VIEWS
        if key != "subscriber" or person
    )
    return PreviewView(base, tabs, view, src(view), person, picks)


def subscribers(desk: Desk, st: State) -> Iterator[SubscriberRecord]:
    """The active subscribers to preview as: the CSV lists' new rows imported first, as a run
    does (an unchanged file is not read again); a list that does not import is skipped here,
    `digest run` names its error."""
    with contextlib.suppress(DigestError):
        import_folder(st, desk.cfg.subscribers_dir, now=desk.clock())
    return st.subscribers.iterate("active")


def next_context(desk: Desk, st: State, view: str, chosen: str) -> dict[str, Any]:
    """Everything the next-edition page (and the dashboard's card) shows."""
    from digest.schedule import next_runs

    cfg, now = desk.cfg, desk.clock()
    built, problems = next_edition(cfg, st, now, desk.environ)
    shown = next_edition_view(
        st,
        built,
        problems,
        now=now,
        lookback_hours=cfg.newsletter.lookback_hours,
        max_stories=cfg.newsletter.max_stories,
        zone=cfg.schedule.zone,
        required=cfg.schedule.require_approval,
        headline_chars=desk.headline_chars,
    )
    people = subscribers(desk, st)
    version = shown.fingerprint[:16] or "none"
    return {
        "edition": shown,
        "preview": preview_view("/editions/next", version, view, chosen, people),
        "next_run": when(next_runs(cfg, now).get("daily"), cfg.schedule.zone),
        "zone": cfg.schedule.timezone,
        "sender": parse_mailbox(cfg.newsletter.sender)[0] or cfg.newsletter.title,
        "test_to": "",
        "summaries": summaries_standing(cfg, st, now),
        "edition_version": st.versions.current(),  # every change form names it
    }


def dashboard_context(desk: Desk, st: State) -> dict[str, Any]:
    zone, tracking = desk.cfg.schedule.zone, desk.tracking
    rows = [result_row(result, zone) for result in st.results.recent(12)]
    health = st.sources.health()
    problems = []
    for source in desk.cfg.sources:
        seen = health.get(source.name)
        if seen is None:
            problems.append((source.name, "never gathered", ""))
        elif seen.status == "error":
            since = (
                f"last worked {when(seen.last_ok_at, zone)}" if seen.last_ok_at else "never worked"
            )
            problems.append((source.name, seen.error or "failed", since))
    checked = max((h.checked_at for h in health.values()), default=None)
    return {
        **next_context(desk, st, "desktop", ""),
        "results": rows,
        "chart": chart(rows, tracking),
        "tracking": tracking,
        "sources": problems,
        "source_count": len(desk.cfg.sources),
        "gathered": when(checked, zone),
        "nav": "dashboard",
    }


def edition_context(desk: Desk, st: State, edition: str, view: str, chosen: str) -> dict[str, Any]:
    result = st.results.result(edition)
    if result is None:
        return {}
    record, zone = result.record, desk.cfg.schedule.zone
    after = st.results.preceding(record)
    decisions = st.editorial.decisions(record.kind, after=after, until=record.created)
    approved = next((d for d in decisions if d.decision == "approved"), None)
    people = subscribers(desk, st)
    return {
        "title": record.subject,
        "row": result_row(result, zone),
        "approved_by": approved.editor if approved else "",
        "approved_at": when(approved.at, zone) if approved else "",
        "stories": story_clicks(st, record, desk.cfg.newsletter, desk.secret(st)),
        "tracking": desk.tracking,
        "preview": preview_view(f"/editions/{edition}", "stored", view, chosen, people),
        "nav": "",
    }


def page_routes(desk: Desk) -> list[Route]:
    def picked(request: Request) -> tuple[str, str]:
        return request.query_params.get("view", "desktop"), request.query_params.get("as", "")

    async def next_page(request: Request) -> Response:
        signed = desk.signed_in(request)
        if isinstance(signed, Response):
            return signed
        view, chosen = picked(request)

        def gather() -> dict[str, Any]:
            with desk.state() as st:
                return next_context(desk, st, view, chosen)

        context = await run_in_threadpool(gather)
        context.update(title="Next edition", nav="next", test_to=request.session.get("test_to", ""))
        return desk.page(request, "desk_next.html", context)

    async def edition_page(request: Request) -> Response:
        signed = desk.signed_in(request)
        if isinstance(signed, Response):
            return signed
        edition = request.path_params["edition"]
        view, chosen = picked(request)

        def gather() -> dict[str, Any]:
            with desk.state() as st:
                return edition_context(desk, st, edition, view, chosen)

        context = await run_in_threadpool(gather)
        if not context:
            return desk.refuse(request, 404, "Not found", f"There is no edition {edition}.")
        return desk.page(request, "desk_edition.html", context)

    return [
        Route("/editions/next", next_page, methods=["GET"]),
        Route("/editions/{edition}", edition_page, methods=["GET"]),
    ]


async def dashboard(desk: Desk, request: Request) -> Response:
    """The signed-in editor's front page."""

    def gather() -> dict[str, Any]:
        with desk.state() as st:
            return dashboard_context(desk, st)

    context = await run_in_threadpool(gather)
    context.update(title=desk.cfg.newsletter.title, base_url=desk.cfg.newsletter.base_url)
    return desk.page(request, "desk_dashboard.html", context)
