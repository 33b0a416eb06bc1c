"""`digest serve`: the editor's desk, the archive, the subscriber pages and the webhooks.

The desk (`editor`: the dashboard at /, /editions/..., /login) needs DIGEST_EDITOR_TOKEN and a
signed-in session; the subscriber pages (`subscriber_pages`) carry signed tokens in their
links; the provider webhooks (`webhooks`) verify each provider's signature. /archive lists the
editions that were sent, /r/<token> counts a story click (`tracking`), /healthz answers
monitors. Every response carries the headers of `security`.

Pages come from the templates in pages.py; archived editions are the renderer's own
documents, served sandboxed as they are.
"""

from __future__ import annotations

import os
import sqlite3
import time
from collections.abc import Callable, Mapping
from datetime import UTC, datetime

from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import JSONResponse, RedirectResponse, Response
from starlette.routing import Route

from digest.config import Config
from digest.errors import DigestError, StateError
from digest.state import State, open_state
from digest.subscribers import MAX_BODY
from digest.tracking import tracking_settings_from_table
from digest.web.connections import BodyDeadline, ClientAddress
from digest.web.desk_auth import DeskAuth, LoginThrottle
from digest.web.editor import Desk, desk_routes
from digest.web.pages import render, static_mount
from digest.web.public import public_routes
from digest.web.security import SecurityHeaders, TrailingSlashes
from digest.web.sessions import ServerSessions
from digest.web.settings import web_settings_from_table
from digest.web.subscriber_pages import subscriber_routes
from digest.web.tracking import tracking_routes
from digest.web.webhooks import webhook_routes


def message(request: Request, title: str, text: str, status: int = 200) -> Response:
    """A page that says one sentence (not found, link not valid, done)."""
    return render(request, "message.html", {"title": title, "message": text}, status)


def create_app(
    cfg: Config, environ: Mapping[str, str], *, clock: Callable[[], datetime] | None = None
) -> Starlette:
    """The web app over one config; each request opens the state briefly (WAL allows readers).

    `clock` is the time the desk works with (tests set it); the real time by default.
    """
    now = clock or (lambda: datetime.now(UTC))
    tracking_settings_from_table(cfg.table("tracking"))  # a bad [tracking] fails at start
    web = web_settings_from_table(cfg.table("web"))

    def state() -> State:
        return open_state(cfg.state_database, busy_seconds=web.busy_seconds)

    def secret(st: State) -> str:
        return st.link_secret(environ.get("DIGEST_SECRET"))

    st = state()
    try:
        link_secret, accounts = secret(st), st.accounts.any()
    finally:
        st.close()
    desk = Desk(
        cfg=cfg,
        environ=environ,
        open_state=state,
        auth=DeskAuth(environ, link_secret, cfg.newsletter.base_url, accounts),
        clock=now,
        throttle=LoginThrottle(
            clock=time.monotonic if clock is None else lambda: now().timestamp()
        ),
        tracking=tracking_settings_from_table(cfg.table("tracking")).clicks,
        fetch_private=web.fetch_private,
    )

    async def old_preview(request: Request) -> Response:
        return RedirectResponse("/editions/next", 303)  # the query (an old ?k=) is dropped

    async def busy(request: Request, exc: Exception) -> Response:
        """The state database stayed locked past [web] busy_seconds, or cannot be reached:
        ask the client to come back rather than hold its connection."""
        if isinstance(exc, sqlite3.OperationalError) and not _busy(exc):
            raise exc
        text = "The newsletter is busy for a moment: please try again in a few seconds."
        response = message(request, "Busy", text, 503)
        response.headers["Retry-After"] = "5"
        return response

    async def healthz(request: Request) -> Response:
        def reachable() -> bool:
            try:
                with desk.state() as st:
                    st.db.conn.execute("SELECT 1").fetchone()
            except (DigestError, sqlite3.Error):
                return False
            return True

        ok = await run_in_threadpool(reachable)
        body = {"status": "ok" if ok else "unavailable", "database": "ok" if ok else "unreachable"}
        return JSONResponse(body, 200 if ok else 503, headers={"cache-control": "no-store"})

    app = Starlette(
        routes=[
            Route("/healthz", healthz),
            Route("/preview", old_preview),
            *public_routes(desk, message),
            *desk_routes(desk),
            *tracking_routes(cfg, secret, state, now),
            *subscriber_routes(cfg, environ, state, web),
            *webhook_routes(cfg, environ, state),
            static_mount(),
        ],
        middleware=[
            Middleware(ClientAddress, settings=web),
            Middleware(BodyDeadline, seconds=web.body_seconds, max_body=MAX_BODY),
            Middleware(SecurityHeaders),
            Middleware(TrailingSlashes),
            Middleware(ServerSessions, open_state=state, clock=now),
        ],
        exception_handlers={StateError: busy, sqlite3.OperationalError: busy},
    )
    app.router.redirect_slashes = False  # it would answer with the Host header's name
    return app


def app_from_environment() -> Starlette:
    """The app over $DIGEST_CONFIG: what each `digest serve --workers N` process serves."""
    from digest.config import config_path, load_config

    return create_app(load_config(config_path(None, os.environ)), os.environ)


def _busy(exc: sqlite3.OperationalError) -> bool:
    return "locked" in str(exc) or "busy" in str(exc)
