"""Signing in to the editor's desk: DIGEST_EDITOR_TOKEN exchanged once at /login for a session.

The token is typed into the login form (a POST body: never in a URL, a redirect or a log line)
with the editor's name, which approvals record. The session (server-side, see `sessions`: the
cookie holds only its id) keeps the name, its account ("token" for every token session), a
CSRF token for every form and a mark of the token it was opened with, so changing
DIGEST_EDITOR_TOKEN signs everybody out. Without DIGEST_EDITOR_TOKEN the desk is off.

Every form the desk posts is checked here: a urlencoded body of bounded size in UTF-8 (any
other is a 400, never a 500), an Origin (or Referer) of this site, and the session's CSRF
token. Wrong tokens from one address are slowed down: after LOGIN_TRIES failures within
LOGIN_WINDOW seconds the login answers 429 until the window has passed.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
import unicodedata
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from urllib.parse import parse_qsl, urlsplit

from starlette.requests import Request

from digest.state import ACCOUNT_PREFIX

ENV_TOKEN = "DIGEST_EDITOR_TOKEN"
TOKEN_ACCOUNT = "token"  # the account of every session opened with DIGEST_EDITOR_TOKEN
PAIR_TRIES = 5  # wrong passwords for one account from one address before it waits
MAX_FORM = 64 * 1024
MAX_FIELDS = 200
MAX_NAME = 80
LOGIN_TRIES = 10
LOGIN_WINDOW = 15 * 60.0


def same(a: str, b: str) -> bool:
    """Constant-time equality of two texts; bytes are compared, as `compare_digest` raises on
    non-ASCII str."""
    return hmac.compare_digest(a.encode("utf-8", "replace"), b.encode("utf-8", "replace"))


async def read_form(request: Request, limit: int = MAX_FORM) -> dict[str, str] | None:
    """The urlencoded body of a POST, first value per name; None when it is too big, not a
    urlencoded form, or not UTF-8. (Read by hand rather than `request.form()`: that has no
    size cap on urlencoded bodies and hands undecodable bytes on as replacement characters.)"""
    kind = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if kind != "application/x-www-form-urlencoded":
        return None
    body = bytearray()
    async for chunk in request.stream():
        body.extend(chunk)
        if len(body) > limit:
            return None
    try:
        pairs = parse_qsl(
            body.decode("utf-8"), keep_blank_values=True, errors="strict", max_num_fields=MAX_FIELDS
        )
    except (UnicodeDecodeError, ValueError):
        return None
    form: dict[str, str] = {}
    for name, value in pairs:
        form.setdefault(name, value)
    return form


def own_origin(request: Request, base_url: str) -> bool:
    """The request comes from a page of this site: its Origin (or, without one, its Referer)
    is this host or the newsletter's base URL. Neither header: not a browser's cross-site
    form, and the CSRF token still has to match."""
    sent = request.headers.get("origin") or request.headers.get("referer")
    if sent is None:
        return True
    parts = urlsplit(sent)
    base = urlsplit(base_url)
    allowed = {f"{request.url.scheme}://{request.url.netloc}", f"{base.scheme}://{base.netloc}"}
    return f"{parts.scheme}://{parts.netloc}" in allowed


def clean_name(value: str) -> str | None:
    """The editor's name as approvals record it, or None when it is empty or unusable."""
    name = " ".join(value.split())
    if not name or len(name) > MAX_NAME or any(unicodedata.category(c) == "Cc" for c in name):
        return None
    return name


@dataclass
class LoginThrottle:
    """Failed logins within a sliding window (in memory: one process), per client address
    and per account at one address. An account is never locked for everybody: wrong
    passwords from one address hold back that address only, so the right password from
    another still signs in."""

    clock: Callable[[], float]
    tries: int = LOGIN_TRIES
    window: float = LOGIN_WINDOW
    failures: dict[str, list[float]] = field(default_factory=dict)

    def _recent(self, client: str) -> list[float]:
        since = self.clock() - self.window
        kept = [t for t in self.failures.get(client, []) if t > since]
        if kept:
            self.failures[client] = kept
        else:
            self.failures.pop(client, None)
        return kept

    def _wait(self, key: str, tries: int) -> float:
        recent = self._recent(key)
        if len(recent) < tries:
            return 0.0
        return max(1.0, recent[-tries] + self.window - self.clock())

    def blocked(self, client: str, account: str = "") -> float:
        """Seconds until `client` may try again, for `account` if given (0: now)."""
        wait = self._wait(client, self.tries)
        if account:
            wait = max(wait, self._wait(f"{account}\n{client}", min(PAIR_TRIES, self.tries)))
        return wait

    def failed(self, client: str, account: str = "") -> None:
        self.failures.setdefault(client, []).append(self.clock())
        if account:
            self.failures.setdefault(f"{account}\n{client}", []).append(self.clock())


class DeskAuth:
    """Who is signed in, and whether a posted form may act for them."""

    def __init__(
        self, environ: Mapping[str, str], secret: str, base_url: str, accounts: bool = False
    ) -> None:
        self.token = environ.get(ENV_TOKEN) or ""
        self.base_url = base_url
        self.accounts = accounts  # whether editor accounts exist (refreshed at /login)
        self._mark = hmac.new(secret.encode(), self.token.encode(), hashlib.sha256).hexdigest()

    @property
    def enabled(self) -> bool:
        return bool(self.token) or self.accounts

    def accepts(self, given: str) -> bool:
        return bool(self.token) and same(self.token, given)

    def editor(self, request: Request) -> str | None:
        """The signed-in editor's name: of an account's session (a removed account has no
        sessions left), or of a session of the current token."""
        session = request.session
        name = session.get("editor")
        if not isinstance(name, str) or not name:
            return None
        if str(session.get("account", "")) == ACCOUNT_PREFIX + name:
            return name
        if self.token and same(str(session.get("auth", "")), self._mark):
            return name
        return None

    def sign_in(self, request: Request, name: str, account: str = TOKEN_ACCOUNT) -> None:
        """A fresh session (a new id, and CSRF token) for `name` of `account`."""
        request.session.clear()
        request.session.update(
            editor=name,
            account=account,
            auth=self._mark,
            csrf=secrets.token_urlsafe(24),
            test_to="",
        )

    @staticmethod
    def account(request: Request) -> str:
        return str(request.session.get("account") or "")

    @staticmethod
    def csrf(request: Request) -> str:
        """This session's CSRF token, made on first use (the login form needs one too)."""
        token = request.session.get("csrf")
        if not isinstance(token, str) or not token:
            token = secrets.token_urlsafe(24)
            request.session["csrf"] = token
        return token

    def form_ok(self, request: Request, form: Mapping[str, str]) -> bool:
        """The form came from this site, in this session."""
        expected = request.session.get("csrf")
        return (
            own_origin(request, self.base_url)
            and isinstance(expected, str)
            and bool(expected)
            and same(expected, form.get("csrf", ""))
        )
