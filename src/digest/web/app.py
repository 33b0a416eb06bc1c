"""`digest serve`: editor preview, the archive, and the subscriber pages.

The subscriber pages (sign-up, confirmation, preferences, one-click unsubscribe) are in
`subscriber_pages`; their links carry signed tokens, so nobody can act for someone else.

Pages come from the templates in pages.py; the preview bodies and archived editions are the
renderer's own documents and are served as they are.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import HTMLResponse, PlainTextResponse, Response
from starlette.routing import Route

from digest.config import Config
from digest.state import State, open_state
from digest.web.editor import desk, editor_routes
from digest.web.pages import render, static_mount
from digest.web.subscriber_pages import subscriber_routes


def message(request: Request, title: str, text: str, status: int = 200) -> Response:
    """A page that says one sentence (not found, link not valid, done)."""
    return render(request, "message.html", {"title": title, "message": text}, status)


def create_app(cfg: Config, environ: Mapping[str, str]) -> Starlette:
    """The web app over one config; each request opens the state briefly (WAL allows readers)."""

    def state() -> State:
        return open_state(cfg.state_database)

    def secret(st: State) -> str:
        return st.link_secret(environ.get("DIGEST_SECRET"))

    async def index(request: Request) -> Response:
        return render(request, "index.html", {"newsletter": cfg.newsletter.title})

    async def preview(request: Request) -> Response:
        st = state()
        try:
            shown = desk(
                cfg,
                st,
                environ,
                request.query_params.get("k", ""),
                request.query_params.get("note", ""),
            )
        finally:
            st.close()
        return render(request, "preview.html", {"desk": shown})

    def preview_message() -> tuple[str, str] | None:
        from digest import pipeline
        from digest.deliver import preview

        st = state()
        try:
            now = datetime.now(UTC)
            built, _ = pipeline.build(
                cfg, st, pipeline.stage_settings(cfg), now, environ, gather_first=False
            )
            if built is None:
                return None
            html, sample = preview(cfg.newsletter, built.rendered, secret(st), now)
            return html, sample.text
        finally:
            st.close()

    async def preview_html(request: Request) -> Response:
        found = preview_message()
        if found is None:
            return message(request, "Nothing to preview", "No unsent articles yet.", 404)
        return HTMLResponse(found[0])

    async def preview_text(request: Request) -> Response:
        found = preview_message()
        if found is None:
            return PlainTextResponse("No unsent articles yet.", status_code=404)
        return PlainTextResponse(found[1])

    async def archive(request: Request) -> Response:
        st = state()
        try:
            records = st.editions.recent(100)
        finally:
            st.close()
        return render(request, "archive.html", {"editions": records})

    async def archived(request: Request) -> Response:
        st = state()
        try:
            record = st.editions.get(request.path_params["edition"])
        finally:
            st.close()
        if record is None:
            return message(request, "Not found", "No such edition.", 404)
        return HTMLResponse(record.browser_html)

    return Starlette(
        routes=[
            Route("/", index),
            Route("/preview", preview),
            Route("/preview/html", preview_html),
            Route("/preview/text", preview_text),
            Route("/archive", archive),
            Route("/archive/{edition}", archived),
            *subscriber_routes(cfg, environ, state),
            *editor_routes(cfg, environ, state),
            static_mount(),
        ]
    )
