"""Signing in and out of the desk: GET and POST /login, POST /logout and /logout/everywhere.

At /login a name and a secret: the password of the editor account of that name, or (for a
name that is no account) DIGEST_EDITOR_TOKEN when it is set, for one-person newsletters. A
name that is an account never signs in with the token, so "approved by" names who approved.
Wrong secrets are held back per client address and per account at that address
(`LoginThrottle`): never for everybody. The client address is `request.client.host`, set by
`connections.ClientAddress` from [web] trusted_proxies.
"""

from __future__ import annotations

import logging
from functools import partial
from typing import TYPE_CHECKING

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

from digest.state import ACCOUNT_PREFIX
from digest.web.desk_accounts import check_password
from digest.web.desk_auth import clean_name, read_form

if TYPE_CHECKING:
    from digest.web.editor import Desk

log = logging.getLogger("digest.desk")  # sign-ins and refusals, never a password or token


def login_routes(desk: Desk) -> list[Route]:
    return [
        Route("/login", partial(login_form, desk), methods=["GET"]),
        Route("/login", partial(login, desk), methods=["POST"]),
        Route("/logout", partial(logout, desk), methods=["POST"]),
        Route("/logout/everywhere", partial(logout_everywhere, desk), methods=["POST"]),
    ]


def client(request: Request) -> str:
    return request.client.host if request.client else "unknown"


def login_page(
    desk: Desk, request: Request, status: int = 200, error: str = "", name: str = ""
) -> Response:
    context = {"title": "Sign in", "name": name, "token_mode": bool(desk.auth.token)}
    return desk.page(request, "desk_login.html", context, status, error=error)


async def enabled(desk: Desk) -> bool:
    """Whether the desk is on: DIGEST_EDITOR_TOKEN, or an account (one added since start)."""
    if not desk.auth.enabled:

        def any_account() -> bool:
            with desk.state() as st:
                return st.accounts.any()

        desk.auth.accounts = await run_in_threadpool(any_account)
    return desk.auth.enabled


async def login_form(desk: Desk, request: Request) -> Response:
    if not await enabled(desk):
        return desk.off(request)
    if desk.auth.editor(request):
        return RedirectResponse("/", 303)
    return login_page(desk, request)


def held_back(desk: Desk, request: Request, wait: float) -> Response:
    log.warning("desk sign-in from %s held back: too many wrong passwords", client(request))
    response = login_page(desk, request, 429, "Too many wrong passwords: try again later.")
    response.headers["retry-after"] = str(int(wait))
    return response


async def login(desk: Desk, request: Request) -> Response:
    if not await enabled(desk):
        return desk.off(request)
    address = client(request)
    wait = desk.throttle.blocked(address)
    if wait:
        return held_back(desk, request, wait)
    form = await read_form(request, 8 * 1024)
    if form is None or not desk.auth.form_ok(request, form):
        text = "This sign-in form expired or did not come from this site: try again."
        return login_page(desk, request, 403, text)
    name = clean_name(form.get("name", ""))
    if name is None:
        text = "Give your name (up to 80 characters): approvals record it."
        return login_page(desk, request, 400, text)
    wait = desk.throttle.blocked(address, name)
    if wait:
        return held_back(desk, request, wait)
    secret, target = form.get("token", ""), request.session.get("next")
    known = await run_in_threadpool(check_password, desk, name, secret)
    if known is None and desk.auth.accepts(secret):
        desk.auth.sign_in(request, name)  # the token, for a name that is no account
    elif known:
        desk.auth.sign_in(request, name, ACCOUNT_PREFIX + name)
    else:
        desk.throttle.failed(address, name)
        log.warning("desk sign-in refused from %s: wrong password or token", address)
        wrong = known is not None or not desk.auth.token
        text = "That name and password do not match." if wrong else "That is not the editor token."
        return login_page(desk, request, 401, text, name)
    log.info("desk sign-in: %s from %s", name, address)
    desk.flash(request, f"Signed in as {name}.")
    where = target if isinstance(target, str) and target.startswith("/editions/") else "/"
    return RedirectResponse(where, 303)


async def logout(desk: Desk, request: Request) -> Response:
    checked = await desk.guarded(request)
    if isinstance(checked, Response):
        return checked
    request.session.clear()  # the session's row goes with it (`sessions`)
    desk.flash(request, "Signed out.")
    return RedirectResponse("/login", 303)


async def logout_everywhere(desk: Desk, request: Request) -> Response:
    checked = await desk.guarded(request)
    if isinstance(checked, Response):
        return checked
    account = desk.auth.account(request)

    def end() -> int:
        with desk.state() as st:
            return st.sessions.end_account(account)

    ended = await run_in_threadpool(end)
    log.info("desk sign-out everywhere: %s (%d sessions)", checked[0], ended)
    request.session.clear()
    desk.flash(request, f"Signed out everywhere: {ended} session(s) ended.")
    return RedirectResponse("/login", 303)
