"""Add a story by URL on the desk, through the app, from a real HTTP server on 127.0.0.1: the
page is fetched, extracted, summarized once and kept, and placed where the editor chose as a
versioned change; every way it can fail says why on the page and writes nothing."""

from __future__ import annotations

import asyncio
import re
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from digest.config import Config, load_config
from digest.editorial import next_edition, reading_order
from digest.errors import ConfigError, SourceError
from digest.state import open_state
from digest.web import web_settings_from_table
from digest.web.desk_add_story import PublicOnly
from tests.web.article_server import (
    EUROPA_URL,
    article_server,
    closed_port,
    silent_server,
)
from tests.web.desk import CABLES, ENV, LEAD, NOW, client, gathered, login, post, version_of

PRIVATE = {**ENV, "DIGEST_WEB__FETCH_PRIVATE": "true", "DIGEST_GATHER__MAX_BYTES": "100000"}
PRIVATE["DIGEST_GATHER__TIMEOUT"] = "1"


@pytest.fixture
def cfg(project: Path) -> Config:
    gathered(project)
    return load_config(project / "config.toml", PRIVATE)


@pytest.fixture
def pages() -> Iterator[str]:
    with article_server() as base:
        yield base


def order(cfg: Config) -> list[str]:
    state = open_state(cfg.state_database)
    try:
        built, _ = next_edition(cfg, state, NOW, PRIVATE)
        assert built is not None
        return reading_order(built.digest)
    finally:
        state.close()


def written(cfg: Config) -> tuple[int, int]:
    """Articles stored and the edition's version: what a refused add must leave alone."""
    state = open_state(cfg.state_database)
    try:
        count = state.db.conn.execute("SELECT count(*) FROM articles").fetchone()[0]
        return int(count), state.versions.current()
    finally:
        state.close()


def test_a_page_added_on_top_leads_the_edition(cfg: Config, pages: str) -> None:
    desk = client(cfg, PRIVATE)
    csrf = login(desk)
    before = order(cfg)
    answer = post(desk, "/editions/next/add", csrf, url=f"{pages}/europa", place="top")
    assert answer.status_code == 303, answer.text
    page = desk.get("/editions/next").text
    assert "Added “NASA Just Confirmed There Are Water Plumes" in page
    assert "from sciencealert.com: it now leads the edition" in page
    after = order(cfg)
    assert after == [EUROPA_URL, *before]
    # Summarized once and kept, with the text the page's article has (not its chrome).
    state = open_state(cfg.state_database)
    try:
        stored = state.summaries.get([EUROPA_URL])[EUROPA_URL]
        change = state.versions.since(0)[-1]
    finally:
        state.close()
    assert stored.summary is not None and stored.summary.key_points
    assert any("Europa" in point for point in stored.summary.key_points)
    assert (change.op, change.editor) == ("add", "Ada Lovelace")
    # The same page again: refused, nothing written.
    again = post(desk, "/editions/next/add", csrf, url=f"{pages}/europa", place="top")
    assert again.status_code == 400 and "already in the next edition" in again.text


def test_a_page_added_after_a_story_follows_it(cfg: Config, pages: str) -> None:
    desk = client(cfg, PRIVATE)
    csrf = login(desk)
    before = order(cfg)
    anchor = before[1]
    answer = post(desk, "/editions/next/add", csrf, url=f"{pages}/europa", place=f"after:{anchor}")
    assert answer.status_code == 303, answer.text
    assert order(cfg) == [*before[:2], EUROPA_URL, *before[2:]]
    shown = desk.get("/editions/next").text
    assert "it is story 3, pinned in" in shown
    assert re.search(r"<option value='after:[^']+'>After 3\. NASA Just Confirmed", shown)


