"""The issue's desk session: opening the next edition, every preview pane, a test send, an
approval and the send ask the summarizer once per article, and the edition sent carries the
points the editor approved (a fake LLM whose points name the call would show any second call).
"""

from __future__ import annotations

import email
import email.policy
import re
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import pytest

from digest import pipeline
from digest.config import Config
from digest.state import open_state
from tests.summarize.fake_llm import FakeLLM, offline_counter, serving
from tests.web.desk import ENV, NOW, client, gathered, login, post

POINT = re.compile(r"The fake model wrote this first point in call \d+\.")
PANES = (
    "/editions/next?view=desktop",
    "/editions/next?view=phone",
    "/editions/next?view=dark",
    "/editions/next?view=images",
    "/editions/next?view=text",
    "/editions/next/email.html",
    "/editions/next/email.html?scheme=dark",
    "/editions/next/email.html?images=off",
    "/editions/next/email.txt",
    "/editions/next/message.eml",
)


@pytest.fixture
def fake() -> Iterator[FakeLLM]:
    with serving() as server:
        yield server


@pytest.fixture
def offline_calls(monkeypatch: pytest.MonkeyPatch) -> Counter[str]:
    return offline_counter(monkeypatch)


def session(cfg: Config, environ: dict[str, str]) -> str:
    """Open the desk, look at every pane, send a test, approve; the text pane seen."""
    browser = client(cfg, environ)
    csrf = login(browser, name="Grace Hopper")  # opens the next edition
    page = browser.get("/editions/next").text
    for pane in PANES:
        assert browser.get(pane).status_code == 200, pane
    person = re.search(r"[?&]as=(\d+)", browser.get("/editions/next?view=subscriber").text)
    assert person, "a subscriber to preview as"
    assert browser.get(f"/editions/next/email.html?as={person[1]}").status_code == 200
    seen_text: str = browser.get("/editions/next/email.txt").text
    assert post(browser, "/editions/next/test", csrf, email="ed@example.com").status_code == 303
    seen = page.split("name='seen' value='", 1)[1].split("'", 1)[0]
    assert post(browser, "/editions/next/approve", csrf, seen=seen).status_code == 303
    return seen_text


def sent_text(cfg: Config) -> str:
    path = next((cfg.base_dir / "outbox").glob("2026-11-27--ada@example.com-*.eml"))
    message = email.message_from_bytes(path.read_bytes(), policy=email.policy.default)
    return message.get_body(("plain",)).get_content()  # type: ignore[union-attr,no-any-return]


def test_a_desk_session_asks_the_llm_once_per_article(
    project: Path, fake: FakeLLM, offline_calls: Counter[str]
) -> None:
    environ = {
        **ENV,
        "DIGEST_SCHEDULE__REQUIRE_APPROVAL": "true",
        "DIGEST_SUMMARIZE__KIND": "llm",
        "DIGEST_SUMMARIZE__LLM_BASE_URL": fake.url,
        "DIGEST_SUMMARIZE__LLM_MODEL": "tiny",
    }
    cfg = gathered(project, environ)
    state = open_state(cfg.state_database)
    articles = state.articles.unsent(NOW, cfg.newsletter.lookback_hours)
    seen_text = session(cfg, environ)
    report = pipeline.run(cfg, state, NOW, environ)
    assert report.sent == 3 and not report.awaiting_approval
    titles = Counter(r["messages"][1]["content"].split("\n", 1)[0] for r in fake.requests)
    assert fake.calls == len(articles) >= 9
    assert set(titles.values()) == {1}  # one call per article, none twice
    assert not offline_calls  # nothing fell back
    approved = POINT.findall(seen_text)
    assert approved and approved == POINT.findall(sent_text(cfg))


def test_a_desk_session_runs_the_offline_summarizer_once_per_article(
    project: Path, offline_calls: Counter[str]
) -> None:
    environ = {**ENV, "DIGEST_SCHEDULE__REQUIRE_APPROVAL": "true"}
    cfg = gathered(project, environ)
    state = open_state(cfg.state_database)
    articles = state.articles.unsent(NOW, cfg.newsletter.lookback_hours)
    session(cfg, environ)
    assert pipeline.run(cfg, state, NOW, environ).sent == 3
    assert offline_calls == Counter(a.key for a in articles)


def test_the_desk_summarizes_again_only_when_asked(
    project: Path, offline_calls: Counter[str]
) -> None:
    cfg = gathered(project, ENV)
    browser = client(cfg)
    csrf = login(browser)
    page = browser.get("/editions/next").text
    assert "The configured summarizer is extractive (weights " in page
    assert "Summarize 9 again" not in page and "/editions/next/summaries" not in page
    calls = sum(offline_calls.values())
    fewer = {**ENV, "DIGEST_SUMMARIZE__MAX_POINTS": "2"}
    changed = client(gathered(project, fewer), fewer)
    csrf = login(changed)
    page = changed.get("/editions/next").text
    assert "9 of 9 were made by another summarizer or other settings" in page
    assert sum(offline_calls.values()) == calls  # looking changes nothing
    done = post(changed, "/editions/next/summaries", csrf)
    assert done.status_code == 303
    page = changed.get("/editions/next").text
    assert "Summarized 9 again: 9 by the configured summarizer." in page
    assert "were made by another summarizer" not in page
    assert sum(offline_calls.values()) == calls + 9
