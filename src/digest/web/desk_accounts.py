"""Named editor accounts at the desk: passwords (Argon2id through argon2-cffi), the check at
sign-in, and the invitation page `/invite/<token>` where an account added with
`digest editors add NAME` sets its password once.

A session of an account is `account:NAME` in the sessions table (a token session is
`token`), so removing the account or "sign out everywhere" ends exactly its sessions.
"""

from __future__ import annotations

from functools import partial
from typing import TYPE_CHECKING

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

from digest.state import ACCOUNT_PREFIX
from digest.web.desk_auth import read_form

if TYPE_CHECKING:
    from digest.web.editor import Desk

HASHER = PasswordHasher()  # argon2-cffi's defaults: Argon2id, RFC 9106's low-memory profile
MIN_PASSWORD = 10
MAX_PASSWORD = 1024


def check_password(desk: Desk, name: str, password: str) -> bool | None:
    """In a worker thread: whether `password` is `name`'s (None: no such active account).
    A hash made with older parameters is renewed on success."""
    with desk.state() as st:
        account = st.accounts.get(name)
        if account is None or account.password_hash is None:
            return None
        try:
            HASHER.verify(account.password_hash, password)
        except (VerificationError, InvalidHashError):
            return False
        if HASHER.check_needs_rehash(account.password_hash):
            st.accounts.set_hash(name, HASHER.hash(password))
        return True


def invite_routes(desk: Desk) -> list[Route]:
    """GET and POST /invite/<token>."""
    return [
        Route("/invite/{token}", partial(invitation, desk), methods=["GET"]),
        Route("/invite/{token}", partial(accept, desk), methods=["POST"]),
    ]


def _invited(desk: Desk, token: str) -> str | None:
    with desk.state() as st:
        return st.accounts.invited(token, desk.clock())


def _page(desk: Desk, request: Request, name: str, status: int = 200, error: str = "") -> Response:
    context = {"title": "Set your password", "name": name, "min_password": MIN_PASSWORD}
    return desk.page(request, "desk_invite.html", context, status, error=error)


def _gone(desk: Desk, request: Request) -> Response:
    text = "This invitation was used or has expired: ask for a new one (`digest editors add`)."
    return desk.refuse(request, 404, "Invitation not valid", text)


async def invitation(desk: Desk, request: Request) -> Response:
    name = await run_in_threadpool(_invited, desk, request.path_params["token"])
    if name is None:
        return _gone(desk, request)
    desk.auth.accounts = True  # an account exists: the desk is on
    response = _page(desk, request, name)
    response.headers["referrer-policy"] = "no-referrer"  # the link is a secret
    return response


async def accept(desk: Desk, request: Request) -> Response:
    token = request.path_params["token"]
    name = await run_in_threadpool(_invited, desk, token)
    if name is None:
        return _gone(desk, request)
    form = await read_form(request, 8 * 1024)
    if form is None or not desk.auth.form_ok(request, form):
        return _page(desk, request, name, 403, "This form expired: reload the page.")
    password = form.get("password", "")
    if not MIN_PASSWORD <= len(password) <= MAX_PASSWORD:
        text = f"Choose a password of {MIN_PASSWORD} to {MAX_PASSWORD} characters."
        return _page(desk, request, name, 400, text)
    if password != form.get("again", ""):
        return _page(desk, request, name, 400, "The two passwords differ.")

    def set_password() -> str | None:
        with desk.state() as st:
            return st.accounts.accept(token, HASHER.hash(password), desk.clock())

    accepted = await run_in_threadpool(set_password)
    if accepted is None:
        return _gone(desk, request)
    desk.auth.accounts = True
    desk.auth.sign_in(request, accepted, ACCOUNT_PREFIX + accepted)
    desk.flash(request, f"Password set: signed in as {accepted}.")
    return RedirectResponse("/", 303)
