"""A feed's title of any length can be edited at the desk: the desk shows headlines cut as
the email cuts them, never past the headline field's own maxlength, so the pre-filled field
saves as it is. And a stored edition's page lists its stories in edition order."""

from __future__ import annotations

import html
import re
from pathlib import Path

import pytest

from digest.config import Config
from digest.editorial import MAX_HEADLINE
from digest.state import open_state
from tests.web.desk import LOCK, client, gathered, login, post, version_of


@pytest.fixture
def cfg(project: Path) -> Config:
    return gathered(project)


def titled(cfg: Config, title: str) -> None:
    state = open_state(cfg.state_database)
    with state.db.transaction() as conn:
        conn.execute("UPDATE articles SET title = ? WHERE key = ?", (title, LOCK))
        conn.execute(
            "UPDATE summaries SET headline = ? WHERE article_key = ? AND headline IS NOT NULL",
            (title, LOCK),
        )
    state.close()


@pytest.mark.parametrize("length", [324, 1024 * 1024])
def test_a_feed_title_of_any_length_can_be_edited(cfg: Config, length: int) -> None:
    title = ("Lockmakers patch firmware flaw " * (length // 31 + 1))[:length]
    titled(cfg, title)
    browser = client(cfg)
    csrf = login(browser)
    page = browser.get("/editions/next").text
    assert len(page.encode()) < 400_000, len(page.encode())
    card = page.split(f"data-key='{LOCK}'", 1)[1]
    field = re.search(r"name='headline' value='([^']*)' maxlength='(\d+)'", card)
    assert field is not None
    shown, maxlength = html.unescape(field[1]), int(field[2])
    assert maxlength == MAX_HEADLINE and 40 < len(shown) <= maxlength
    assert shown.endswith("…") and title.startswith(shown[:-1].rstrip())
    saved = post(
        browser,
        "/editions/next/story",
        csrf,
        key=LOCK,
        headline=shown,
        points="One point",
        version=version_of(page),
    )
    assert saved.status_code == 303, saved.text[:500]
    state = open_state(cfg.state_database)
    assert state.editorial.story_edits()[LOCK].headline == shown
    state.close()


def test_a_sent_editions_page_lists_its_stories_in_edition_order(cfg: Config) -> None:
    from digest import pipeline
    from tests.web.desk import ENV, NOW

    state = open_state(cfg.state_database)
    assert pipeline.run(cfg, state, NOW, ENV).sent == 3
    state.close()
    browser = client(cfg)
    login(browser)
    page = browser.get("/editions/2026-11-27").text
    listed = re.findall(r"<p class='off-title'><a href='([^']+)'", page)
    assert len(listed) >= 9 and "rosenberg" in listed[0]  # the lead first
    email = browser.get("/editions/2026-11-27/email.html").text
    places = [email.find(html.escape(url)) for url in listed]
    assert all(p >= 0 for p in places) and places == sorted(places)
