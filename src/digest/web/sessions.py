"""Sessions of `digest serve`, kept in the state database (`state.sessions`).

The cookie (`digest_desk`: HttpOnly, SameSite=Lax, Secure when the request came over https)
holds only a random id. `request.session` works as with Starlette's SessionMiddleware: the
row is read before the route runs and written back (in a worker thread: SQLite is never
touched on the event loop) when the route changed it. A new id is issued whenever the
session's account changes (sign-in, sign-out), so an id known before signing in is worth
nothing after (session fixation). A session lasts SESSION_SECONDS from its creation.
"""

from __future__ import annotations

import json
import secrets
from collections.abc import Callable
from datetime import datetime, timedelta
from http.cookies import SimpleCookie
from typing import Any

from starlette.concurrency import run_in_threadpool
from starlette.datastructures import MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from digest.state import State

SESSION_COOKIE = "digest_desk"
SESSION_SECONDS = 12 * 3600  # one working day; then the editor signs in again
ACCOUNT = "account"  # the session key naming who signed in ("" or absent: nobody)


def _cookie(scope: Scope) -> str:
    for name, value in scope.get("headers", []):
        if name == b"cookie":
            jar: SimpleCookie = SimpleCookie()
            try:
                jar.load(value.decode("latin-1"))
            except Exception:  # a malformed Cookie header is no session, never a 500
                return ""
            if SESSION_COOKIE in jar:
                return jar[SESSION_COOKIE].value[:100]
    return ""


class ServerSessions:
    def __init__(
        self, app: ASGIApp, open_state: Callable[[], State], clock: Callable[[], datetime]
    ) -> None:
        self.app = app
        self.open_state = open_state
        self.clock = clock

    def _load(self, session_id: str) -> dict[str, Any] | None:
        st = self.open_state()
        try:
            return st.sessions.load(session_id, self.clock())
        finally:
            st.close()

    def _save(self, old: str, data: dict[str, Any], rotate: bool) -> str:
        """Write the session back; its id (a new one when the account changed)."""
        st = self.open_state()
        try:
            if old and rotate:
                st.sessions.end(old)
            session_id = old if old and not rotate else secrets.token_urlsafe(32)
            if data:
                now = self.clock()
                account = str(data.get(ACCOUNT) or "")
                expires = now + timedelta(seconds=SESSION_SECONDS)
                st.sessions.save(session_id, account, data, now, expires)
            elif old:
                st.sessions.end(old)
            return session_id if data else ""
        finally:
            st.close()

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        sent = _cookie(scope)
        loaded = await run_in_threadpool(self._load, sent) if sent else None
        session_id = sent if loaded is not None else ""
        scope["session"] = dict(loaded or {})
        before = json.dumps(loaded or {}, sort_keys=True)
        account = (loaded or {}).get(ACCOUNT)
        secure = scope.get("scheme") in ("https", "wss")

        async def saving(message: Message) -> None:
            if message["type"] == "http.response.start":
                data = scope["session"]
                if json.dumps(data, sort_keys=True) != before or (sent and not session_id):
                    rotate = data.get(ACCOUNT) != account
                    new = await run_in_threadpool(self._save, session_id, data, rotate)
                    headers = MutableHeaders(scope=message)
                    headers.append("set-cookie", self._set_cookie(new, secure))
            await send(message)

        await self.app(scope, receive, saving)

    @staticmethod
    def _set_cookie(session_id: str, secure: bool) -> str:
        age = SESSION_SECONDS if session_id else 0
        value = session_id or "null"
        flags = "; secure" if secure else ""
        return f"{SESSION_COOKIE}={value}; path=/; Max-Age={age}; httponly; samesite=lax{flags}"
