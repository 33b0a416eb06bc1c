"""The editor's desk in `digest serve`: pin or drop stories, write the intro, send a test.

Changes need the editor token (environment DIGEST_EDITOR_TOKEN), carried as `k` in the query
or the form; it doubles as the forms' CSRF token. Without the variable the desk is read-only.
"""

from __future__ import annotations

import hmac
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from urllib.parse import urlencode

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

from digest.config import Config
from digest.errors import DigestError
from digest.models import Article
from digest.state import Action, State

ENV_TOKEN = "DIGEST_EDITOR_TOKEN"


def editor_token(environ: Mapping[str, str]) -> str | None:
    return environ.get(ENV_TOKEN) or None


def authorised(given: str, environ: Mapping[str, str]) -> bool:
    token = editor_token(environ)
    return bool(token and given and hmac.compare_digest(token, given))


@dataclass(frozen=True)
class Waiting:
    """An article waiting for the next edition, with the editor's choice ("pin", "drop", "")."""

    article: Article
    choice: str


@dataclass(frozen=True)
class Desk:
    """What `_desk.html` shows: the waiting stories, and controls when `key` is the token."""

    stories: tuple[Waiting, ...]
    intro: str
    note: str
    key: str
    can_edit: bool
    token_set: bool


def desk(cfg: Config, state: State, environ: Mapping[str, str], key: str, note: str) -> Desk:
    """The waiting articles and the editor's state, for the preview page to render."""
    articles = state.articles.unsent(datetime.now(UTC), cfg.newsletter.lookback_hours)
    choices = state.editorial.actions()
    return Desk(
        stories=tuple(Waiting(a, choices.get(a.key, "")) for a in articles),
        intro=state.editorial.intro() or "",
        note=note,
        key=key,
        can_edit=authorised(key, environ),
        token_set=editor_token(environ) is not None,
    )


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
