"""Click tracking through /r/<token> with `[tracking] clicks = true`: story links of an edition
are signed redirects that go only to URLs the edition carries, each click is counted for its
story, and the desk shows the counts; off by default."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from digest import pipeline
from digest.config import Config
from digest.errors import ConfigError
from digest.state import open_state
from digest.tracking import click_token, tracking_settings_from_table
from tests.web.desk import CABLES, ENV, LOCK, NOW, client, gathered, login

TRACKING = {"DIGEST_TRACKING__CLICKS": "true"}
REDIRECT = re.compile(r'href="(https://digest\.example\.com/r/[^"]+)"')


@pytest.fixture
def cfg(project: Path) -> Config:
    return gathered(project, TRACKING)


def test_tracking_is_off_by_default_and_its_table_is_checked(project: Path) -> None:
    cfg = gathered(project)
    browser = client(cfg)
    login(browser)
    assert "/r/" not in browser.get("/editions/next/email.html").text
    assert tracking_settings_from_table({}).clicks is False
    with pytest.raises(ConfigError, match=r"tracking\.clicks: must be true or false"):
        tracking_settings_from_table({"clicks": "yes"})
    with pytest.raises(ConfigError, match=r"tracking\.pixel: unknown key"):
        tracking_settings_from_table({"pixel": True})


def test_a_click_is_counted_for_its_story_and_redirected(cfg: Config) -> None:
    state = open_state(cfg.state_database)
    assert pipeline.run(cfg, state, NOW, {**ENV, **TRACKING}).sent == 3
    record = state.editions.get("2026-11-27")
    assert record is not None
    html = str(record.rendered["html"])
    links = REDIRECT.findall(html)
    assert len(links) >= 9
    for key in (LOCK, CABLES):  # every story link goes through the redirect
        assert f'href="{key}"' not in html
    lock = next(
        link
        for link in links
        if click_token(ENV["DIGEST_SECRET"], cfg.newsletter, record.id, LOCK) in link
    )
    browser = client(cfg, {**ENV, **TRACKING})
    path = lock.removeprefix("https://digest.example.com")
    answer = browser.get(path, follow_redirects=False)
    assert answer.status_code == 302 and answer.headers["location"] == LOCK
    assert answer.headers["cache-control"] == "no-store"
    assert browser.head(path, follow_redirects=False).status_code == 302  # a link checker
    browser.get(path, follow_redirects=False)
    assert state.clicks.of("2026-11-27") == {LOCK: 2}
    login(browser)
    page = browser.get("/editions/2026-11-27").text
    assert "2 clicks" in page and "<dt>Clicks</dt><dd>2</dd>" in page
    assert "2026-11-27: 3 sent, 0 failed, 2 clicks" in browser.get("/").text


def test_only_tokens_signed_here_for_urls_the_edition_carries_redirect(cfg: Config) -> None:
    state = open_state(cfg.state_database)
    pipeline.run(cfg, state, NOW, {**ENV, **TRACKING})
    secret = ENV["DIGEST_SECRET"]
    browser = client(cfg, {**ENV, **TRACKING})
    foreign = click_token(secret, cfg.newsletter, "2026-11-27", "https://evil.example/")
    other_secret = click_token("not-ours", cfg.newsletter, "2026-11-27", LOCK)
    unsafe = click_token(secret, cfg.newsletter, "2026-11-27", "javascript:alert(1)")
    for token in (foreign, other_secret, unsafe, "nothing", foreign[:-2], "ü"):
        answer = browser.get(f"/r/{token}", follow_redirects=False)
        assert answer.status_code == 404, token
        assert "location" not in answer.headers
    assert state.clicks.of("2026-11-27") == {}
    unsent = click_token(secret, cfg.newsletter, "2026-11-28", LOCK)  # a preview or test send
    answer = browser.get(f"/r/{unsent}", follow_redirects=False)
    assert answer.status_code == 302 and answer.headers["location"] == LOCK
    assert state.clicks.of("2026-11-28") == {}


def test_the_preview_and_test_send_carry_the_tracked_links(cfg: Config) -> None:
    browser = client(cfg, {**ENV, **TRACKING})
    csrf = login(browser)
    preview = browser.get("/editions/next/email.html").text
    assert "https://digest.example.com/r/" in preview
    page = browser.get("/editions/next").text
    assert f"href='{LOCK}'" in page  # the desk links the story itself
    assert csrf
