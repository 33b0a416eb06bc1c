"""The editor's desk in `digest serve`: pin or drop stories, write the intro, send a test.

Changes need the editor token (environment DIGEST_EDITOR_TOKEN), carried as `k` in the query
or the form; it doubles as the forms' CSRF token. Without the variable the desk is read-only.
"""

from __future__ import annotations

import hmac
import html
from collections.abc import Callable, Mapping
from datetime import UTC, datetime
from urllib.parse import urlencode

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

from digest.config import Config
from digest.errors import DigestError
from digest.state import Action, State

ENV_TOKEN = "DIGEST_EDITOR_TOKEN"


def editor_token(environ: Mapping[str, str]) -> str | None:
    return environ.get(ENV_TOKEN) or None


def authorised(given: str, environ: Mapping[str, str]) -> bool:
    token = editor_token(environ)
    return bool(token and given and hmac.compare_digest(token, given))


def desk_html(cfg: Config, state: State, environ: Mapping[str, str], key: str, note: str) -> str:
    """The list of waiting articles with the editor's controls (or a read-only list)."""
    articles = state.articles.unsent(datetime.now(UTC), cfg.newsletter.lookback_hours)
    choices = state.editorial.actions()
    can_edit = authorised(key, environ)
    hidden = f"<input type='hidden' name='k' value='{html.escape(key)}'>"
    rows = []
    for article in articles:
        choice = choices.get(article.key, "")
        label = f" <strong>({choice}ned)</strong>" if choice == "pin" else ""
        label = " <strong>(dropped)</strong>" if choice == "drop" else label
        buttons = ""
        if can_edit:
            buttons = "".join(
                f"<form method='post' action='/preview/choose' style='display:inline'>{hidden}"
                f"<input type='hidden' name='url' value='{html.escape(article.key)}'>"
                f"<button name='action' value='{action}'>{text}</button></form> "
                for action, text in (("pin", "Pin"), ("drop", "Drop"), ("reset", "Reset"))
            )
        rows.append(
            f"<li>{html.escape(article.section or '')} · "
            f"<a href='{html.escape(article.url)}'>{html.escape(article.title)}</a>{label} "
            f"{buttons}</li>"
        )
    intro = html.escape(state.editorial.intro() or "")
    if not can_edit:
        hint = (
            "Set DIGEST_EDITOR_TOKEN and open /preview?k=TOKEN to edit."
            if editor_token(environ) is None
            else "Open /preview?k=TOKEN to edit."
        )
        controls = f"<p>Intro: {intro or '(none)'}</p><p><em>{hint}</em></p>"
    else:
        controls = (
            f"<form method='post' action='/preview/intro'>{hidden}<p><label>Intro<br>"
            f"<textarea name='intro' rows='3' cols='60'>{intro}</textarea></label></p>"
            "<button>Save intro</button></form>"
            f"<form method='post' action='/preview/gather'>{hidden}"
            "<p><button>Gather new articles now</button></p></form>"
            f"<form method='post' action='/preview/approve'>{hidden}"
            "<p><button>Approve this edition as shown</button></p></form>"
            f"<form method='post' action='/preview/test'>{hidden}<p><label>Send a test to "
            "<input type='email' name='email' required></label> <button>Send test</button>"
            "</p></form>"
        )
    notice = f"<p role='status'><strong>{html.escape(note)}</strong></p>" if note else ""
    return f"{notice}<h2>Stories waiting</h2><ul>{''.join(rows)}</ul>{controls}"


def editor_routes(
    cfg: Config, environ: Mapping[str, str], open_state: Callable[[], State]
) -> list[Route]:
    """POST endpoints; each answers with a redirect back to the preview and a notice."""

    def back(key: str, note: str) -> Response:
        return RedirectResponse("/preview?" + urlencode({"k": key, "note": note}), 303)

    async def guarded(request: Request) -> tuple[dict[str, str], str] | Response:
        form = {k: str(v) for k, v in (await request.form()).items()}
        key = form.get("k", "")
        if not authorised(key, environ):
            return Response("editor token missing or wrong", status_code=403)
        return form, key

    async def choose(request: Request) -> Response:
        checked = await guarded(request)
        if isinstance(checked, Response):
            return checked
        form, key = checked
        actions: dict[str, Action | None] = {"pin": "pin", "drop": "drop", "reset": None}
        action = form.get("action", "")
        if action not in actions:
            return Response("action must be pin, drop or reset", status_code=400)
        state = open_state()
        try:
            now = datetime.now(UTC)
            url = form.get("url", "")
            if not state.articles.is_waiting(url, now, cfg.newsletter.lookback_hours):
                return Response("not an article waiting for the next edition", status_code=400)
            state.editorial.choose(url, actions[action], now)
        finally:
            state.close()
        return back(key, f"{action}: {url}")

    async def intro(request: Request) -> Response:
        checked = await guarded(request)
        if isinstance(checked, Response):
            return checked
        form, key = checked
        state = open_state()
        try:
            state.editorial.set_intro(form.get("intro"), datetime.now(UTC))
        finally:
            state.close()
        return back(key, "intro saved")

    async def test(request: Request) -> Response:
        checked = await guarded(request)
        if isinstance(checked, Response):
            return checked
        form, key = checked
        from digest.editorial import send_test

        def send() -> str:
            state = open_state()
            try:
                sent = send_test(cfg, state, environ, form.get("email", ""), datetime.now(UTC))
            finally:
                state.close()
            return sent or "nothing to send: no articles wait for the next edition"

        try:
            # Gathering runs its own event loop and SQLite stays on one thread: use a worker.
            note = await run_in_threadpool(send)
        except DigestError as exc:
            note = f"test not sent: {exc}"
        return back(key, note)

    async def approve(request: Request) -> Response:
        checked = await guarded(request)
        if isinstance(checked, Response):
            return checked
        from digest.editorial import approve as approve_next

        def approve_now() -> str:
            state = open_state()
            try:
                digest = approve_next(cfg, state, datetime.now(UTC), environ)
            finally:
                state.close()
            if digest is None:
                return "nothing to approve: no articles wait for the next edition"
            return f"approved: {digest.subject} ({len(digest.stories)} stories)"

        return back(checked[1], await run_in_threadpool(approve_now))

    async def gather(request: Request) -> Response:
        checked = await guarded(request)
        if isinstance(checked, Response):
            return checked
        from digest import pipeline

        def gather_now() -> str:
            state = open_state()
            try:
                settings = pipeline.stage_settings(cfg)
                result = pipeline.gather(cfg, state, settings, datetime.now(UTC))
            finally:
                state.close()
            failed = [s.name for s in result.statuses if s.status == "error"]
            return f"gathered {len(result.articles)} article(s)" + (
                f"; failed: {', '.join(failed)}" if failed else ""
            )

        return back(checked[1], await run_in_threadpool(gather_now))

    return [
        Route("/preview/gather", gather, methods=["POST"]),
        Route("/preview/approve", approve, methods=["POST"]),
        Route("/preview/choose", choose, methods=["POST"]),
        Route("/preview/intro", intro, methods=["POST"]),
        Route("/preview/test", test, methods=["POST"]),
    ]
