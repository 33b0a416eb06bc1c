"""`digest serve`: editor preview, the archive, one-click unsubscribe and preferences.

Unsubscribe and preference links carry an HMAC of the address (see subscribers.py), so nobody
can unsubscribe someone else. POST /unsubscribe answers RFC 8058 one-click requests from mail
clients (body `List-Unsubscribe=One-Click`) as well as the confirmation form.
"""

from __future__ import annotations

import html
from collections.abc import Mapping
from datetime import UTC, datetime

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import HTMLResponse, PlainTextResponse, Response
from starlette.routing import Route

from digest.config import Config
from digest.state import State, open_state
from digest.subscribers import verify_token
from digest.web.editor import desk_html, editor_routes

PAGE = """<!doctype html><html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{title}</title><style>
body{{font-family:system-ui,sans-serif;max-width:60rem;margin:2rem auto;padding:0 1rem;
color:#1f2937}}
a{{color:#1d4ed8}} button{{font-size:1rem;padding:.5rem 1rem}}
.views{{display:flex;gap:1rem;flex-wrap:wrap;align-items:flex-start}}
iframe{{border:1px solid #d1d5db;background:#fff}} pre{{white-space:pre-wrap;max-width:40rem}}
</style></head><body><h1>{title}</h1>{body}</body></html>"""


def page(title: str, body: str, status: int = 200) -> HTMLResponse:
    return HTMLResponse(PAGE.format(title=html.escape(title), body=body), status_code=status)


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
        title = html.escape(cfg.newsletter.title)
        body = (
            f"<p>{title}</p><ul><li><a href='/preview'>Preview the next edition</a></li>"
            "<li><a href='/archive'>Archive</a></li></ul>"
        )
        return page(cfg.newsletter.title, body)

    async def preview(request: Request) -> Response:
        st = state()
        try:
            desk = desk_html(
                cfg,
                st,
                environ,
                request.query_params.get("k", ""),
                request.query_params.get("note", ""),
            )
        finally:
            st.close()
        body = desk + (
            "<p>The next edition from the articles gathered so far "
            "(run <code>digest gather</code> to refresh).</p><div class='views'>"
            "<div><h2>Desktop</h2><iframe src='/preview/html' width='660' height='900'"
            " title='desktop view'></iframe></div>"
            "<div><h2>Phone (375 px)</h2><iframe src='/preview/html' width='375' height='900'"
            " title='phone view'></iframe></div>"
            "<div><h2>Plain text</h2><iframe src='/preview/text' width='420' height='900'"
            " title='plain text view'></iframe></div></div>"
        )
        return page("Preview", body)

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
            return page("Nothing to preview", "<p>No unsent articles yet.</p>", 404)
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
        items = "".join(
            f"<li><a href='/archive/{html.escape(r.id)}'>{html.escape(r.id)}</a>: "
            f"{html.escape(r.subject)}</li>"
            for r in records
        )
        return page("Archive", f"<ul>{items}</ul>" if items else "<p>No editions yet.</p>")

    async def archived(request: Request) -> Response:
        st = state()
        try:
            record = st.editions.get(request.path_params["edition"])
        finally:
            st.close()
        if record is None:
            return page("Not found", "<p>No such edition.</p>", 404)
        return HTMLResponse(record.browser_html)

    async def unsubscribe(request: Request) -> Response:
        st = state()
        try:
            email = verified(request, st)
            if email is None:
                return page("Link not valid", "<p>This unsubscribe link is not valid.</p>", 400)
            if request.method == "POST":
                st.ledger.suppress(email, "unsubscribed")
                return page("Unsubscribed", f"<p>{html.escape(email)} will get no more emails.</p>")
        finally:
            st.close()
        form = (
            f"<p>Stop sending {html.escape(cfg.newsletter.title)} to {html.escape(email)}?</p>"
            "<form method='post'><button type='submit'>Unsubscribe</button></form>"
        )
        return page("Unsubscribe", form)

    async def preferences(request: Request) -> Response:
        st = state()
        try:
            email = verified(request, st)
            if email is None:
                return page("Link not valid", "<p>This preferences link is not valid.</p>", 400)
            sections = sorted({s.section for s in cfg.sources if s.section})
            if request.method == "POST":
                form = await request.form()
                chosen = tuple(s for s in sections if form.get(f"s:{s}"))
                st.preferences.choose(email, chosen, datetime.now(UTC))
            current = st.preferences.sections(email) or ()
        finally:
            st.close()
        boxes = "".join(
            f"<p><label><input type='checkbox' name='s:{html.escape(s)}'"
            f"{' checked' if not current or s in current else ''}> {html.escape(s)}</label></p>"
            for s in sections
        )
        body = (
            f"<p>Sections {html.escape(email)} receives (none ticked = all):</p>"
            f"<form method='post'>{boxes}<button type='submit'>Save</button></form>"
        )
        return page("Preferences", body)

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
        ]
    )
