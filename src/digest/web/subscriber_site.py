"""What the subscriber pages share: the newsletter's settings, signed links, pages and notices,
strict forms, work on the state database off the event loop, and mail sent after the answer.

Every database call of a subscriber page runs in a worker thread (`in_thread`): SQLite waits
for another process's write lock there, never on the event loop, so /healthz and every other
page keep answering; a lock held past `[web] busy_seconds` becomes a 503 with Retry-After (the
app maps the state error). Mail goes out in a background task once the answer is sent, so an
answer takes the same time whether or not a mail follows (no enumeration by timing).
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TypeVar
from urllib.parse import urlencode, urlsplit
from zoneinfo import available_timezones

from starlette.background import BackgroundTask
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import Response

from digest.config import Config
from digest.errors import DeliveryError, DigestError
from digest.render import render_settings_from_table
from digest.state import State, SubscriberRecord
from digest.subscribers import (
    import_folder,
    link_token,
    link_uid,
    list_key,
    subscriber_settings_from_table,
    verify_token,
)
from digest.web.desk_auth import read_form
from digest.web.notices import Notice, notice_message, send_notice
from digest.web.pages import render
from digest.web.settings import WebSettings

log = logging.getLogger("digest.web")
T = TypeVar("T")
Mail = tuple[str, Notice]  # to whom, what


@dataclass(frozen=True)
class Link:
    """Whom a personal link is for: the address, the stored subscriber (None for an old-style
    link to an address not on the list) and the query that links onwards (a fresh token)."""

    email: str
    record: SubscriberRecord | None
    query: str


def time_zones() -> tuple[str, ...]:
    """Region/City zones people pick from (no Etc/ offsets or legacy aliases)."""
    return tuple(
        sorted(
            zone
            for zone in available_timezones()
            if "/" in zone and not zone.startswith(("Etc/", "SystemV/", "posix/", "right/"))
        )
    )


class SubscriberSite:
    """The newsletter as its subscriber pages see it; settings are validated when it is made."""

    def __init__(
        self,
        cfg: Config,
        environ: Mapping[str, str],
        open_state: Callable[[], State],
        web: WebSettings,
    ) -> None:
        self.cfg = cfg
        self.environ = environ
        self.open_state = open_state
        self.web = web
        self.settings = subscriber_settings_from_table(cfg.table("subscribers"))
        render_settings = render_settings_from_table(cfg.table("render"), base_dir=cfg.base_dir)
        self.brand = render_settings.brand_color
        self.newsletter = cfg.newsletter
        self.key = list_key(cfg.newsletter)
        self.sections = sorted({s.section for s in cfg.sources if s.section})
        self.zones = time_zones()
        self.weekly_offered = "weekly" in cfg.schedule.crons
        base = urlsplit(cfg.newsletter.base_url)
        self.base_origin = f"{base.scheme}://{base.netloc}"

    # Pages

    def page(
        self, request: Request, name: str, context: Mapping[str, object], status: int = 200
    ) -> Response:
        return render(request, name, {"newsletter": self.newsletter.title, **context}, status)

    def notice(
        self,
        request: Request,
        title: str,
        text: str,
        status: int = 200,
        link: tuple[str, str] = ("", ""),
        role: str = "status",
    ) -> Response:
        context = {"title": title, "message": text, "role": role}
        context.update(link_url=link[0], link_text=link[1])
        return self.page(request, "notice.html", context, status)

    def invalid(self, request: Request) -> Response:
        text = "This link is not valid. Use the link in your latest email, or ask for a new one."
        return self.notice(request, "Link not valid", text, 400, ("/preferences", "Get a new link"))

    def refused(self, request: Request) -> Response:
        text = "This form must be sent from this site."
        return self.notice(request, "Not allowed", text, 403)

    def unreadable(self, request: Request) -> Response:
        text = "The form could not be read (too long, or not text): go back and try again."
        return self.notice(request, "Form not readable", text, 400, role="alert")

    def too_many(self, request: Request) -> Response:
        text = "Too many requests from your network: try again in an hour."
        response = self.notice(request, "Try again later", text, 429)
        response.headers["Retry-After"] = "3600"
        return response

    # Requests

    def own_origin(self, request: Request, *, also: tuple[str, ...] = ()) -> bool:
        """A browser's form comes from this site (or one of `also`); no Origin: not a
        browser's cross-site form."""
        origin = request.headers.get("origin")
        if origin is None:
            return True
        here = f"{request.url.scheme}://{request.url.netloc}"
        return origin.lower() in {here, self.base_origin, *also}

    @staticmethod
    def client(request: Request) -> str:
        """The visitor's address, as the proxy middleware established it."""
        return request.client.host if request.client else "unknown"

    @staticmethod
    async def form(request: Request) -> dict[str, str] | None:
        """The POST's form, strictly decoded (UTF-8, urlencoded, capped); None otherwise."""
        return await read_form(request)

    async def in_thread(self, work: Callable[[State], T]) -> T:
        """`work` on a freshly opened state, in a worker thread (never on the event loop)."""

        def run() -> T:
            state = self.open_state()
            try:
                return work(state)
            finally:
                state.close()

        return await run_in_threadpool(run)

    def mail_after(self, response: Response, mail: Mail | None) -> Response:
        """Send `mail` once `response` has gone out; a failure is logged, the answer stands."""
        if mail is not None:
            response.background = BackgroundTask(self._send, *mail)
        return response

    def _send(self, to: str, message: Notice) -> None:
        built = notice_message(self.cfg, self.brand, to, message, datetime.now(UTC))
        try:
            send_notice(self.cfg, self.environ, built)
        except DeliveryError as exc:
            log.error(
                f"{message.kind} mail not sent: {exc.message}", extra={"event": "web.mail_failed"}
            )

    # Links

    def secret(self, state: State) -> str:
        return state.link_secret(self.environ.get("DIGEST_SECRET"))

    def onward(self, state: State, record: SubscriberRecord) -> str:
        return urlencode({"t": link_token(self.secret(state), self.key, record.uid)})

    def stored(self, state: State, email: str) -> SubscriberRecord | None:
        """The subscriber of an old-style link; the CSV folder is imported first when the
        address is not stored yet (a database from before the list moved into it)."""
        record = state.subscribers.get(email)
        if record is None:
            try:
                import_folder(state, self.cfg.subscribers_dir, now=datetime.now(UTC))
            except DigestError:
                return None
            record = state.subscribers.get(email)
        return record

    def resolve(self, params: Mapping[str, str], state: State) -> Link | None:
        """Whom a personal link's query (`?t=`, or the old `?e=&t=`) is for; None if forged."""
        token = params.get("t", "")
        if "e" in params:
            email = params.get("e", "")
            if not (email and token and verify_token(self.secret(state), email, token)):
                return None
            record = self.stored(state, email)
            query = self.onward(state, record) if record else urlencode(dict(params))
            return Link(email, record, query)
        uid = link_uid(self.secret(state), self.key, token)
        found = state.subscribers.by_uid(uid) if uid else None
        return Link(found.email, found, self.onward(state, found)) if found else None

    def preferences_notice(self, state: State, record: SubscriberRecord, first: str) -> Notice:
        return Notice(
            kind="preferences-link",
            subject=f"Your {self.newsletter.title} preferences",
            lines=(first, "Use the button to choose sections, how often, or to unsubscribe."),
            button="Manage preferences",
            url=f"{self.newsletter.base_url}/preferences?{self.onward(state, record)}",
            footnote="If you did not ask for this, you can ignore this email.",
        )

    def confirm_notice(
        self, kind: str, subject: str, first: str, button: str, path: str, unasked: str
    ) -> Notice:
        """A mail whose link confirms something the reader asked for (`unasked`: what they
        did not do if it was not them), valid for [subscribers] confirm_hours."""
        return Notice(
            kind=kind,
            subject=subject,
            lines=(first,),
            button=button,
            url=f"{self.newsletter.base_url}{path}",
            footnote=f"The link works for {self.settings.confirm_hours} hours. If you did not "
            f"{unasked}, ignore this email and nothing happens.",
        )
