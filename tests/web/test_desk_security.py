"""What every response of `digest serve` carries and never does: the security headers, a
Content-Security-Policy without inline script, sandboxed email previews, redirects that never
take their host from the request, and no 500 for any odd byte in a path, token or form."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest
from starlette.testclient import TestClient
from starlette.types import ASGIApp, Message

from digest import pipeline
from digest.config import Config
from digest.state import open_state
from tests.web.desk import ENV, LOCK, NOW, client, gathered, login, post

PAGES = (
    "/",
    "/login",
    "/archive",
    "/archive/2026-11-27",
    "/healthz",
    "/subscribe",
    "/unsubscribe",
    "/preferences",
    "/editions/next",
    "/editions/2026-11-27",
    "/r/nothing",
    "/static/style.css",
    "/static/desk.js",
    "/nowhere",
)
ODD = ("ü", "%FF", "%00", "\u202e", "😀", "../..", "%2F%2Fevil.example", "a" * 5000)


@pytest.fixture
def cfg(project: Path) -> Config:
    return gathered(project)


def test_every_response_carries_the_security_headers(cfg: Config) -> None:
    for signed_in in (False, True):
        browser = client(cfg)
        if signed_in:
            login(browser)
        for path in PAGES:
            answer = browser.get(path, follow_redirects=False)
            headers = answer.headers
            assert headers["x-content-type-options"] == "nosniff", path
            assert headers["referrer-policy"] in ("same-origin", "no-referrer"), path
            policy = headers["content-security-policy"]
            assert "frame-ancestors 'self'" in policy, path
            assert "'unsafe-inline'" not in policy.split("script-src")[-1].split(";")[0], path
            assert "script-src 'self'" in policy or "default-src 'none'" in policy, path


def test_desk_pages_have_no_inline_script_or_style_and_are_not_cached(cfg: Config) -> None:
    browser = client(cfg)
    login(browser)
    for path in ("/", "/editions/next", "/login"):
        page = browser.get(path)
        assert page.headers["cache-control"] == "no-store", path
        assert "<script src='/static/desk.js' defer></script>" in page.text, path
        assert page.text.count("<script") == 1 and "style=" not in page.text, path
        assert " on" + "click=" not in page.text and "javascript:" not in page.text, path
    assert "script-src 'self'" in browser.get("/editions/next").headers["content-security-policy"]


def test_email_previews_are_sandboxed(cfg: Config) -> None:
    browser = client(cfg)
    login(browser)
    page = browser.get("/editions/next").text
    assert "<iframe id='frame'" in page
    assert "sandbox='allow-popups allow-popups-to-escape-sandbox'" in page
    for path in ("/editions/next/email.html", "/editions/next/email.html?images=off"):
        policy = browser.get(path).headers["content-security-policy"]
        assert "sandbox" in policy and "script-src" not in policy and "default-src 'none'" in policy
        assert "form-action 'none'" in policy
    assert (
        "img-src 'none'"
        in browser.get("/editions/next/email.html?images=off").headers["content-security-policy"]
    )
    text = browser.get("/editions/next/email.txt")
    assert (
        text.headers["content-type"].startswith("text/plain")
        and "sandbox" in text.headers["content-security-policy"]
    )


def test_archived_editions_are_served_sandboxed(cfg: Config) -> None:
    state = open_state(cfg.state_database)
    pipeline.run(cfg, state, NOW, ENV)
    state.close()
    answer = client(cfg).get("/archive/2026-11-27")
    assert answer.status_code == 200
    assert "sandbox" in answer.headers["content-security-policy"]


def test_redirects_never_take_their_host_from_the_request(cfg: Config) -> None:
    browser = client(cfg)
    for path, expected in (
        ("/archive/", "/archive"),
        ("/archive/?x=1", "/archive?x=1"),
        ("//evil.example/", "/evil.example"),
        ("/\\evil.example/", "/evil.example"),
        ("/%09/evil.example/", "/%09/evil.example"),
        ("/editions/next/", "/editions/next"),
    ):
        url = "http://testserver" + path  # a path that starts "//" is not read as a host here
        answer = browser.get(url, headers={"Host": "evil.example"}, follow_redirects=False)
        assert answer.status_code == 308, path
        assert answer.headers["location"] == expected, path
        assert "evil.example/" not in answer.headers["location"].replace("/evil.example", "")
    old = browser.get("/preview?k=editor-token", follow_redirects=False)
    assert old.status_code == 303 and old.headers["location"] == "/editions/next"
    login_answer = browser.get(
        "/editions/next", headers={"Host": "evil.example"}, follow_redirects=False
    )
    assert login_answer.headers["location"] == "/login"


def test_odd_bytes_anywhere_are_a_4xx_never_a_500(cfg: Config) -> None:
    browser = TestClient(client(cfg).app, raise_server_exceptions=False)
    csrf = login(browser)
    for odd in ODD:
        for path in (
            f"/editions/{odd}",
            f"/editions/{odd}/email.html",
            f"/editions/next/email.html?as={odd}&view={odd}&images={odd}",
            f"/editions/next?view={odd}&as={odd}",
            f"/archive/{odd}",
            f"/r/{odd}",
            f"/unsubscribe?t={odd}",
            f"/preferences?t={odd}",
            f"/confirm?t={odd}",
        ):
            assert browser.get(path).status_code < 500, path
        for path, data in (
            ("/editions/next/stories", {"key": odd, "action": odd}),
            ("/editions/next/stories", {"key": LOCK, "action": odd}),
            ("/editions/next/story", {"key": odd, "headline": odd, "points": odd}),
            ("/editions/next/subject", {"subject": odd, "action": odd}),
            ("/editions/next/intro", {"intro": odd}),
            ("/editions/next/test", {"email": f"{odd}@example.com"}),
            ("/editions/next/approve", {"seen": odd}),
            ("/gather", {"return": odd, "view": odd}),
        ):
            answer = post(browser, path, csrf, **data)
            assert answer.status_code < 500, (path, odd, answer.status_code)
        assert (
            post(browser, "/editions/next/stories", odd, key=LOCK, action="drop").status_code == 403
        )
        login_form = browser.post("/login", data={"csrf": odd, "name": odd, "token": odd})
        assert 400 <= login_form.status_code < 500


def raw_status(app: ASGIApp, path: str, headers: list[tuple[bytes, bytes]]) -> int:
    """One GET straight through ASGI, with bytes no HTTP client library would send."""
    sent: list[Message] = []

    async def receive() -> Message:
        return {"type": "http.request", "body": b"", "more_body": False}

    async def send(message: Message) -> None:
        sent.append(message)

    scope = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": "GET",
        "scheme": "http",
        "path": path,
        "raw_path": path.encode(),
        "query_string": b"",
        "root_path": "",
        "headers": [(b"host", b"testserver"), *headers],
        "server": ("testserver", 80),
        "client": ("127.0.0.1", 50000),
    }
    asyncio.run(app(scope, receive, send))
    return int(sent[0]["status"])


def test_raw_non_ascii_bytes_in_cookies_headers_and_paths_are_not_a_500(cfg: Config) -> None:
    app = client(cfg).app
    utf8 = "ü😀".encode()
    for path, headers in (
        ("/editions/next", [(b"cookie", b"digest_desk=" + utf8 + b".x.y")]),
        ("/editions/next", [(b"cookie", b"digest_desk=" + bytes(range(128, 256)))]),
        ("/editions/ü", [(b"cookie", b"digest_desk=\xff")]),
        ("/archive/ü/", [(b"host", utf8)]),
        ("/r/ü", [(b"referer", utf8), (b"origin", utf8)]),
        ("/", [(b"cookie", utf8)]),
    ):
        assert raw_status(app, path, headers) < 500, (path, headers)
