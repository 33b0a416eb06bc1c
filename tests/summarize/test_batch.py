"""Many articles at once: the LLM's calls in parallel up to the bound, within the edition's
budget (the offline summarizer fills in after it), and who made each summary."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace
from typing import Any

import pytest

from digest.models import Article
from digest.summarize import (
    SummarizerSettings,
    current_identity,
    summarize_articles,
    summarizer_settings_from_table,
)
from tests.summarize.fake_llm import FakeLLM, serving


def articles(count: int) -> list[Article]:
    return [
        Article(
            url=f"https://example.org/{n}",
            title=f"Story number {n} of the day",
            text=f"The council met on day {n} and approved a plan for the harbour. "
            f"The plan costs {n} million euros over five years. "
            "Residents will be asked for their views in the spring.",
            source="Example",
        )
        for n in range(count)
    ]


@pytest.fixture
def fake() -> Iterator[FakeLLM]:
    with serving() as server:
        yield server


def llm(fake: FakeLLM, **values: Any) -> SummarizerSettings:
    return replace(
        SummarizerSettings(kind="llm", llm_base_url=fake.url, llm_model="tiny"), **values
    )


def test_thirty_articles_go_eight_at_a_time(fake: FakeLLM) -> None:
    # Each answer waits until eight calls are in flight (or all 30 came): a client that asks
    # one at a time never gets there, one without a bound goes past it.
    fake.hold_until = (8, 30)
    made = summarize_articles(articles(30), llm(fake, concurrency=8), {})
    assert fake.peak == 8 and fake.calls == 30
    assert [m.identity.kind for m in made] == ["llm"] * 30
    assert [m.key for m in made] == [a.key for a in articles(30)]  # in order


def test_a_bound_of_one_is_one_call_at_a_time(fake: FakeLLM) -> None:
    summarize_articles(articles(5), llm(fake, concurrency=1), {})
    assert fake.peak == 1 and fake.calls == 5


def test_the_budget_caps_calls_and_the_rest_still_get_points(fake: FakeLLM) -> None:
    made = summarize_articles(articles(10), llm(fake, budget=4, concurrency=3), {})
    assert fake.calls == 4
    kinds = [m.identity.kind for m in made]
    assert kinds.count("llm") == 4 and kinds.count("extractive") == 6
    assert all(m.summary is not None and m.summary.key_points for m in made)
    assert {m.note for m in made if m.identity.kind == "extractive"} == {
        "the edition's budget of LLM calls is spent"
    }
    assert sum(m.calls for m in made) == 4


def test_retries_are_calls_the_budget_counts(fake: FakeLLM) -> None:
    fake.fail_next((503, {}), (503, {}))
    made = summarize_articles(
        articles(3), llm(fake, budget=3, concurrency=1), {}, sleep=lambda _: None
    )
    assert fake.calls == 3
    assert [m.identity.kind for m in made] == ["llm", "extractive", "extractive"]
    assert made[0].calls == 3


def test_budget_given_by_the_caller_wins(fake: FakeLLM) -> None:
    made = summarize_articles(articles(3), llm(fake, budget=100), {}, budget=0)
    assert fake.calls == 0 and all(m.identity.kind == "extractive" for m in made)


def test_an_article_nothing_can_summarize_is_kept_with_its_reason() -> None:
    empty = Article(url="https://example.org/empty", title="", text="", source="Example")
    (made,) = summarize_articles([empty], SummarizerSettings(), {})
    assert made.summary is None and "no title and no text" in made.note


def test_identity_changes_with_what_changes_the_output_only() -> None:
    base = summarizer_settings_from_table(
        {"kind": "llm", "llm_base_url": "http://127.0.0.1:1/v1", "llm_model": "tiny"}
    )
    same = [
        replace(base, llm_timeout=3.0),
        replace(base, concurrency=2),
        replace(base, budget=5),
        replace(base, retries=0),
        replace(base, llm_api_key_env="OTHER"),
    ]
    other = [
        replace(base, llm_model="big"),
        replace(base, max_points=3),
        replace(base, language="fr"),
        replace(base, llm_base_url="http://127.0.0.1:2/v1"),
    ]
    identity = current_identity(base)
    assert identity.kind == "llm" and identity.model == "tiny"
    assert all(current_identity(s) == identity for s in same)
    assert all(current_identity(s).settings != identity.settings for s in other)
    offline = current_identity(SummarizerSettings())
    assert offline.kind == "extractive" and offline.model.startswith("weights ")
    assert current_identity(SummarizerSettings(max_points=3)) != offline
    assert current_identity(SummarizerSettings(language="fr")) == offline  # not in its output
