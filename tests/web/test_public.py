"""web: the public face through the real app: the branded home page with the sign-up form and
the latest sent edition, the archive as web pages (the stored web copy, never a reader's own),
the Atom feed read back with feedparser, the desk's embeddable sign-up form, hostile subjects.
"""

from __future__ import annotations

import email
import email.policy
import re
from datetime import UTC, datetime, timedelta
from pathlib import Path

import feedparser
import pytest
from starlette.testclient import TestClient

from digest import pipeline
from digest.config import Config, load_config
from digest.state import State, open_state
from digest.web import create_app
from tests.web.desk import client as desk_client
from tests.web.desk import login
from tests.web.test_pages import fields
from tests.web.test_public_load import write_lock

NOW = datetime(2026, 11, 27, 7, 0, tzinfo=UTC)
ENV = {"DIGEST_SECRET": "public-secret", "DIGEST_EDITOR_TOKEN": "editor-token"}
LEAD = "Rosenberg: Trump-Putin Call Viewed as a Win in Russia"
ALTERNATE = "<link rel='alternate' type='application/atom+xml' title='The Morning Digest'"
RLO, PDF = "\u202e", "\u202c"
HOSTILE = f"Files {RLO}gnp.cod{PDF} & <script>alert(1)</script> \"quoted\" \x0b'x'"
SHOWN = "Files gnp.cod &amp; &lt;script&gt;alert(1)&lt;/script&gt; &#34;quoted&#34; &#39;x&#39;"


@pytest.fixture
def cfg(project: Path) -> Config:
    return load_config(project / "config.toml", ENV)


@pytest.fixture
def client(cfg: Config) -> TestClient:
    return TestClient(create_app(cfg, ENV, clock=lambda: NOW))


def sent(cfg: Config, at: datetime = NOW) -> None:
    state = open_state(cfg.state_database)
    try:
        assert pipeline.run(cfg, state, at, ENV).sent == 3
    finally:
        state.close()


def stored(state: State, edition: str, subject: str, *, got: bool = True) -> None:
    """An edition as the sender leaves it: stored, queued for one reader, sent when `got`."""
    with state.db.transaction():
        state.editions.add(
            edition, created=NOW + timedelta(days=1), subject=subject, stories=1,
            rendered={"text": ""}, browser_html="<p>web copy</p>",
        )  # fmt: skip
        state.ledger.enqueue(edition, ["ada@example.com"])
    if got:
        state.ledger.mark_sent(edition, "ada@example.com", None)
        state.editions.finish(edition, NOW + timedelta(days=1, minutes=3))


def test_home_before_the_first_edition_invites_to_subscribe(client: TestClient) -> None:
    page = client.get("/")
    assert page.status_code == 200
    html = page.text
    assert "<h1 id='top'>The Morning Digest</h1>" in html
    assert "<link rel='stylesheet' href='/brand.css'>" in html and ALTERNATE in html
    assert "No edition has been sent yet" in html
    assert "<form method='post' action='/subscribe'" in html
    names = {name for name, _ in fields(html).inputs}
    assert {"email", "name", "website", "choice", "s:World", "s:Science"} <= names
    assert "href='/archive'" in html and "href='/archive.atom'" in html
    assert "href='/login'" in html  # the desk is on: editors find where to sign in
    assert "Dashboard" not in html


def test_home_form_signs_a_reader_up(cfg: Config, client: TestClient) -> None:
    home = fields(client.get("/").text)
    form = {name: value for name, value in home.inputs if name in ("email", "name", "website")}
    form.update(email="reader@example.net", name="Reader", choice="everything")
    answer = client.post("/subscribe", data=form)
    assert answer.status_code == 200 and "Check your inbox" in answer.text
    state = open_state(cfg.state_database)
    record = state.subscribers.get("reader@example.net")
    assert record is not None and record.status == "pending"


def test_home_shows_the_latest_sent_edition_with_its_headlines(
    cfg: Config, client: TestClient
) -> None:
    sent(cfg)
    html = client.get("/").text
    assert "No edition has been sent yet" not in html
    assert "<time datetime='2026-11-27'>27 November 2026</time>" in html
    assert f"<a href='/archive/2026-11-27'><bdi>{LEAD} + 8 more</bdi></a>" in html
    headlines = re.findall(r"<li><bdi>([^<]+)</bdi></li>", html)
    assert headlines[0] == LEAD  # reading order: the lead story first
    assert "Chile&#39;s lithium auction draws record bids from carmakers" in headlines
    assert len(headlines) == len(set(headlines)) and 3 <= len(headlines) <= 8


