"""Add a story by URL to the next edition: the page is fetched with the gatherer's limits (size
cap, timeout, redirects, User-Agent), its article extracted by the gatherer's page extractor,
summarized once and kept like any gathered article (`digest.summaries`), then stored and put
where the editor chose (on top, or after a story of the edition) as one versioned change
(`desk_changes`): it commutes with other editors' changes of other stories and is refused
when the story it was to follow was moved or dropped meanwhile.

Nothing is half-written: fetching, extracting and summarizing happen before the change, and
the article, its place and the version's bump are one transaction. The desk fetches only
public addresses (no loopback, private, link-local or reserved ones, on every redirect too)
unless `[web] fetch_private` allows them.
"""

from __future__ import annotations

import asyncio
import dataclasses
import ipaddress
from datetime import datetime, timedelta
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

import httpx
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from digest import editorial, pipeline, summaries
from digest.errors import DigestError, InputError, SourceError
from digest.gather import Fetcher, FetchSettings, extract_page, new_client
from digest.models import Article
from digest.render import cut
from digest.state import State
from digest.web.desk_actions import again, back
from digest.web.desk_changes import Conflict, Op, seen_version, versioned

if TYPE_CHECKING:
    from digest.web.editor import Desk

MAX_URL = 2000
HTML_TYPES = ("text/html", "application/xhtml+xml")
TOP, AFTER = "top", "after:"


class NotAdded(Exception):
    """The page could not become a story; `status` is the answer's HTTP status."""

    def __init__(self, message: str, status: int) -> None:
        super().__init__(message)
        self.status = status


def web_address(value: str) -> str:
    """An http(s) URL with a host, as typed; InputError otherwise."""
    url = value.strip()
    parts = urlsplit(url)
    if len(url) > MAX_URL or parts.scheme not in ("http", "https") or not parts.hostname:
        raise InputError("Give the full address of a web page, starting with https://.")
    return url


class PublicOnly(httpx.AsyncBaseTransport):
    """A transport that refuses hosts resolving to a non-public address, checked at every
    request (a redirect included), so a pasted URL cannot make the server read its own
    network. httpx has no such option; a name that changes its answer between this lookup and
    the connection (DNS rebinding) is beyond it."""

    def __init__(self, inner: httpx.AsyncBaseTransport | None = None) -> None:
        self.inner = inner or httpx.AsyncHTTPTransport()

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        host, port = request.url.host, request.url.port or 443
        try:
            found = await asyncio.get_running_loop().getaddrinfo(host, port)
        except OSError as exc:
            raise SourceError(f"{host}: not found ({exc.strerror or exc})") from None
        for *_, sockaddr in found:
            address = ipaddress.ip_address(str(sockaddr[0]).split("%")[0])
            mapped = getattr(address, "ipv4_mapped", None) or address
            if not mapped.is_global or mapped.is_multicast:
                raise SourceError(f"{host}: a private or local address ({address}) is not fetched")
        return await self.inner.handle_async_request(request)

    async def aclose(self) -> None:
        await self.inner.aclose()


async def fetch_page(url: str, settings: FetchSettings, *, private: bool) -> Article:
    """The page's article, fetched within the gatherer's limits; NotAdded says why not."""
    once = dataclasses.replace(settings, retries=0)  # the editor is waiting: one try
    try:
        async with new_client(once, None if private else PublicOnly()) as client:
            fetched = await Fetcher(client, once).fetch(url)
    except SourceError as exc:
        raise NotAdded(f"Could not fetch {url}: {exc}.", 502) from None
    kind = (fetched.content_type or "").split(";")[0].strip().lower()
    if kind not in HTML_TYPES and (kind or not fetched.body.lstrip().startswith(b"<")):
        raise NotAdded(f"{url} is not a web page (its type is {kind or 'not given'}).", 415)

    def extract() -> Article:
        try:
            page = extract_page(fetched.body, url=fetched.url, content_type=fetched.content_type)
        except SourceError as exc:
            raise NotAdded(f"Could not add {url}: {exc}.", 422) from None
        host = urlsplit(page.url).hostname or urlsplit(fetched.url).hostname or "page"
        return dataclasses.replace(page, source=host.removeprefix("www."))  # the outlet's name

    return await run_in_threadpool(extract)