def test_a_place_that_moved_away_is_refused_naming_the_change(cfg: Config, pages: str) -> None:
    ada, grace = client(cfg, PRIVATE), client(cfg, PRIVATE)
    ada_csrf, grace_csrf = login(ada, "Ada Lovelace"), login(grace, "Grace Hopper")
    seen = version_of(grace.get("/editions/next").text)
    assert (
        post(ada, "/editions/next/stories", ada_csrf, key=CABLES, action="drop").status_code == 303
    )
    before = written(cfg)
    # After the story Ada dropped: refused. At the top: commutes with her drop.
    lost = post(
        grace,
        "/editions/next/add",
        grace_csrf,
        url=f"{pages}/europa",
        place=f"after:{CABLES}",
        version=seen,
    )
    assert lost.status_code == 409 and "no longer in the edition" in lost.text
    assert written(cfg) == before
    top = post(
        grace, "/editions/next/add", grace_csrf, url=f"{pages}/europa", place="top", version=seen
    )
    assert top.status_code == 303
    assert order(cfg)[0] == EUROPA_URL and CABLES not in order(cfg)
    # A page loaded before Grace's add cannot add it after the lead either: it is in already.
    late = post(
        ada,
        "/editions/next/add",
        ada_csrf,
        url=f"{pages}/europa",
        place=f"after:{LEAD}",
        version=seen,
    )
    assert late.status_code in (400, 409)


@pytest.mark.parametrize(
    ("path", "status", "said"),
    [
        ("ftp://example.org/x", 400, "Give the full address of a web page"),
        ("not a url", 400, "Give the full address of a web page"),
        ("/report.pdf", 415, "is not a web page (its type is application/pdf)"),
        ("/empty", 422, "no article text"),
        ("/huge", 502, "response too large"),
        ("/missing", 502, "HTTP 404"),
    ],
)
def test_a_page_that_cannot_be_a_story_says_why(
    cfg: Config, pages: str, path: str, status: int, said: str
) -> None:
    desk = client(cfg, PRIVATE)
    csrf = login(desk)
    before = written(cfg)
    url = pages + path if path.startswith("/") else path
    answer = post(desk, "/editions/next/add", csrf, url=url, place="top")
    assert answer.status_code == status, answer.text
    assert said in answer.text
    assert "Add a story by URL" in answer.text  # the page again, the address kept
    assert written(cfg) == before


def test_unreachable_and_silent_hosts_say_so(cfg: Config) -> None:
    desk = client(cfg, PRIVATE)
    csrf = login(desk)
    before = written(cfg)
    gone = post(desk, "/editions/next/add", csrf, url=closed_port(), place="top")
    assert gone.status_code == 502 and "Could not fetch" in gone.text and "Connect" in gone.text
    with silent_server() as url:
        slow = post(desk, "/editions/next/add", csrf, url=url, place="top")
    assert slow.status_code == 502 and "timed out after 1 s" in slow.text
    assert written(cfg) == before


def test_private_addresses_are_refused_unless_allowed(project: Path, pages: str) -> None:
    gathered(project)
    cfg = load_config(project / "config.toml", ENV)
    desk = client(cfg)
    csrf = login(desk)
    before = written(cfg)
    for url in (f"{pages}/europa", "http://localhost:1/x", "http://[::1]/x", "http://10.0.0.1/"):
        answer = post(desk, "/editions/next/add", csrf, url=url, place="top")
        assert answer.status_code == 502, url
        assert "a private or local address" in answer.text, url
    assert written(cfg) == before


def test_a_redirect_to_a_private_address_is_refused_at_its_hop() -> None:
    """The check is made at every request of a fetch: a public page redirecting to the
    server's own network is refused there (the first hop is answered by a stand-in)."""
    hops: list[str] = []

    def public(request: httpx.Request) -> httpx.Response:
        hops.append(str(request.url))
        return httpx.Response(302, headers={"location": "http://127.0.0.1:8080/admin"})

    async def follow() -> None:
        guard = PublicOnly(httpx.MockTransport(public))
        async with httpx.AsyncClient(transport=guard, follow_redirects=True) as browser:
            await browser.get("http://93.184.216.34/story")

    with pytest.raises(SourceError, match=r"a private or local address \(127\.0\.0\.1\)"):
        asyncio.run(follow())
    assert hops == ["http://93.184.216.34/story"]


def test_fetch_private_must_be_true_or_false() -> None:
    assert web_settings_from_table({}).fetch_private is False
    assert web_settings_from_table({"fetch_private": True}).fetch_private is True
    with pytest.raises(ConfigError, match=r"web\.fetch_private: must be true or false, got 'yes'"):
        web_settings_from_table({"fetch_private": "yes"})