def test_a_signed_in_editor_still_gets_the_dashboard_with_the_embed_form(cfg: Config) -> None:
    browser = desk_client(cfg, ENV)
    login(browser)
    html = browser.get("/").text
    assert "<h1 id='top'>Dashboard</h1>" in html
    (snippet,) = fields(html).textareas
    assert snippet.startswith('<form method="post" action="https://digest.example.com/subscribe">')
    embedded = fields(snippet)
    names = [name for name, _ in embedded.inputs]
    assert names == ["email", "name", "choice", "website"]
    assert ("choice", "everything") in embedded.inputs  # /subscribe wants a sections choice
    assert '<div hidden aria-hidden="true">' in snippet  # the honeypot, on any site's styles
    assert "&lt;form method=&#34;post&#34;" in html  # shown as text, never as a live form
    assert "<code>signup_origins</code>" in html


def test_archive_lists_sent_editions_and_serves_the_web_copy_only(
    cfg: Config, client: TestClient, project: Path
) -> None:
    sent(cfg)
    state = open_state(cfg.state_database)
    stored(state, "2026-11-28", "Waiting to go", got=False)
    html = client.get("/archive").text
    assert ALTERNATE in html and "<link rel='stylesheet' href='/brand.css'>" in html
    assert "<a href='/archive/2026-11-27'><bdi>" in html
    assert "2026-11-28" not in html and "Waiting to go" not in html  # nobody got it yet
    assert "href='/#subscribe'" in html
    copy = client.get("/archive/2026-11-27")
    assert copy.status_code == 200 and LEAD in copy.text
    assert "sandbox" in copy.headers["content-security-policy"]
    assert client.get("/archive/2026-11-28").status_code == 404
    personal = set()
    for path in (project / "outbox").glob("2026-11-27--*.eml"):
        message = email.message_from_bytes(path.read_bytes(), policy=email.policy.default)
        personal |= set(re.findall(r"[?&]t=([\w.-]{16,})", str(message["List-Unsubscribe"])))
        assert message["To"].addresses[0].addr_spec not in copy.text
    assert len(personal) == 3  # one personal unsubscribe token per reader ...
    assert not any(token in copy.text for token in personal)  # ... and none in the web copy


def test_feed_reads_back_as_atom(cfg: Config, client: TestClient) -> None:
    sent(cfg)
    state = open_state(cfg.state_database)
    stored(state, "2026-11-28", "The second edition")
    answer = client.get("/archive.atom")
    assert answer.headers["content-type"] == "application/atom+xml; charset=utf-8"
    assert answer.headers["cache-control"] == "public, max-age=300"
    feed = feedparser.parse(answer.content)
    assert feed.bozo == 0 and feed.version == "atom10"
    assert feed.feed.title == "The Morning Digest"
    assert feed.feed.id == "https://digest.example.com/archive"
    links = {link.rel: link.href for link in feed.feed.links}
    assert links == {
        "self": "https://digest.example.com/archive.atom",
        "alternate": "https://digest.example.com/archive",
    }
    assert [entry.title for entry in feed.entries] == ["The second edition", f"{LEAD} + 8 more"]
    first, second = feed.entries
    assert first.id == first.link == "https://digest.example.com/archive/2026-11-28"
    assert first.updated == "2026-11-28T07:03:00Z"  # when its send finished
    assert feed.feed.updated == first.updated
    assert second.link == "https://digest.example.com/archive/2026-11-27"
    assert second.summary.startswith(f"In this edition: {LEAD}; ")
    assert first.summary == "The second edition"


def test_an_empty_feed_is_still_valid_atom(client: TestClient) -> None:
    feed = feedparser.parse(client.get("/archive.atom").content)
    assert feed.bozo == 0 and feed.entries == []
    assert feed.feed.updated == "2026-11-27T07:00:00Z"  # the app's clock


def test_hostile_subjects_are_escaped_and_lose_their_bidi_controls(
    cfg: Config, client: TestClient
) -> None:
    state = open_state(cfg.state_database)
    stored(state, "2026-11-28", HOSTILE)
    for url in ("/", "/archive"):
        html = client.get(url).text
        assert f"<bdi>{SHOWN}</bdi>" in html, url
        assert RLO not in html and PDF not in html and "<script" not in html, url
    xml = client.get("/archive.atom")
    assert RLO not in xml.text and "<script" not in xml.text
    feed = feedparser.parse(xml.content)
    assert feed.bozo == 0
    assert feed.entries[0].title == "Files gnp.cod & <script>alert(1)</script> \"quoted\" 'x'"


def test_the_public_pages_only_read_so_a_held_write_lock_does_not_stop_them(
    cfg: Config, client: TestClient
) -> None:
    sent(cfg)
    with write_lock(cfg):  # another process writing (a send, a sign-up elsewhere)
        for url in ("/", "/archive", "/archive.atom", "/archive/2026-11-27"):
            assert client.get(url).status_code == 200, url
