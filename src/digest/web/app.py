"""`digest serve`: editor preview, the archive, one-click unsubscribe and preferences.

Unsubscribe and preference links carry an HMAC of the address (see subscribers.py), so nobody
can unsubscribe someone else. POST /unsubscribe answers RFC 8058 one-click requests from mail
clients (body `List-Unsubscribe=One-Click`) as well as the confirmation form.

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
from digest.subscribers import verify_token
from digest.web.editor import desk, editor_routes
from digest.web.pages import render, static_mount


def message(request: Request, title: str, text: str, status: int = 200) -> Response:
    """A page that says one sentence (not found, link not valid, done)."""
    return render(request, "message.html", {"title": title, "message": text}, status)


def create_app(cfg: Config, environ: Mapping[str, str]) -> Starlette:
    """The web app over one config; each request opens the state briefly (WAL allows readers)."""

    def state() -> State:
        return open_state(cfg.state_database)

    def secret(st: State) -> str:
        return st.link_secret(environ.get("DIGEST_SECRET"))

    def verified(request: Request, st: State) -> str | None:
        email = request.query_params.get("e", "")
        token = request.query_params.get("t", "")
        return email if email and token and verify_token(secret(st), email, token) else None

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

    async def unsubscribe(request: Request) -> Response:
        st = state()
        try:
            email = verified(request, st)
            if email is None:
                text = "This unsubscribe link is not valid."
                return message(request, "Link not valid", text, 400)
            if request.method == "POST":
                st.ledger.suppress(email, "unsubscribed")
                return message(request, "Unsubscribed", f"{email} will get no more emails.")
        finally:
            st.close()
        context = {"newsletter": cfg.newsletter.title, "email": email}
        return render(request, "unsubscribe.html", context)

    async def preferences(request: Request) -> Response:
        st = state()
        try:
            email = verified(request, st)
            if email is None:
                text = "This preferences link is not valid."
                return message(request, "Link not valid", text, 400)
            sections = sorted({s.section for s in cfg.sources if s.section})
            if request.method == "POST":
                form = await request.form()
                chosen = tuple(s for s in sections if form.get(f"s:{s}"))
                st.preferences.choose(email, chosen, datetime.now(UTC))
            current = st.preferences.sections(email) or ()
        finally:
            st.close()
        context = {"email": email, "sections": sections, "current": current}
        return render(request, "preferences.html", context)

    return Starlette(
        routes=[
            Route("/", index),
            Route("/preview", preview),
            Route("/preview/html", preview_html),
            Route("/preview/text", preview_text),
            Route("/archive", archive),
            Route("/archive/{edition}", archived),
            Route("/unsubscribe", unsubscribe, methods=["GET", "POST"]),
            Route("/preferences", preferences, methods=["GET", "POST"]),
            *editor_routes(cfg, environ, state),
            static_mount(),
        ]
    )
