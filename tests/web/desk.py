"""Helpers for the editor's desk tests: a project with gathered articles at a set clock, an app
over it, signing in through /login as a browser does, posting desk forms with the CSRF token."""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import UTC, datetime
from pathlib import Path

from httpx import Response
from starlette.testclient import TestClient

from digest import pipeline
from digest.config import Config, load_config
from digest.state import open_state
from digest.web import create_app

NOW = datetime(2026, 11, 27, 6, 0, tzinfo=UTC)
TOKEN = "editor-token"
ENV = {"DIGEST_SECRET": "desk-secret", "DIGEST_EDITOR_TOKEN": TOKEN}
LEAD = "https://news.example.org/world/rosenberg-trump-putin-call"
CABLES = "https://news.example.org/world/baltic-undersea-cables"
LITHIUM = "https://news.example.org/world/chile-lithium-auction"
LOCK = "https://tech.example.net/2026/smart-lock-flaw"
CSRF = re.compile(r"name='csrf' value='([^']+)'")
VERSION = re.compile(r"name='version' value='(\d+)'")
VERSIONED = {
    f"/editions/next/{name}"
    for name in (
        "stories",
        "story",
        "subject",
        "intro",
        "approve",
        "hold",
        "add",
        "send",
        "schedule",
    )
}


def gathered(project: Path, environ: Mapping[str, str] | None = None) -> Config:
    """The sample project's config with its sources gathered at NOW."""
    cfg = load_config(project / "config.toml", dict(environ or {}))
    state = open_state(cfg.state_database)
    try:
        pipeline.gather(cfg, state, pipeline.stage_settings(cfg), NOW)
    finally:
        state.close()
    return cfg


def client(cfg: Config, environ: Mapping[str, str] = ENV, **options: object) -> TestClient:
    return TestClient(create_app(cfg, environ, clock=lambda: NOW), **options)  # type: ignore[arg-type]


def csrf_of(page: str) -> str:
    found = CSRF.search(page)
    assert found, page
    return found[1]


def login(browser: TestClient, name: str = "Ada Lovelace", token: str = TOKEN) -> str:
    """Sign in as a person would (the login form, then the POST); the desk's CSRF token."""
    page = browser.get("/login")
    answer = browser.post(
        "/login",
        data={"csrf": csrf_of(page.text), "name": name, "token": token},
        follow_redirects=False,
    )
    assert answer.status_code == 303, answer.text
    return csrf_of(browser.get("/editions/next").text)


def version_of(page: str) -> str:
    found = VERSION.search(page)
    return found[1] if found else ""  # signed out: no form at all


def post(browser: TestClient, path: str, csrf: str, **data: str) -> Response:
    """A desk form, posted with its CSRF token (and, for a change of the next edition, the
    version the page shows now unless given); the answer is not followed."""
    if path in VERSIONED and "version" not in data:
        data["version"] = version_of(browser.get("/editions/next").text)
    return browser.post(path, data={"csrf": csrf, **data}, follow_redirects=False)
