"""LLM mode against a real local HTTP server (tests/summarize/fake_llm.py): good, garbage,
500, timeout and unreachable fall back; 429 and 5xx are retried, honouring Retry-After; the
prompt names the article's language."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from digest.errors import SummarizeError
from digest.models import Article
from digest.state import open_state
from digest.summarize import SummarizerSettings, make_summarizer, summarize_articles
from digest.summarize.llm import LLMSummarizer, parse_answer
from digest.summarize.shape import MAX_POINT_WORDS, word_count
from tests.summarize.fake_llm import FakeLLM, serving

ARTICLE = Article(
    url="https://example.org/a",
    title="Council approves budget",
    text="World\n\nThe council approved the budget on Tuesday. It raises spending by 3.5%. "
    "Opponents said the plan was rushed.",
    source="Example",
)
GOOD = {
    "headline": "Budget passes",
    "section": "Politics",
    "key_points": ["The council approved the budget.", "Spending rises 3.5%."],
}
LONG_POINT = (
    "The opposition tabled forty amendments during a debate that lasted more than nine hours, "
    "and the governing coalition rejected all of them in a series of votes late on Tuesday."
)
MISSHAPEN = {
    "headline": "Budget passes",
    "section": None,
    "key_points": [
        "The budget passes.",  # repeats the headline
        LONG_POINT.replace("Tuesday.", "Tuesday, long after the last buses had left town."),
        "He said so on Tuesday.",  # a fragment
    ],
}
MIXED = {
    "headline": "Budget passes",
    "section": None,
    "key_points": [
        "Budget passes.",
        "The council approved the budget on Tuesday. It raises spending by 3.5%.",
        LONG_POINT + " It was the longest session this year.",
        "Spending on schools rises by 3.5% next year.",
        "Spending on schools will rise 3.5% in the next year.",
    ],
}


@pytest.fixture(scope="module")
def server() -> Iterator[FakeLLM]:
    with serving() as fake:
        yield fake


@pytest.fixture
def fake(server: FakeLLM) -> FakeLLM:
    server.reset()
    return server


def settings(fake: FakeLLM, **values: Any) -> SummarizerSettings:
    base = SummarizerSettings(
        kind="llm", llm_base_url=fake.url, llm_model="tiny", llm_timeout=5.0, retry_backoff=0.5
    )
    return replace(base, **values)


def _summarizer(base_url: str, timeout: float = 5.0) -> Any:
    settings = SummarizerSettings(
        kind="llm", llm_base_url=base_url, llm_model="tiny", llm_timeout=timeout
    )
    return make_summarizer(settings, {"DIGEST_LLM_API_KEY": "sk-test"})


def test_good_answer_is_used(fake: FakeLLM) -> None:
    fake.mode = GOOD
    summarizer = _summarizer(fake.url)
    assert isinstance(summarizer, LLMSummarizer)
    summary = summarizer.summarize(ARTICLE)
    assert summary.headline == "Budget passes"
    assert summary.section == "Politics"
    assert summary.key_points == ("The council approved the budget.", "Spending rises 3.5%.")
    request = fake.requests[-1]
    assert request["path"] == "/v1/chat/completions"
    assert request["auth"] == "Bearer sk-test"
    assert request["model"] == "tiny"
    assert "World\n" not in request["messages"][1]["content"]  # cleaned before sending
    assert fake.calls == 1


@pytest.mark.parametrize("mode", ["garbage", "500"])
def test_bad_answers_fall_back_to_extractive(fake: FakeLLM, mode: str) -> None:
    fake.mode = mode
    summary = _summarizer(fake.url).summarize(ARTICLE)
    assert summary.headline == "Council approves budget"
    assert summary.key_points[0].startswith("The council approved the budget on Tuesday")


def test_timeout_falls_back(fake: FakeLLM) -> None:
    fake.mode = "stall"
    summary = _summarizer(fake.url, timeout=0.2).summarize(ARTICLE)
    assert summary.headline == "Council approves budget"


def test_unreachable_endpoint_falls_back() -> None:
    summary = _summarizer("http://127.0.0.1:9/v1", timeout=0.5).summarize(ARTICLE)
    assert summary.key_points


@pytest.mark.parametrize(
    "content",
    [
        "not json",
        "[1, 2]",
        '{"headline": "", "key_points": ["a"]}',
        '{"headline": "H", "key_points": []}',
        '{"headline": "H", "key_points": [1]}',
        '{"headline": "H", "section": 3, "key_points": ["a"]}',
    ],
)
def test_parse_answer_rejects_anything_but_the_structure(content: str) -> None:
    with pytest.raises(SummarizeError):
        parse_answer(content, 5)


def test_parse_answer_accepts_fenced_json_and_caps_points() -> None:
    fenced = '```json\n{"headline": "H", "section": null, "key_points": ["a", "b", "c"]}\n```'
    summary = parse_answer(fenced, 2)
    assert summary.key_points == ("a", "b") and summary.section is None


def test_llm_points_get_the_same_shape_as_extractive_ones(fake: FakeLLM) -> None:
    fake.mode = MIXED
    summary = _summarizer(fake.url).summarize(ARTICLE)
    assert summary.headline == "Budget passes"
    assert summary.section is None or summary.section == ARTICLE.section
    assert summary.key_points == (
        "The council approved the budget on Tuesday.",
        LONG_POINT,
        "Spending on schools rises by 3.5% next year.",
    )
    assert all(word_count(point) <= MAX_POINT_WORDS for point in summary.key_points)


def test_an_answer_with_no_point_of_the_shape_falls_back(fake: FakeLLM) -> None:
    fake.mode = MISSHAPEN
    summary = _summarizer(fake.url).summarize(ARTICLE)
    assert summary.headline == "Council approves budget"  # the extractive summarizer's
    assert summary.key_points[0].startswith("The council approved the budget on Tuesday")


def test_the_prompt_asks_for_the_articles_language_else_the_newsletters(fake: FakeLLM) -> None:
    """Declared by the feed (fr), else detected from the text (en), else the newsletter's (de)."""
    french = replace(ARTICLE, url="https://example.org/fr", language="fr")
    blank = replace(ARTICLE, url="https://example.org/x", title="Budget", text="   ")
    made = summarize_articles([french, ARTICLE, blank], settings(fake, language="de"), {})
    assert [m.identity.kind for m in made[:2]] == ["llm", "llm"]
    systems = sorted(r["messages"][0]["content"] for r in fake.requests)
    assert [s.rsplit(" ", 1)[-1] for s in systems] == ["de.", "en.", "fr."]
    assert "Write the headline and the key points in the language" in systems[0]


