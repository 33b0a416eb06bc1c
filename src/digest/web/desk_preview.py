"""The raw views of an edition, for the desk's preview frames and for download:
`/editions/<id>/email.html`, `email.txt` and `message.eml` (`<id>` is `next` for the edition
being prepared).

Each is a real message from the send path (`digest.deliver`): the sample reader's copy, or
with `?as=<subscriber id>` that subscriber's own (their sections, greeting and links). No
second renderer: the views differ only in how the browser is asked to show the same bytes.
`?images=off` refuses every image through the frame's Content-Security-Policy, so the email
shows as a client with images off shows it; `?scheme=dark` applies the email's own dark-mode
rules unconditionally, as a mail app in dark mode does (Chromium does not carry a frame's
color-scheme into the framed document's `prefers-color-scheme`, so the desk cannot ask for
it). The HTML is served sandboxed: no script runs in it, and it has an origin of its own.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from digest.deliver import message_for, preview
from digest.editions import revived
from digest.editorial import next_edition
from digest.models import OutgoingMessage
from digest.subscribers import as_subscriber
from digest.web.security import email_policy

if TYPE_CHECKING:
    from digest.web.editor import Desk

DARK_RULES = re.compile(r"@media\s*\(\s*prefers-color-scheme\s*:\s*dark\s*\)", re.IGNORECASE)
TEXT_POLICY = "default-src 'none'; frame-ancestors 'self'; sandbox"
MAX_ID = 12


def forced_dark(html: str) -> str:
    """The email with its dark-mode rules applied whatever the reader's setting."""
    return DARK_RULES.sub("@media all", html)


def message_of(desk: Desk, edition: str, subscriber_id: str) -> OutgoingMessage | str | None:
    """The message shown: the sample reader's, or the subscriber's whose id is given; None
    when there is no such edition (or nothing to build); a reason when `as` is wrong."""
    with desk.state() as st:
        if edition == "next":
            now = desk.clock()
            built, _ = next_edition(desk.cfg, st, now, desk.environ)
            if built is None:
                return None
            rendered = built.rendered
        else:
            record = st.editions.get(edition)
            if record is None:
                return None
            rendered, now = revived(record), record.created
        secret = desk.secret(st)
        if not subscriber_id:
            return preview(desk.cfg.newsletter, rendered, secret, now)[1]
        if (
            not subscriber_id.isascii()
            or not subscriber_id.isdigit()
            or len(subscriber_id) > MAX_ID
        ):
            return "as: a subscriber id"
        found = st.subscribers.by_id(int(subscriber_id))
        if found is None:
            return "as: no such subscriber"
        return message_for(desk.cfg.newsletter, rendered, as_subscriber(found, now), secret, now)


def preview_routes(desk: Desk) -> list[Route]:
    async def shown(request: Request) -> OutgoingMessage | Response:
        signed = desk.signed_in(request)
        if isinstance(signed, Response):
            return signed
        edition = request.path_params["edition"]
        found = await run_in_threadpool(
            message_of, desk, edition, request.query_params.get("as", "")
        )
        if isinstance(found, str):
            return desk.refuse(request, 400, "Not a preview", found)
        if found is None:
            return desk.refuse(request, 404, "Not found", f"No edition {edition} to show.")
        return found

    def raw(body: str | bytes, media: str, policy: str) -> Response:
        response = Response(body, media_type=media)
        response.headers["content-security-policy"] = policy
        response.headers["cache-control"] = "no-store"
        return response

    async def email_html(request: Request) -> Response:
        found = await shown(request)
        if isinstance(found, Response):
            return found
        params = request.query_params
        html = forced_dark(found.html) if params.get("scheme") == "dark" else found.html
        return raw(html, "text/html", email_policy(params.get("images") != "off"))

    async def email_text(request: Request) -> Response:
        found = await shown(request)
        if isinstance(found, Response):
            return found
        return raw(found.text, "text/plain", TEXT_POLICY)

    async def message_eml(request: Request) -> Response:
        found = await shown(request)
        if isinstance(found, Response):
            return found
        response = raw(found.raw, "message/rfc822", TEXT_POLICY)
        name = re.sub(r"[^A-Za-z0-9-]+", "-", request.path_params["edition"])
        response.headers["content-disposition"] = f'attachment; filename="{name}.eml"'
        return response

    return [
        Route("/editions/{edition}/email.html", email_html, methods=["GET"]),
        Route("/editions/{edition}/email.txt", email_text, methods=["GET"]),
        Route("/editions/{edition}/message.eml", message_eml, methods=["GET"]),
    ]
