"""web: archive, preview, one-click unsubscribe (RFC 8058) and preferences, through the real app."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest
from starlette.testclient import TestClient

from digest import pipeline
from digest.config import Config, load_config
from digest.state import open_state
from digest.subscribers import unsubscribe_token
from tests.web.desk import client as desk_client
from tests.web.desk import login

NOW = datetime(2026, 11, 27, 7, 0, tzinfo=UTC)
ENV = {"DIGEST_SECRET": "test-secret"}


@pytest.fixture
def cfg(project: Path) -> Config:
    return load_config(project / "config.toml", {})


@pytest.fixture
def client(cfg: Config) -> TestClient:
    from digest.web import create_app

    return TestClient(create_app(cfg, ENV))


def token(address: str) -> str:
    return unsubscribe_token(ENV["DIGEST_SECRET"], address)


def test_one_click_unsubscribe_is_remembered(cfg: Config, client: TestClient) -> None:
    url = f"/unsubscribe?e=ada%40example.com&t={token('ada@example.com')}"
    assert "Unsubscribe" in client.get(url).text
    response = client.post(url, content=b"List-Unsubscribe=One-Click")
    assert response.status_code == 200
    state = open_state(cfg.state_database)
    assert state.ledger.is_suppressed("ada@example.com")
    assert pipeline.run(cfg, state, NOW, ENV).sent == 2


def test_forged_token_is_refused(cfg: Config, client: TestClient) -> None:
    response = client.post(f"/unsubscribe?e=ada%40example.com&t={token('bob@example.com')}")
    assert response.status_code == 400
    assert not open_state(cfg.state_database).ledger.is_suppressed("ada@example.com")


def test_archive_serves_sent_editions(cfg: Config, client: TestClient) -> None:
    state = open_state(cfg.state_database)
    pipeline.run(cfg, state, NOW, ENV)
    assert "2026-11-27" in client.get("/archive").text
    page = client.get("/archive/2026-11-27")
    assert page.status_code == 200 and "Trump-Putin" in page.text
    assert client.get("/archive/1999-01-01").status_code == 404


def test_preview_shows_the_next_edition(cfg: Config) -> None:
    desk = desk_client(cfg)
    login(desk)
    assert desk.get("/editions/next/email.html").status_code == 404
    state = open_state(cfg.state_database)
    pipeline.gather(cfg, state, pipeline.stage_settings(cfg), NOW)
    assert "Trump-Putin" in desk.get("/editions/next/email.html").text
    assert "Trump-Putin" in desk.get("/editions/next/email.txt").text
    assert "iframe" in desk.get("/editions/next").text


def test_preferences_choose_sections(cfg: Config, client: TestClient) -> None:
    url = f"/preferences?e=linus%40example.org&t={token('linus@example.org')}"
    assert "Science" in client.get(url).text
    client.post(url, data={"s:Technology": "on"})
    state = open_state(cfg.state_database)
    linus = state.subscribers.get("linus@example.org")  # the list lives in the database now
    assert linus is not None and linus.sections == ("Technology",)
    pipeline.run(cfg, state, NOW, ENV)
    linus = next((Path(cfg.base_dir) / "outbox").glob("2026-11-27--linus*.eml"))
    assert "smart-lock" in linus.read_text()
