"""Who is asking, and how long they may take: the client address behind trusted proxies, and a
deadline for a request's body.

`ClientAddress`: X-Forwarded-For and X-Forwarded-Proto are believed only from a peer in
`[web] trusted_proxies`; the visitor is the nearest address in X-Forwarded-For that is not a
trusted proxy. Every limit (sign-ups, preferences links, desk logins) keys on that address.
uvicorn's own proxy handling is off (`digest serve`): by default it trusts any X-Forwarded-For
from 127.0.0.1, so a local proxy would let visitors pick their own address.

`BodyDeadline`: a body must arrive within `[web] body_seconds` (a request that declares 100 GB
and sends 7 bytes would otherwise hold its connection for ever): 408 and the connection closed;
a declared Content-Length over `max_body` is a 413 before any of it is read.
"""

from __future__ import annotations

import time

import anyio
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from digest.web.settings import WebSettings


class ClientAddress:
    """Sets the ASGI scope's client (and scheme) from a trusted proxy's headers."""

    def __init__(self, app: ASGIApp, settings: WebSettings) -> None:
        self.app = app
        self.settings = settings

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        peer = scope.get("client")
        if scope["type"] == "http" and peer and self.settings.trusts(peer[0]):
            headers = dict(scope.get("headers") or [])
            forwarded = headers.get(b"x-forwarded-for", b"").decode("latin-1")
            hops = [hop.strip() for hop in forwarded.split(",") if hop.strip()]
            visitor = next((hop for hop in reversed(hops) if not self.settings.trusts(hop)), None)
            if visitor is None and hops:
                visitor = hops[0]  # every hop is trusted: the first is the one furthest out
            scope = dict(scope)
            if visitor:
                scope["client"] = (visitor, 0)
            proto = headers.get(b"x-forwarded-proto", b"").decode("latin-1").strip().lower()
            if proto in ("http", "https"):
                scope["scheme"] = proto
        await self.app(scope, receive, send)


class BodyTooSlow(Exception):
    """The body did not arrive within the deadline."""


class BodyDeadline:
    """408 for a body slower than the deadline; 413 for a declared length over `max_body`."""

    def __init__(self, app: ASGIApp, seconds: float, max_body: int) -> None:
        self.app = app
        self.seconds = seconds
        self.max_body = max_body

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        declared = dict(scope.get("headers") or []).get(b"content-length", b"")
        if declared.isdigit() and int(declared) > self.max_body:
            await _answer(send, 413, b"Request body too large.\n")
            return
        deadline = time.monotonic() + self.seconds
        started = body_done = False

        async def timed_receive() -> Message:
            nonlocal body_done
            if body_done:  # only the body is timed, not a wait for the client to go away
                return await receive()
            remaining = deadline - time.monotonic()
            try:
                with anyio.fail_after(max(remaining, 0.0)):
                    message = await receive()
            except TimeoutError:
                raise BodyTooSlow from None
            body_done = message["type"] != "http.request" or not message.get("more_body", False)
            return message

        async def watched_send(message: Message) -> None:
            nonlocal started
            started = started or message["type"] == "http.response.start"
            await send(message)

        try:
            await self.app(scope, timed_receive, watched_send)
        except BodyTooSlow:
            if not started:
                await _answer(send, 408, b"The request body did not arrive in time.\n")


async def _answer(send: Send, status: int, body: bytes) -> None:
    await send(
        {
            "type": "http.response.start",
            "status": status,
            "headers": [
                (b"content-type", b"text/plain; charset=utf-8"),
                (b"content-length", str(len(body)).encode()),
                (b"connection", b"close"),
            ],
        }
    )
    await send({"type": "http.response.body", "body": body})