def places(st: State, desk: Desk) -> list[str]:
    """The next edition's stories in reading order (article keys)."""
    built, _ = editorial.next_edition(desk.cfg, st, desk.clock(), desk.environ)
    return editorial.reading_order(built.digest) if built else []


def dated(article: Article, now: datetime, lookback_hours: int) -> Article:
    """An article dated outside the edition's window would never be shown: its date goes (it
    counts from now, the moment it was added)."""
    published = article.published
    if published is None or now - timedelta(hours=lookback_hours) <= published <= now:
        return article
    return dataclasses.replace(article, published=None)


def add_routes(desk: Desk) -> list[Route]:
    def prepared(article: Article, place: str) -> Article:
        """The article as it enters: dated within the window, in the section of the story it
        follows (an edition groups stories by section: elsewhere it would not follow it)."""
        now, cfg = desk.clock(), desk.cfg
        article = dated(article, now, cfg.newsletter.lookback_hours)
        if not place.startswith(AFTER):
            return article
        with desk.state() as st:
            built, _ = editorial.next_edition(cfg, st, now, desk.environ)
        stories = {s.article_key: s for s in built.digest.stories} if built else {}
        anchor = stories.get(place.removeprefix(AFTER))
        return dataclasses.replace(article, section=anchor.section) if anchor else article

    def summarize(article: Article) -> None:
        """The summary made once and kept, as for a gathered article."""
        settings = pipeline.stage_settings(desk.cfg).summarizer
        with desk.state() as st:
            _, problems = summaries.summarized(st, settings, [article], desk.environ, desk.clock())
        if problems:
            raise NotAdded(f"Could not summarize {article.url}: {problems[0].message}.", 422)

    def place_it(st: State, article: Article, place: str) -> str:
        """Store the article and put it where the editor chose (pinned: the cap keeps it)."""
        now, key = desk.clock(), article.key
        order = places(st, desk)
        if key in order:
            title = cut(article.title, desk.headline_chars)
            raise InputError(f"“{title}” is already in the next edition.")
        if place == TOP:
            at = 0
        elif place.removeprefix(AFTER) in order and place.startswith(AFTER):
            at = order.index(place.removeprefix(AFTER)) + 1
        else:
            raise Conflict(
                "Not added: the story it was to follow is no longer in the edition. "
                "Look again, then try again."
            )
        st.articles.remember((article,), now)
        if not st.articles.is_waiting(key, now, desk.cfg.newsletter.lookback_hours):
            raise InputError(f"{article.url} already went out in an earlier edition.")
        st.editorial.choose(key, "pin", now)
        st.editorial.set_order([*order[:at], key, *order[at:]], now)
        after = places(st, desk)  # where the edition put it (sections group stories)
        n = after.index(key) + 1 if key in after else at + 1
        title = cut(article.title, desk.headline_chars)
        where = "now leads the edition" if n == 1 else f"is story {n}"
        return f"Added “{title}” from {article.source}: it {where}, pinned in."

    async def add(request: Request) -> Response:
        checked = await desk.guarded(request)
        if isinstance(checked, Response):
            return checked
        editor, form = checked
        place = form.get("place", TOP)
        try:
            url = web_address(form.get("url", ""))
            seen_version(form)
            fetched = await fetch_page(url, desk.fetch_settings, private=desk.fetch_private)
            article = await run_in_threadpool(prepared, fetched, place)
            await run_in_threadpool(summarize, article)

            def change() -> str:
                with desk.state() as st:
                    op = Op("add", "place:" + article.key)
                    return versioned(
                        st, op, form, editor, desk.clock, lambda: place_it(st, article, place)
                    )

            text = await run_in_threadpool(change)
        except NotAdded as exc:
            return await again(desk, request, form, str(exc), exc.status)
        except Conflict as exc:
            return await again(desk, request, form, str(exc), 409)
        except InputError as exc:
            return await again(desk, request, form, str(exc), 400)
        except DigestError as exc:
            return await again(desk, request, form, f"Not added: {exc}", 503)
        return back(desk, request, form, text)

    return [Route("/editions/next/add", add, methods=["POST"])]
