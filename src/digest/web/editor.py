"""The editor's desk in `digest serve`: what every desk page and action shares, and its routes.

Pages: `/` (the dashboard, for a signed-in editor; the newsletter's front page for anybody
else), `/editions/next` and `/editions/<id>` (`desk_pages`), their raw email views
(`desk_preview`), the actions posted from them (`desk_actions`), a story added by URL
(`desk_add_story`), the approved edition sent (`desk_send`), `/login`, `/logout` and
`/logout/everywhere` (`desk_login`) and `/invite/<token>` (`desk_accounts`). Without
DIGEST_EDITOR_TOKEN every desk route answers 404 with a page saying how to turn the desk on.
Pages are never cached; forms post back and answer with a redirect (so a reload never posts
twice), and desk.js does the same in the background and swaps in the page regions that changed.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

from digest.config import Config
from digest.editorial import MAX_HEADLINE
from digest.gather import FetchSettings, fetch_settings_from_table
from digest.render import render_settings_from_table
from digest.state import State
from digest.web.desk_accounts import invite_routes
from digest.web.desk_actions import action_routes
from digest.web.desk_add_story import add_routes
from digest.web.desk_auth import DeskAuth, LoginThrottle, read_form
from digest.web.desk_login import login_routes
from digest.web.desk_pages import page_routes
from digest.web.desk_preview import preview_routes
from digest.web.desk_send import send_routes
from digest.web.pages import render

FLASH_KINDS = ("success", "error")
log = logging.getLogger("digest.desk")  # sign-ins and refusals, never the token


@dataclass
class Desk:
    """The desk's configuration, its state database, who is signed in, and the clock."""

    cfg: Config
    environ: Mapping[str, str]
    open_state: Callable[[], State]
    auth: DeskAuth
    clock: Callable[[], datetime]
    throttle: LoginThrottle
    tracking: bool = False  # [tracking] clicks: the results show clicks per story
    fetch_private: bool = False  # [web] fetch_private: add stories from non-public addresses

    @property
    def fetch_settings(self) -> FetchSettings:
        """The gatherer's limits ([gather]), for a story added by URL."""
        return fetch_settings_from_table(self.cfg.table("gather"))

    @property
    def headline_chars(self) -> int:
        """How long a headline the desk shows: as the email cuts it, at most MAX_HEADLINE."""
        limit = render_settings_from_table(self.cfg.table("render"), base_dir=self.cfg.base_dir)
        return min(limit.max_headline_chars, MAX_HEADLINE)

    @contextmanager
    def state(self) -> Iterator[State]:
        st = self.open_state()
        try:
            yield st
        finally:
            st.close()

    def secret(self, st: State) -> str:
        return st.link_secret(self.environ.get("DIGEST_SECRET"))

    def flash(self, request: Request, text: str, kind: str = "success") -> None:
        """A one-line result shown once, on the next page the editor sees."""
        request.session["flash"] = {"kind": kind, "text": text}

    def page(
        self,
        request: Request,
        name: str,
        context: Mapping[str, object],
        status: int = 200,
        *,
        error: str = "",
    ) -> Response:
        """A desk page: the signed-in editor, the forms' CSRF token and the flash message."""
        shown = request.session.pop("flash", None) if status < 400 else None
        if error:
            shown = {"kind": "error", "text": error}
        flash = shown if isinstance(shown, dict) and shown.get("kind") in FLASH_KINDS else None
        full = {
            "newsletter": self.cfg.newsletter.title,
            "editor": self.auth.editor(request) or "",
            "csrf": self.auth.csrf(request) if self.auth.enabled else "",
            "flash": flash,
            "nav": "",
            **context,
        }
        response = render(request, name, full, status)
        response.headers["cache-control"] = "no-store"
        return response

    def refuse(self, request: Request, status: int, title: str, text: str) -> Response:
        return self.page(request, "desk_message.html", {"title": title, "message": text}, status)

    def off(self, request: Request) -> Response:
        return self.refuse(
            request,
            404,
            "The editor's desk is off",
            "Set DIGEST_EDITOR_TOKEN in the environment of `digest serve` to turn it on.",
        )

    def signed_in(self, request: Request) -> str | Response:
        """The editor's name for a desk page; otherwise the answer to send instead."""
        if not self.auth.enabled:
            return self.off(request)
        editor = self.auth.editor(request)
        if editor is None:
            if "." not in request.url.path.rsplit("/", 1)[-1]:  # a page, not a raw view
                request.session["next"] = request.url.path
            return RedirectResponse("/login", 303)
        return editor

    async def guarded(self, request: Request) -> tuple[str, dict[str, str]] | Response:
        """The editor and the form of a desk POST, checked: session, size, Origin, CSRF."""
        if not self.auth.enabled:
            return self.off(request)
        editor = self.auth.editor(request)
        if editor is None:
            return self.refuse(request, 403, "Signed out", "Sign in again to make changes.")
        form = await read_form(request)
        if form is None:
            return self.refuse(request, 400, "Not a form", "That request was not a desk form.")
        if not self.auth.form_ok(request, form):
            return self.refuse(
                request,
                403,
                "Form expired",
                "That form did not come from this page: reload it and try again.",
            )
        return editor, form


def desk_routes(desk: Desk) -> list[Route]:
    """Every route of the desk (the dashboard at / is the app's: it is public without a
    session)."""
    return [
        *login_routes(desk),
        *invite_routes(desk),
        *page_routes(desk),
        *preview_routes(desk),
        *action_routes(desk),
        *add_routes(desk),
        *send_routes(desk),
    ]
