"""The desk's sign-in: DIGEST_EDITOR_TOKEN exchanged at /login for a session cookie, every way
in refused (no token set, no session, a wrong or rotated token, a missing or foreign CSRF
token, a foreign Origin, too many tries), and `digest serve` refusing to listen beyond
loopback without the token."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from starlette.testclient import TestClient

from digest.config import Config
from digest.web import bind_refusal, create_app
from tests.cli.runner import digest
from tests.web.desk import ENV, NOW, TOKEN, client, csrf_of, gathered, login, post, version_of

DESK_PAGES = ("/", "/editions/next", "/editions/next/email.html", "/editions/next/email.txt")
DESK_FORMS = (
    "/editions/next/stories",
    "/editions/next/story",
    "/editions/next/subject",
    "/editions/next/intro",
    "/editions/next/test",
    "/editions/next/approve",
    "/editions/next/hold",
    "/gather",
    "/logout",
)


@pytest.fixture
def cfg(project: Path) -> Config:
    return gathered(project)


def test_without_the_token_the_desk_is_off(cfg: Config) -> None:
    browser = client(cfg, {"DIGEST_SECRET": "s"})
    front = browser.get("/")
    assert front.status_code == 200 and "/login" not in front.text  # the public front page
    for path in ("/login", "/editions/next", "/editions/next/email.html", "/editions/2026-11-27"):
        page = browser.get(path)
        assert page.status_code == 404, path
        assert "Set DIGEST_EDITOR_TOKEN" in page.text, path
        assert "set-cookie" not in page.headers, path  # no session for a desk that is off
    for path in (*DESK_FORMS, "/login"):
        assert browser.post(path, data={"csrf": "x"}).status_code == 404, path


def test_signing_in_sets_a_session_cookie_and_never_puts_the_token_in_a_url(cfg: Config) -> None:
    browser = client(cfg)
    assert "/login" in browser.get("/").text  # visitors see where editors sign in
    form = browser.get("/login")
    assert form.status_code == 200 and "type='password'" in form.text
    answer = browser.post(
        "/login",
        data={"csrf": csrf_of(form.text), "name": "  Ada   Lovelace ", "token": TOKEN},
        follow_redirects=False,
    )
    assert answer.status_code == 303 and answer.headers["location"] == "/"
    cookie = answer.headers["set-cookie"]
    assert cookie.startswith("digest_desk=") and "httponly" in cookie.lower()
    assert "samesite=lax" in cookie.lower() and "secure" not in cookie.lower()  # plain http
    assert TOKEN not in cookie and TOKEN not in answer.headers["location"]
    dashboard = browser.get("/")
    assert "Signed in as Ada Lovelace." in dashboard.text and "Dashboard" in dashboard.text
    assert browser.get("/").text.count("Signed in as") == 0  # a result shows once
    for page in (dashboard, browser.get("/editions/next")):
        assert TOKEN not in page.text
        assert not re.search(r"[?&]k=", page.text)


def test_the_cookie_is_secure_behind_https(cfg: Config) -> None:
    browser = client(cfg, base_url="https://desk.example.com")
    form = browser.get("/login")
    answer = browser.post(
        "/login",
        data={"csrf": csrf_of(form.text), "name": "Ada", "token": TOKEN},
        follow_redirects=False,
    )
    assert answer.status_code == 303
    assert "; secure" in answer.headers["set-cookie"].lower()


def test_a_desk_page_without_a_session_asks_to_sign_in_and_returns_there(cfg: Config) -> None:
    browser = client(cfg)
    for path in DESK_PAGES[1:]:
        answer = browser.get(path, follow_redirects=False)
        assert answer.status_code == 303 and answer.headers["location"] == "/login", path
    browser.get("/editions/next", follow_redirects=False)
    browser.get("/editions/next/email.html", follow_redirects=False)  # a frame: not a place
    form = browser.get("/login")
    answer = browser.post(
        "/login",
        data={"csrf": csrf_of(form.text), "name": "Ada", "token": TOKEN},
        follow_redirects=False,
    )
    assert answer.headers["location"] == "/editions/next"


def test_every_desk_form_refuses_without_a_session(cfg: Config) -> None:
    browser = client(cfg)
    csrf = csrf_of(browser.get("/login").text)  # a session, but nobody signed in
    for path in DESK_FORMS:
        answer = post(browser, path, csrf, key="x", action="drop", email="a@example.com")
        assert answer.status_code == 403, path
        assert "Sign in again" in answer.text, path


def test_wrong_tokens_and_names_are_refused(cfg: Config, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level("INFO", logger="digest.desk")
    browser = client(cfg)
    csrf = csrf_of(browser.get("/login").text)
    for token in ("", "editor-toke", TOKEN + "x", "ëditor-tökén", "\u202eeditor-token"):
        answer = browser.post("/login", data={"csrf": csrf, "name": "Ada", "token": token})
        assert answer.status_code == 401, token
        assert "That is not the editor token." in answer.text
        assert "set-cookie" not in answer.headers or "editor" not in answer.headers["set-cookie"]
    assert browser.get("/editions/next", follow_redirects=False).status_code == 303
    assert "desk sign-in refused from testclient: wrong password or token" in caplog.text
    for name in ("", "   ", "x" * 81, "Ada\x00"):
        answer = browser.post("/login", data={"csrf": csrf, "name": name, "token": TOKEN})
        assert answer.status_code == 400, name
    assert browser.get("/editions/next", follow_redirects=False).status_code == 303
    login(browser)
    assert "desk sign-in: Ada Lovelace from testclient" in caplog.text
    assert TOKEN not in caplog.text and "toke" not in caplog.text.replace("token", "")


def test_login_needs_its_csrf_token_and_this_site_as_origin(cfg: Config) -> None:
    browser = client(cfg)
    refused = browser.post("/login", data={"name": "Ada", "token": TOKEN})
    assert refused.status_code == 403  # no session: no CSRF token to match
    csrf = csrf_of(browser.get("/login").text)
    forged = browser.post("/login", data={"csrf": csrf + "x", "name": "Ada", "token": TOKEN})
    assert forged.status_code == 403
    foreign = browser.post(
        "/login",
        data={"csrf": csrf, "name": "Ada", "token": TOKEN},
        headers={"Origin": "https://evil.example"},
    )
    assert foreign.status_code == 403
    assert browser.get("/editions/next", follow_redirects=False).status_code == 303


def test_forms_need_the_sessions_csrf_token_and_origin(cfg: Config) -> None:
    browser = client(cfg)
    csrf = login(browser)
    data = {"key": "https://tech.example.net/2026/smart-lock-flaw", "action": "drop"}
    data["version"] = version_of(browser.get("/editions/next").text)
    for sent, headers in (
        ({}, {}),
        ({"csrf": ""}, {}),
        ({"csrf": csrf[:-1]}, {}),
        ({"csrf": "ü" + csrf}, {}),
        ({"csrf": csrf}, {"Origin": "https://evil.example"}),
        ({"csrf": csrf}, {"Origin": "null"}),
        ({"csrf": csrf}, {"Referer": "https://evil.example/page"}),
    ):
        answer = browser.post(
            "/editions/next/stories", data={**data, **sent}, headers=headers, follow_redirects=False
        )
        assert answer.status_code == 403, (sent, headers)
        assert "reload it and try again" in answer.text
    other = client(cfg)
    other_csrf = login(other, name="Grace")
    assert post(browser, "/editions/next/stories", other_csrf, **data).status_code == 403
    same_site = browser.post(
        "/editions/next/stories",
        data={**data, "csrf": csrf},
        headers={"Origin": "http://testserver"},
        follow_redirects=False,
    )
    assert same_site.status_code == 303


def copied(cfg: Config, browser: TestClient, environ: dict[str, str] = ENV) -> TestClient:
    """Another client (another app, as another server process) with a copy of the cookie."""
    return TestClient(create_app(cfg, environ, clock=lambda: NOW), cookies=dict(browser.cookies))


def test_logout_ends_the_session_and_a_new_token_ends_every_session(cfg: Config) -> None:
    browser = client(cfg)
    csrf = login(browser)
    stolen = copied(cfg, browser)
    assert stolen.get("/editions/next", follow_redirects=False).status_code == 200
    assert post(browser, "/logout", csrf).status_code == 303
    assert browser.get("/editions/next", follow_redirects=False).status_code == 303
    # The copy taken before the sign-out gets the login page: reading and writing.
    assert stolen.get("/editions/next", follow_redirects=False).headers["location"] == "/login"
    assert post(stolen, "/editions/next/intro", csrf, intro="x").status_code == 403
    again = client(cfg)
    login(again)
    same = copied(cfg, again)
    assert same.get("/editions/next", follow_redirects=False).status_code == 200
    rotated = copied(cfg, again, {**ENV, "DIGEST_EDITOR_TOKEN": "a-new-token"})
    assert rotated.get("/editions/next", follow_redirects=False).status_code == 303


def test_the_cookie_holds_only_a_random_id_renewed_at_sign_in(cfg: Config) -> None:
    browser = client(cfg)
    browser.get("/login")
    before = browser.cookies["digest_desk"]
    login(browser, name="Ada Lovelace")
    after = browser.cookies["digest_desk"]
    assert after != before and re.fullmatch(r"[A-Za-z0-9_-]{43}", after)
    fixated = copied(cfg, browser)
    fixated.cookies.set("digest_desk", before)
    assert fixated.get("/editions/next", follow_redirects=False).status_code == 303


def test_sign_out_everywhere_ends_every_session_of_the_account(cfg: Config) -> None:
    laptop, phone = client(cfg), client(cfg)
    csrf = login(laptop)
    login(phone)
    answer = post(laptop, "/logout/everywhere", csrf)
    assert answer.status_code == 303 and answer.headers["location"] == "/login"
    assert "2 session(s) ended" in laptop.get("/login").text
    for device in (laptop, phone):
        assert device.get("/editions/next", follow_redirects=False).status_code == 303


def test_wrong_tokens_are_slowed_down_per_address_and_never_for_everybody(cfg: Config) -> None:
    browser = client(cfg)
    csrf = csrf_of(browser.get("/login").text)

    def attempt(who: TestClient, token: str, name: str = "A") -> int:
        form = {"csrf": csrf_of(who.get("/login").text), "name": name, "token": token}
        return int(who.post("/login", data=form, follow_redirects=False).status_code)

    assert [attempt(browser, "no") for _ in range(5)] == [401] * 5
    assert attempt(browser, TOKEN) == 429  # this name, from this address, waits
    assert [attempt(browser, "no", f"B{n}") for n in range(5)] == [401] * 5
    blocked = browser.post("/login", data={"csrf": csrf, "name": "C", "token": TOKEN})
    assert blocked.status_code == 429 and int(blocked.headers["retry-after"]) > 0
    assert browser.get("/editions/next", follow_redirects=False).status_code == 303
    # The same app, another client address: the right token still signs in, as "A" too.
    elsewhere = TestClient(browser.app, client=("192.0.2.7", 40000))
    assert attempt(elsewhere, TOKEN) == 303


def test_bad_bodies_are_a_400(cfg: Config) -> None:
    browser = client(cfg)
    csrf = login(browser)
    for body, kind in (
        (b"csrf=" + csrf.encode() + b"&intro=%FF%FE", "application/x-www-form-urlencoded"),
        (b"csrf=" + csrf.encode() + b"&intro=\xff", "application/x-www-form-urlencoded"),
        (
            b"--b\r\nContent-Disposition: form-data; name=intro\r\n\r\nx\r\n--b--",
            "multipart/form-data; boundary=b",
        ),
        (
            b"csrf=" + csrf.encode() + b"&intro=" + b"x" * 70_000,
            "application/x-www-form-urlencoded",
        ),
    ):
        answer = browser.post("/editions/next/intro", content=body, headers={"content-type": kind})
        assert answer.status_code == 400, body[:40]


def test_serve_refuses_to_listen_beyond_loopback_without_the_token(project: Path) -> None:
    assert bind_refusal("127.0.0.1", {}) is None and bind_refusal("::1", {}) is None
    assert bind_refusal("localhost", {}) is None and bind_refusal("127.0.0.2", {}) is None
    assert bind_refusal("0.0.0.0", {"DIGEST_EDITOR_TOKEN": "t"}) is None
    for host in ("0.0.0.0", "::", "192.168.1.10", "desk.example.com"):
        assert "DIGEST_EDITOR_TOKEN" in str(bind_refusal(host, {})), host
    refused = digest("serve", "--host", "0.0.0.0", "--port", "1", cwd=project)
    assert refused.returncode == 2
    assert "refusing to listen beyond this machine" in refused.stderr
    assert "DIGEST_EDITOR_TOKEN" in refused.stderr and "Traceback" not in refused.stderr
