"""The desk's pages and the public ones beside them: the dashboard (next edition, results of
the last editions with their chart, failing sources), a sent edition with its results, the
preview views through the real send path, /archive (sent editions only) and /healthz."""

from __future__ import annotations

import email
import email.policy
import re
from datetime import timedelta
from pathlib import Path

import pytest

from digest import pipeline
from digest.config import Config, load_config
from digest.state import open_state
from tests.web.desk import ENV, LOCK, NOW, client, gathered, login, post


@pytest.fixture
def cfg(project: Path) -> Config:
    return gathered(project)


def sent_edition(cfg: Config) -> None:
    """The 2026-11-27 edition, sent to the sample list (3 recipients)."""
    state = open_state(cfg.state_database)
    try:
        assert pipeline.run(cfg, state, NOW, ENV).sent == 3
    finally:
        state.close()


def test_the_dashboard_shows_the_next_edition_results_and_sources(cfg: Config) -> None:
    sent_edition(cfg)
    state = open_state(cfg.state_database)
    later = NOW + timedelta(days=1)
    state.sources.record([("Tech Brief", "error", 0, "HTTP 503 from the feed")], later)
    state.ledger.suppress("ada@example.com", "unsubscribed")
    state.close()
    browser = client(cfg)
    login(browser)
    page = browser.get("/").text
    assert "<h1 id='top'>Dashboard</h1>" in page
    assert "Tech Brief" in page and "HTTP 503 from the feed" in page
    assert "<svg class='chart-svg'" in page and "2026-11-27: 3 sent, 0 failed" in page
    table = page.split("<table class='results'>", 1)[1]
    row = re.search(r"<a href='/editions/2026-11-27'>2026-11-27</a>.*?</tr>", table, re.S)
    assert row is not None
    cells = re.findall(r"class='num[^']*'>(\d+)<", row[0])
    assert cells == ["3", "0", "0", "0", "1"]  # sent, failed, bounced, complaints, unsubscribed
    assert "Latest: <a href='/editions/2026-11-27'>" in page


def test_a_sent_edition_shows_its_results_stories_and_preview(cfg: Config) -> None:
    sent_edition(cfg)
    browser = client(cfg)
    login(browser)
    page = browser.get("/editions/2026-11-27")
    assert page.status_code == 200
    text = page.text
    assert "<h1>Rosenberg: Trump-Putin Call Viewed as a Win in Russia + 8 more</h1>" in text
    assert "<dt>Sent</dt><dd>3</dd>" in text
    assert "Baltic states agree joint plan" in text and "not tracked" in text
    assert "/editions/2026-11-27/email.html" in text
    html = browser.get("/editions/2026-11-27/email.html")
    assert html.status_code == 200 and "Hi Reader" in html.text
    assert browser.get("/editions/1999-01-01").status_code == 404
    assert browser.get("/editions/1999-01-01/email.html").status_code == 404


def test_the_preview_views_are_the_real_message(project: Path) -> None:
    cfg = gathered(project)
    state = open_state(cfg.state_database)
    pipeline.audience(cfg, state, NOW)  # the sample list, imported as a run would
    linus = state.subscribers.get("linus@example.org")
    assert linus is not None
    state.close()
    browser = client(cfg)
    login(browser)
    page = browser.get("/editions/next").text
    for label in ("Desktop", "Phone", "Dark mode", "Images off", "Plain text", "As a subscriber"):
        assert f">{label}</a>" in page, label
    assert re.search(r"<option value='\d+'>Linus", page)
    plain = browser.get("/editions/next/email.html").text
    dark = browser.get("/editions/next/email.html?scheme=dark").text
    assert "prefers-color-scheme: dark" in plain and "prefers-color-scheme" not in dark
    assert dark.replace("@media all", "") != plain  # the same email, its dark rules in force
    assert "@media all" in dark
    images_off = browser.get("/editions/next/email.html?images=off")
    assert (
        images_off.text == plain
        and "img-src 'none'" in images_off.headers["content-security-policy"]
    )
    text = browser.get("/editions/next/email.txt").text
    assert max(len(line) for line in text.splitlines()) <= 72 and "Hi Reader" in text
    personal = browser.get(f"/editions/next/email.html?as={linus.id}").text
    assert "Hi Linus" in personal and "unsubscribe?t=" in personal
    eml = browser.get(f"/editions/next/message.eml?as={linus.id}")
    message = email.message_from_bytes(eml.content, policy=email.policy.default)
    assert message["To"] == "Linus Pauling <linus@example.org>"
    assert 'filename="next.eml"' in eml.headers["content-disposition"]
    assert browser.get("/editions/next/email.html?as=999999").status_code == 400
    assert browser.get("/editions/next/email.html?as=abc").status_code == 400
    chosen = browser.get(f"/editions/next?view=subscriber&as={linus.id}").text
    assert f"email.html?as={linus.id}&amp;v=" in chosen


