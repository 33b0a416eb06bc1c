"""GET /r/<token>: a story link of an edition with click tracking on (`digest.tracking`).

It redirects only to the URL a token signed here carries, and for a stored edition only when
that edition contains the token; each GET counts one click on that story of that edition (a
HEAD, as link checkers send, does not). Unsent editions (previews, test sends) redirect
without counting. Anything else is a 404 page.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

from digest.config import Config
from digest.state import State
from digest.tracking import click_target
from digest.web.pages import render


def tracking_routes(
    cfg: Config,
    secret: Callable[[State], str],
    open_state: Callable[[], State],
    clock: Callable[[], datetime],
) -> list[Route]:
    def follow(token: str, count: bool) -> str | None:
        st = open_state()
        try:
            target = click_target(secret(st), cfg.newsletter, token)
            if target is None:
                return None
            edition_id, url = target
            record = st.editions.get(edition_id)
            if record is not None:
                carried = f"{record.rendered.get('html', '')}{record.rendered.get('text', '')}"
                if token not in carried:
                    return None
                if count:
                    st.clicks.record(edition_id, url, clock())
            return url
        finally:
            st.close()

    async def redirect(request: Request) -> Response:
        token = request.path_params["token"]
        url = await run_in_threadpool(follow, token, request.method == "GET")
        if url is None:
            context = {"title": "Link not found", "message": "This link is not one of ours."}
            return render(request, "message.html", context, 404)
        response = RedirectResponse(url, 302)
        response.headers["cache-control"] = "no-store"
        response.headers["referrer-policy"] = "no-referrer"
        return response

    return [Route("/r/{token}", redirect, methods=["GET"])]
