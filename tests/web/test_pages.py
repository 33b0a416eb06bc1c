"""web pages: Jinja2 templates over one stylesheet, escaping hostile text, no markup in Python."""

from __future__ import annotations

import re
from html.parser import HTMLParser
from pathlib import Path

import pytest
from starlette.testclient import TestClient

import digest.web
from digest.config import Config, load_config
from digest.models import Article
from digest.state import open_state
from digest.subscribers import unsubscribe_token
from digest.web import create_app
from digest.web.pages import environment
from tests.web.desk import NOW, gathered, login, version_of
from tests.web.desk import client as desk_client

ENV = {"DIGEST_SECRET": "s", "DIGEST_EDITOR_TOKEN": "editor-token"}
HOSTILE = "<script>alert(1)</script> \"'&"
ESCAPED = "&lt;script&gt;alert(1)&lt;/script&gt; &#34;&#39;&amp;"
HOSTILE_URL = "https://evil.example/x?a=1&b='\"><script>alert(2)</script>"
TAG = re.compile(
    r"</?(p|div|form|ul|li|h[1-6]|a|iframe|button|input|label|table|tr|td|pre|html|body|head"
    r"|style|script|link|meta|title|textarea|strong|em|code|span|br)\b",
    re.IGNORECASE,
)


@pytest.fixture
def cfg(project: Path) -> Config:
    return load_config(project / "config.toml", {})


class Fields(HTMLParser):
    """What a browser would make of a page: link texts, input values and textarea contents."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.links: list[str] = []
        self.inputs: list[tuple[str, str]] = []
        self.textareas: list[str] = []
        self.into: list[str] | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = dict(attrs)
        if tag == "input":
            self.inputs.append((values.get("name") or "", values.get("value") or ""))
        elif tag in ("a", "textarea"):
            self.into = self.links if tag == "a" else self.textareas
            self.into.append("")

    def handle_endtag(self, tag: str) -> None:
        if tag in ("a", "textarea"):
            self.into = None

    def handle_data(self, data: str) -> None:
        if self.into is not None:
            self.into[-1] += data


def fields(page: str) -> Fields:
    parsed = Fields()
    parsed.feed(page)
    return parsed


def test_stylesheet_is_served_and_every_page_links_it(cfg: Config) -> None:
    client = TestClient(create_app(cfg, ENV))
    css = client.get("/static/style.css")
    assert css.status_code == 200 and css.headers["content-type"].startswith("text/css")
    assert "body" in css.text
    link = f"e=ada%40example.com&t={unsubscribe_token(ENV['DIGEST_SECRET'], 'ada@example.com')}"
    pages = {
        "/": 200,
        "/login": 200,
        "/editions/next": 200,  # the sign-in page, without a session
        "/archive": 200,
        "/archive/1999-01-01": 404,
        f"/unsubscribe?{link}": 200,
        "/unsubscribe?e=ada%40example.com&t=forged": 400,
        f"/preferences?{link}": 200,
    }
    for url, status in pages.items():
        response = client.get(url)
        assert response.status_code == status, url
        assert response.headers["content-type"].startswith("text/html"), url
        assert "<link rel='stylesheet' href='/static/style.css'>" in response.text, url
        assert "<style" not in response.text and "style=" not in response.text, url
    confirmed = client.post(f"/unsubscribe?{link}")
    assert "/static/style.css" in confirmed.text and "will get no more emails" in confirmed.text


def test_hostile_text_is_escaped_on_the_desk(project: Path) -> None:
    cfg = gathered(project)
    state = open_state(cfg.state_database)
    text = "The council met on Monday to discuss the plan. It voted to fund it for a year."
    hostile = Article(url=HOSTILE_URL, title=HOSTILE, text=text, source="evil", section=HOSTILE)
    state.articles.remember((hostile,), NOW)
    state.close()
    browser = desk_client(cfg)
    csrf = login(browser)
    version = version_of(browser.get("/editions/next").text)
    form = {"csrf": csrf, "intro": HOSTILE, "version": version}
    saved = browser.post("/editions/next/intro", data=form)
    assert saved.status_code == 200
    version = version_of(saved.text)
    form = {"csrf": csrf, "key": HOSTILE_URL, "action": "pin", "version": version}
    pinned = browser.post("/editions/next/stories", data=form)
    assert pinned.status_code == 200 and "Pinned “" + ESCAPED + "”" in pinned.text
    for page in (pinned.text, browser.get("/editions/next").text):
        assert "<script" not in page.replace("<script src='/static/desk.js' defer></script>", "")
        assert "&amp;lt;" not in page and "&amp;amp;" not in page
        assert ESCAPED in page
        assert "href='https://evil.example/x?a=1&amp;b=&#39;&#34;&gt;&lt;script&gt;" in page
    editing = fields(browser.get("/editions/next").text)
    assert HOSTILE in editing.links  # the title reads as typed, neither raw nor doubled
    assert editing.textareas[0] == HOSTILE  # the intro
    assert ("key", HOSTILE_URL) in editing.inputs


def test_every_template_compiles() -> None:
    names = environment.list_templates()
    assert {"base.html", "desk_base.html", "desk_next.html", "message.html"} <= set(names)
    for name in names:
        environment.get_template(name)


def test_no_html_tags_in_python_under_web() -> None:
    sources = sorted(Path(digest.web.__file__).parent.rglob("*.py"))
    assert len(sources) >= 4
    offenders = [
        f"{path.name}:{number}: {line.strip()}"
        for path in sources
        for number, line in enumerate(path.read_text().splitlines(), 1)
        if TAG.search(line)
    ]
    assert offenders == []