def test_the_archive_lists_only_editions_that_were_sent(project: Path) -> None:
    cfg = gathered(project, {"DIGEST_SCHEDULE__DELIVER_AT_LOCAL": "23:30"})
    state = open_state(cfg.state_database)
    report = pipeline.run(cfg, state, NOW, ENV)
    assert report.edition_id == "2026-11-27" and report.sent == 0  # everyone waits for 23:30
    state.close()
    browser = client(cfg)
    assert "2026-11-27" not in browser.get("/archive").text
    assert browser.get("/archive/2026-11-27").status_code == 404
    sent_cfg = gathered(project)
    state = open_state(sent_cfg.state_database)
    pipeline.send_pending(sent_cfg, state, NOW + timedelta(hours=18), ENV)
    state.close()
    assert "2026-11-27" in browser.get("/archive").text
    assert browser.get("/archive/2026-11-27").status_code == 200


def test_healthz_answers_for_the_database(cfg: Config, tmp_path: Path) -> None:
    browser = client(cfg)
    ok = browser.get("/healthz")
    assert ok.status_code == 200 and ok.json() == {"status": "ok", "database": "ok"}
    database = Path(cfg.state_database)
    for suffix in ("", "-wal", "-shm"):
        Path(str(database) + suffix).unlink(missing_ok=True)
    database.mkdir()  # the database's path is now a folder: unusable
    down = browser.get("/healthz")
    assert down.status_code == 503 and down.json()["database"] == "unreachable"


def test_every_desk_template_links_the_one_stylesheet(cfg: Config) -> None:
    sent_edition(cfg)
    browser = client(cfg)
    csrf = login(browser)
    post(browser, "/editions/next/stories", csrf, key=LOCK, action="drop")
    for path in ("/", "/editions/next", "/editions/2026-11-27", "/login", "/editions/nope"):
        page = browser.get(path)
        assert "<link rel='stylesheet' href='/static/style.css'>" in page.text, path
        assert "<style" not in page.text and "style=" not in page.text, path
    css = browser.get("/static/style.css").text
    assert "body.desk" in css and "body.subscriber" in css
    script = browser.get("/static/desk.js")
    assert script.status_code == 200 and "javascript" in script.headers["content-type"]
    assert load_config(cfg.path, {}).table("tracking") == {"clicks": False}


def test_the_desk_runs_on_postgresql(
    project: Path, postgres_url: str, pg_env: dict[str, str]
) -> None:
    """The same pages over a PostgreSQL state database: gathered, sent, shown, healthy."""
    cfg = gathered(project, {"DIGEST_STATE__DATABASE": postgres_url})
    assert cfg.state_database == postgres_url
    sent_edition(cfg)
    browser = client(cfg)
    login(browser)
    page = browser.get("/").text
    assert "2026-11-27: 3 sent, 0 failed" in page
    assert browser.get("/archive/2026-11-27").status_code == 200
    assert browser.get("/healthz").json() == {"status": "ok", "database": "ok"}
    assert browser.get("/editions/%00").status_code == 404  # NUL: no such edition, not a 500
