"""Named editor accounts: `digest editors add` prints a one-use invitation that sets an
Argon2-hashed password; the account signs in with it, its approvals carry its name, the token
cannot sign in under its name, and removing it ends its sessions at once."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from starlette.testclient import TestClient

from digest.config import Config
from digest.state import open_state
from tests.cli.runner import digest
from tests.web.desk import ENV, NOW, TOKEN, client, csrf_of, gathered, post

PASSWORD = "correct horse battery"


@pytest.fixture
def cfg(project: Path) -> Config:
    return gathered(project)


def invited(cfg: Config, name: str) -> str:
    """`digest editors add NAME` as an admin runs it: the invitation's path."""
    done = digest("editors", "add", name, cwd=cfg.base_dir, now=NOW)
    assert done.returncode == 0, done.stderr
    link = re.search(r"https?://\S+(/invite/\S+)", done.stdout)
    assert link is not None, done.stdout
    return link[1]


def sign_in(browser: TestClient, name: str, secret: str) -> int:
    form = {"csrf": csrf_of(browser.get("/login").text), "name": name, "token": secret}
    return int(browser.post("/login", data=form, follow_redirects=False).status_code)


def test_an_invited_editor_sets_a_password_signs_in_and_approves(cfg: Config) -> None:
    path = invited(cfg, "Grace Hopper")
    browser = client(cfg)
    page = browser.get(path)
    assert page.status_code == 200 and "for Grace Hopper" in page.text
    form = {"csrf": csrf_of(page.text), "password": PASSWORD, "again": PASSWORD}
    short = browser.post(path, data={**form, "password": "short", "again": "short"})
    assert short.status_code == 400
    accepted = browser.post(path, data=form, follow_redirects=False)
    assert accepted.status_code == 303
    assert browser.get(path).status_code == 404  # one use
    state = open_state(cfg.state_database)
    account = state.accounts.get("Grace Hopper")
    assert account is not None and (account.password_hash or "").startswith("$argon2id$")
    state.close()

    other = client(cfg)
    assert sign_in(other, "Grace Hopper", "wrong password") == 401
    assert sign_in(other, "Grace Hopper", TOKEN) == 401  # the token is no account's password
    assert sign_in(other, "Grace Hopper", PASSWORD) == 303
    csrf = csrf_of(other.get("/editions/next").text)
    assert post(other, "/editions/next/approve", csrf).status_code == 303
    state = open_state(cfg.state_database)
    assert state.editorial.decisions()[0].editor == "Grace Hopper"
    state.close()

    listed = digest("editors", "list", cwd=cfg.base_dir)
    assert "Grace Hopper\tactive\t2 session(s)" in listed.stdout
    copy = TestClient(browser.app, cookies=dict(other.cookies))
    assert copy.get("/editions/next", follow_redirects=False).status_code == 200
    removed = digest("editors", "remove", "Grace Hopper", cwd=cfg.base_dir)
    assert removed.returncode == 0, removed.stderr
    for session in (browser, other, copy):
        answer = session.get("/editions/next", follow_redirects=False)
        assert answer.status_code == 303 and answer.headers["location"] == "/login"
    assert sign_in(client(cfg), "Grace Hopper", PASSWORD) == 401


def test_accounts_alone_turn_the_desk_on(project: Path) -> None:
    environ = {k: v for k, v in ENV.items() if k != "DIGEST_EDITOR_TOKEN"}
    cfg = gathered(project, environ)
    browser = client(cfg, environ)
    assert browser.get("/login").status_code == 404  # no token, no account: the desk is off
    path = invited(cfg, "Ada")
    page = browser.get(path)
    form = {"csrf": csrf_of(page.text), "password": PASSWORD, "again": PASSWORD}
    assert browser.post(path, data=form, follow_redirects=False).status_code == 303
    assert browser.get("/editions/next", follow_redirects=False).status_code == 200
    fresh = client(cfg, environ)
    assert sign_in(fresh, "Ada", PASSWORD) == 303
    assert sign_in(client(cfg, environ), "Ada", "not it at all") == 401
