"""The editor's desk in `digest serve`: token-guarded pin/drop/intro and a test send."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest
from starlette.testclient import TestClient

from digest import pipeline
from digest.config import Config, load_config
from digest.state import open_state
from digest.web import create_app

ENV = {"DIGEST_SECRET": "s", "DIGEST_EDITOR_TOKEN": "editor-token"}
LOCK = "https://tech.example.net/2026/smart-lock-flaw"


@pytest.fixture
def cfg(project: Path) -> Config:
    cfg = load_config(project / "config.toml", {})
    state = open_state(cfg.state_database)
    pipeline.gather(cfg, state, pipeline.stage_settings(cfg), datetime.now(UTC))
    state.close()
    return cfg


def test_desk_is_read_only_without_the_token(cfg: Config) -> None:
    client = TestClient(create_app(cfg, ENV))
    page = client.get("/preview").text
    assert "smart-lock firmware" in page and "Open /preview?k=TOKEN to edit." in page
    assert "<button name='action'" not in page
    refused = client.post("/preview/choose", data={"k": "wrong", "url": LOCK, "action": "drop"})
    assert refused.status_code == 403
    no_token = TestClient(create_app(cfg, {"DIGEST_SECRET": "s"}))
    assert "Set DIGEST_EDITOR_TOKEN" in no_token.get("/preview").text
    assert no_token.post("/preview/intro", data={"k": "", "intro": "x"}).status_code == 403


def test_editor_drops_pins_writes_intro_and_sends_a_test(cfg: Config) -> None:
    client = TestClient(create_app(cfg, ENV))
    assert "<button name='action'" in client.get("/preview?k=editor-token").text
    dropped = client.post(
        "/preview/choose", data={"k": "editor-token", "url": LOCK, "action": "drop"}
    )
    assert dropped.status_code == 200 and "(dropped)" in dropped.text
    bad = client.post(
        "/preview/choose", data={"k": "editor-token", "url": "https://x/y", "action": "pin"}
    )
    assert bad.status_code == 400
    client.post("/preview/intro", data={"k": "editor-token", "intro": "Morning <all>"})
    assert "Morning &lt;all&gt;" in client.get("/preview/html").text
    assert "smart-lock" not in client.get("/preview/text").text
    sent = client.post("/preview/test", data={"k": "editor-token", "email": "ed@example.com"})
    assert "test sent to ed@example.com via outbox" in sent.text
    assert len(list((cfg.base_dir / "outbox").glob("*-test--ed@example.com-*.eml"))) == 1
    invalid = client.post("/preview/test", data={"k": "editor-token", "email": "nope"})
    assert "test not sent" in invalid.text


def test_editor_gathers_and_approves_from_the_desk(project: Path) -> None:
    cfg = load_config(project / "config.toml", {"DIGEST_SCHEDULE__REQUIRE_APPROVAL": "true"})
    client = TestClient(create_app(cfg, ENV))
    gathered = client.post("/preview/gather", data={"k": "editor-token"})
    assert "gathered 9 article(s)" in gathered.text
    state = open_state(cfg.state_database)
    assert pipeline.run(cfg, state, datetime.now(UTC), ENV).sent == 0
    approved = client.post("/preview/approve", data={"k": "editor-token"})
    assert "approved: " in approved.text and "(9 stories)" in approved.text
    assert pipeline.run(cfg, state, datetime.now(UTC), ENV).sent == 3
