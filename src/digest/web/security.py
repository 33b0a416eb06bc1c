"""What every response of `digest serve` carries, and what it never does.

Headers on every page: a Content-Security-Policy with no inline script (scripts and styles
come from /static only), frame-ancestors limited to this site, `Referrer-Policy: same-origin`
(links out of a page never carry its address; forms still send their Origin), and
`X-Content-Type-Options: nosniff`. An email preview sets its own stricter policy: the document
is sandboxed (no script, no forms, an origin of its own), its inline styles allowed, its
images allowed or, for the "images off" view, refused.

Trailing slashes are redirected here with a path-only Location: Starlette's own redirect
builds an absolute URL from the Host header (`Host: evil.example` on /archive/ answered
`http://evil.example/archive`), so it is turned off.

Sessions are kept server-side in the state database (`sessions`).
"""

from __future__ import annotations

import ipaddress
from collections.abc import Mapping
from urllib.parse import quote

from starlette.datastructures import MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

PAGE_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "frame-src 'self'; frame-ancestors 'self'; form-action 'self'; base-uri 'none'; "
    "object-src 'none'"
)
_EMAIL_POLICY = (
    "default-src 'none'; style-src 'unsafe-inline'; font-src https: data:; img-src {images}; "
    "frame-ancestors 'self'; base-uri 'none'; form-action 'none'; "
    "sandbox allow-popups allow-popups-to-escape-sandbox"
)
HEADERS = {
    "x-content-type-options": "nosniff",
    "referrer-policy": "same-origin",
    "x-frame-options": "SAMEORIGIN",
    "cross-origin-opener-policy": "same-origin",
}


def email_policy(images: bool) -> str:
    """The policy of an email preview: sandboxed, images from the web or none at all."""
    return _EMAIL_POLICY.format(images="https: http: data:" if images else "'none'")


class SecurityHeaders:
    """Adds HEADERS and, unless the response set its own, the page policy."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                for name, value in HEADERS.items():
                    headers.setdefault(name, value)
                headers.setdefault("content-security-policy", PAGE_POLICY)
            await send(message)

        await self.app(scope, receive, with_headers)


class TrailingSlashes:
    """GET /archive/ -> 308 to /archive, as a path (never a host taken from the request)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        path = scope.get("path", "")
        if scope["type"] != "http" or path == "/" or not path.endswith("/"):
            await self.app(scope, receive, send)
            return
        # One leading slash and the rest percent-encoded: "//evil.example/", "/\\evil.example/"
        # or a tab must never become a protocol-relative "//evil.example" in a browser.
        target = "/" + quote(path.lstrip("/\\").rstrip("/"), safe="/-._~!$&'()*+,;=:@")
        query = scope.get("query_string", b"")
        location = target + ("?" + query.decode("latin-1") if query else "")
        await send(
            {
                "type": "http.response.start",
                "status": 308,
                "headers": [(b"location", location.encode("latin-1")), (b"content-length", b"0")],
            }
        )
        await send({"type": "http.response.body", "body": b""})


def loopback(host: str) -> bool:
    """127.0.0.0/8, ::1 and localhost: reachable from this machine only."""
    if host.strip().lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def bind_refusal(host: str, environ: Mapping[str, str]) -> str | None:
    """Why `digest serve` must not listen on `host`, or None when it may."""
    if environ.get("DIGEST_EDITOR_TOKEN") or loopback(host):
        return None
    return (
        f"serve --host {host}: refusing to listen beyond this machine while "
        "DIGEST_EDITOR_TOKEN is not set"
    )
