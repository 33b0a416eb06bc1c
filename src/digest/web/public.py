"""The public face of `digest serve`: the home page, the archive as web pages and its Atom feed.

`/` is the newsletter's home for a visitor (its name and brand colour, the sign-up form that
posts to /subscribe, the latest sent edition with its headlines, links to the archive and the
feed); a signed-in editor gets the desk's dashboard there instead. `/archive` lists the sent
editions, each linking to `/archive/<id>`: the web copy the renderer stored for nobody in
particular (`browser_html`), never a subscriber's own copy, served sandboxed as it is.
`/archive.atom` is an Atom feed (RFC 4287) of the same editions, made from an autoescaped
template. Only editions that reached at least one reader are public.

Text from feeds reaches these pages: templates escape it, and bidi controls (U+202A-U+202E,
U+2066-U+2069) are removed so a subject cannot reorder what is shown around it; XML also
loses the control characters it cannot carry.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, tzinfo

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import HTMLResponse, Response
from starlette.routing import Route

from digest.state import State
from digest.web.desk_pages import dashboard
from digest.web.editor import Desk
from digest.web.pages import environment, render
from digest.web.security import email_policy

ARCHIVE_LIMIT = 100  # editions listed on /archive
FEED_LIMIT = 20  # entries in the feed: readers poll it, so it stays small
HEADLINES = 8  # headlines of an edition on the home page and in its feed entry
ATOM = "application/atom+xml; charset=utf-8"

# Explicit embedding and override controls: a subject made of them shows "gnp.cod" as "doc.png".
BIDI = re.compile("[\u202a-\u202e\u2066-\u2069]")
# What XML 1.0 cannot carry at all (C0 controls but tab, LF and CR; surrogates; U+FFFE/FFFF).
NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")

# The feed is XML: the template escapes every value (the web environment escapes .html only).
atom_templates = environment.overlay(autoescape=True)


def plain(text: str) -> str:
    """Text from a feed as the public pages show it: no bidi controls, nothing XML refuses."""
    return NOT_XML.sub("", BIDI.sub("", text))


@dataclass(frozen=True)
class Published:
    """A sent edition as the public pages show it; `sent` is when its send finished (or when
    it was made, while it is still going out)."""

    id: str
    subject: str
    made: datetime
    sent: datetime
    headlines: tuple[str, ...] = ()


def published(st: State, limit: int, *, details: bool) -> list[Published]:
    """The sent editions, newest first; with `details`, their send time and headlines."""
    found = []
    headlines: tuple[str, ...]
    for edition in st.results.sent_editions(limit):
        sent, headlines = edition.created, ()
        record = st.editions.get(edition.id) if details else None
        if record is not None:
            sent = record.finished or record.created
            headlines = shown_headlines(st, record.id, str(record.rendered.get("text", "")))
        found.append(
            Published(edition.id, plain(edition.subject), edition.created, sent, headlines)
        )
    return found


def shown_headlines(st: State, edition: str, text: str) -> tuple[str, ...]:
    """The headlines of an edition's stories in reading order: the titles of its articles that
    its text part shows (the other articles are "also in" links), in the order shown there."""
    titles = dict.fromkeys(t for _, t, _, _ in st.results.articles_of(edition) if t.strip())
    shown = sorted((t for t in titles if t in text), key=text.find) or list(titles)
    return tuple(plain(t).strip() for t in shown[:HEADLINES])


def public_routes(desk: Desk, message: Callable[[Request, str, str, int], Response]) -> list[Route]:
    """`/`, `/archive`, `/archive.atom` and `/archive/<id>` over the desk's state and clock;
    `message` answers a page of one sentence (the not-found page)."""
    cfg = desk.cfg
    newsletter = cfg.newsletter
    base = newsletter.base_url.rstrip("/")
    sections = sorted({s.section for s in cfg.sources if s.section})
    zone = cfg.schedule.zone

    async def read(limit: int, details: bool) -> list[Published]:
        def query() -> list[Published]:
            with desk.state() as st:
                return published(st, limit, details=details)

        return await run_in_threadpool(query)

    shared = {
        "newsletter": newsletter.title,
        "desk": desk.auth.enabled,
        "sections": sections,
        "current": (),  # the sign-up form: nothing typed or chosen yet
        "email": "",
        "name": "",
        "error": "",
        "day": lambda moment: day(moment, zone),
        "iso": lambda moment: moment.astimezone(zone).date().isoformat(),
    }

    def page(request: Request, name: str, context: dict[str, object]) -> Response:
        return render(request, name, {**shared, **context})

    async def index(request: Request) -> Response:
        if desk.auth.editor(request):
            return await dashboard(desk, request)
        latest = await read(1, details=True)
        return page(request, "home.html", {"latest": latest[0] if latest else None, "nav": "home"})

    async def archive(request: Request) -> Response:
        editions = await read(ARCHIVE_LIMIT, details=False)
        return page(request, "archive.html", {"editions": editions, "nav": "archive"})

    async def feed(request: Request) -> Response:
        entries = await read(FEED_LIMIT, details=True)
        updated = max((e.sent for e in entries), default=desk.clock())
        xml = atom_templates.get_template("archive.atom").render(
            title=plain(newsletter.title),
            language=newsletter.language,
            base=base,
            updated=stamp(updated),
            entries=[(entry, stamp(entry.sent)) for entry in entries],
        )
        # Readers poll the feed; it changes only when an edition goes out.
        return Response(xml, media_type=ATOM, headers={"cache-control": "public, max-age=300"})

    async def archived(request: Request) -> Response:
        edition = request.path_params["edition"]

        def find() -> str | None:
            with desk.state() as st:
                record = st.editions.get(edition)
                return record.browser_html if record and st.results.was_sent(edition) else None

        html = await run_in_threadpool(find)
        if html is None:
            return message(request, "Not found", "No such edition.", 404)
        response = HTMLResponse(html)
        response.headers["content-security-policy"] = email_policy(images=True)
        return response

    return [
        Route("/", index),
        Route("/archive", archive),
        Route("/archive.atom", feed, name="feed"),
        Route("/archive/{edition}", archived),
    ]


def stamp(moment: datetime) -> str:
    """An RFC 3339 time in UTC, as Atom's date constructs want it."""
    return moment.astimezone(UTC).isoformat(timespec="seconds").replace("+00:00", "Z")


def day(moment: datetime, zone: tzinfo) -> str:
    """The date a reader sees: "27 November 2026", on the newsletter's wall clock."""
    local = moment.astimezone(zone)
    return f"{local.day} {local:%B %Y}"