def test_junk_text_is_asked_for_in_the_newsletters_language(fake: FakeLLM) -> None:
    """A detector would call "Volapük" Volapük (vo): junk is in no language, the newsletter's."""
    junk = replace(ARTICLE, url="https://example.org/vo", title="Volapük", text="Volapük")
    summarize_articles([junk], settings(fake, language="de"), {})
    (request,) = fake.requests
    assert request["messages"][0]["content"].endswith(" de.")


def test_a_stored_articles_declared_language_reaches_the_prompt(
    fake: FakeLLM, tmp_path: Path
) -> None:
    """The feed said French: after a round trip through the state the prompt still says so,
    though the text alone would be detected as English."""
    state = open_state(str(tmp_path / "digest.db"))
    now = datetime(2026, 12, 1, 7, 0, tzinfo=UTC)
    state.articles.remember((replace(ARTICLE, language="fr"),), now)
    (stored,) = state.articles.unsent(now, 24)
    state.close()
    summarize_articles([stored], settings(fake, language="de"), {})
    (request,) = fake.requests
    assert request["messages"][0]["content"].endswith(" fr.")


def test_429_is_retried_after_the_servers_retry_after(fake: FakeLLM) -> None:
    fake.fail_next((429, {"Retry-After": "7"}))
    waits: list[float] = []
    (made,) = summarize_articles([ARTICLE], settings(fake), {}, sleep=waits.append)
    assert made.identity.kind == "llm" and made.calls == 2 and fake.calls == 2
    assert waits == [7.0]  # longer than the backoff's 0.5 s: the server's word wins
    assert made.summary is not None and "call 2" in made.summary.key_points[0]


def test_5xx_is_retried_with_a_doubling_backoff(fake: FakeLLM) -> None:
    fake.fail_next((503, {}), (502, {}))
    waits: list[float] = []
    (made,) = summarize_articles([ARTICLE], settings(fake), {}, sleep=waits.append)
    assert made.identity.kind == "llm" and made.calls == 3
    assert waits == [0.5, 1.0]


def test_a_server_that_keeps_failing_falls_back_with_the_reason_logged(
    fake: FakeLLM, caplog: pytest.LogCaptureFixture
) -> None:
    fake.mode = "500"
    waits: list[float] = []
    with caplog.at_level(logging.WARNING):
        (made,) = summarize_articles([ARTICLE], settings(fake, retries=2), {}, sleep=waits.append)
    assert fake.calls == 3 and made.calls == 3 and len(waits) == 2
    assert made.identity.kind == "extractive" and made.summary is not None
    assert made.summary.headline == "Council approves budget"
    assert made.note == "LLM answered HTTP 500 after 3 attempt(s)"
    assert "https://example.org/a: LLM answered HTTP 500 after 3 attempt(s)" in caplog.text


def test_a_retry_after_too_long_to_wait_falls_back_at_once(fake: FakeLLM) -> None:
    fake.fail_next((429, {"Retry-After": "3600"}))
    waits: list[float] = []
    (made,) = summarize_articles([ARTICLE], settings(fake), {}, sleep=waits.append)
    assert made.identity.kind == "extractive" and fake.calls == 1 and waits == []
    assert "HTTP 429" in made.note


def test_a_timeout_is_the_reason_kept(fake: FakeLLM) -> None:
    fake.mode = "stall"
    (made,) = summarize_articles([ARTICLE], settings(fake, llm_timeout=0.2), {})
    assert made.identity.kind == "extractive" and made.note == "LLM call timed out after 0.2s"
