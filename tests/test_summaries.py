"""Summaries made once and kept, through the real pipeline on the bundled sources: builds reuse
them, changed settings change nothing until a refresh, an editor's rewrite stays on top, and
the per-edition budget of LLM calls holds across builds and refreshes."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

from digest import editorial, pipeline
from digest.config import Config, load_config
from digest.state import State, open_state
from tests.cli.runner import digest
from tests.summarize.fake_llm import FakeLLM, offline_counter, serving

NOW = datetime(2026, 11, 27, 7, 0, tzinfo=UTC)
LEAD = "https://news.example.org/world/rosenberg-trump-putin-call"


@pytest.fixture
def offline_calls(monkeypatch: pytest.MonkeyPatch) -> Counter[str]:
    return offline_counter(monkeypatch)


@pytest.fixture
def fake() -> Iterator[FakeLLM]:
    with serving() as server:
        yield server


def gathered(project: Path, environ: dict[str, str]) -> tuple[Config, State]:
    cfg = load_config(project / "config.toml", environ)
    state = open_state(cfg.state_database)
    pipeline.gather(cfg, state, pipeline.stage_settings(cfg), NOW)
    return cfg, state


def points(cfg: Config, state: State, environ: dict[str, str]) -> dict[str, tuple[str, ...]]:
    built, _ = pipeline.build(
        cfg, state, pipeline.stage_settings(cfg), NOW, environ, gather_first=False
    )
    assert built is not None
    return {story.article_key: story.key_points for story in built.digest.stories}


def llm_env(fake: FakeLLM, **more: str) -> dict[str, str]:
    return {
        "DIGEST_SUMMARIZE__KIND": "llm",
        "DIGEST_SUMMARIZE__LLM_BASE_URL": fake.url,
        "DIGEST_SUMMARIZE__LLM_MODEL": "tiny",
        **more,
    }


def test_builds_reuse_the_stored_summaries(project: Path, offline_calls: Counter[str]) -> None:
    cfg, state = gathered(project, {})
    first = points(cfg, state, {})
    waiting = state.articles.unsent(NOW, cfg.newsletter.lookback_hours)
    assert offline_calls == Counter(a.key for a in waiting)
    assert points(cfg, state, {}) == first and points(cfg, state, {}) == first
    assert offline_calls == Counter(a.key for a in waiting)  # no second call
    kept = state.summaries.get([LEAD])[LEAD]
    assert kept.kind == "extractive" and kept.model.startswith("weights ") and kept.calls == 0


def test_a_gather_with_the_key_summarizes_the_next_editions_articles(
    project: Path, fake: FakeLLM
) -> None:
    environ = llm_env(fake)
    cfg = load_config(project / "config.toml", environ)
    state = open_state(cfg.state_database)
    pipeline.gather(cfg, state, pipeline.stage_settings(cfg), NOW, environ=environ)
    waiting = state.articles.unsent(NOW, cfg.newsletter.lookback_hours)
    assert fake.calls == len(waiting) == len(state.summaries.get([a.key for a in waiting]))
    points(cfg, state, environ)
    pipeline.gather(cfg, state, pipeline.stage_settings(cfg), NOW, environ=environ)
    assert fake.calls == len(waiting)  # nothing new: nothing asked again


def test_changed_settings_change_nothing_until_a_refresh(
    project: Path, offline_calls: Counter[str]
) -> None:
    cfg, state = gathered(project, {})
    before = points(cfg, state, {})
    assert max(len(p) for p in before.values()) > 2
    editorial.rewrite(state, LEAD, "", ["The editor's own point stays on top."], NOW)
    fewer = {"DIGEST_SUMMARIZE__MAX_POINTS": "2"}
    cfg2 = load_config(project / "config.toml", fewer)
    calls = sum(offline_calls.values())
    assert points(cfg2, state, fewer) == {
        **before,
        LEAD: ("The editor's own point stays on top.",),
    }
    assert sum(offline_calls.values()) == calls  # a build never re-summarizes by accident
    done = editorial.resummarize(cfg2, state, NOW, fewer)
    assert done.articles == len(before) + 0 and done.current == done.articles and not done.notes
    after = points(cfg2, state, fewer)
    assert after[LEAD] == ("The editor's own point stays on top.",)
    assert all(len(p) <= 2 for k, p in after.items() if k != LEAD)
    assert editorial.resummarize(cfg2, state, NOW, fewer).articles == 0  # all current now
    again = editorial.resummarize(cfg2, state, NOW, fewer, everything=True)
    assert again.articles == len(before)


def test_the_budget_holds_across_builds_and_refreshes(project: Path, fake: FakeLLM) -> None:
    environ = llm_env(fake, DIGEST_SUMMARIZE__BUDGET="4")
    cfg, state = gathered(project, environ)
    waiting = state.articles.unsent(NOW, cfg.newsletter.lookback_hours)
    first = points(cfg, state, environ)
    assert fake.calls == 4
    assert all(first.values())  # the rest of the edition still has points
    kinds = Counter(s.kind for s in state.summaries.get([a.key for a in waiting]).values())
    assert kinds == {"llm": 4, "extractive": len(waiting) - 4}
    points(cfg, state, environ)
    assert fake.calls == 4
    done = editorial.resummarize(cfg, state, NOW, environ)  # the budget is still spent
    assert done.articles == len(waiting) - 4 and done.current == 0 and fake.calls == 4
    assert done.notes == ("the edition's budget of LLM calls is spent",)
    more = llm_env(fake, DIGEST_SUMMARIZE__BUDGET="100")
    done = editorial.resummarize(load_config(project / "config.toml", more), state, NOW, more)
    assert done.current == done.articles == len(waiting) - 4
    assert fake.calls == len(waiting)


def test_an_approval_holds_until_a_refresh_changes_the_words(project: Path, fake: FakeLLM) -> None:
    environ = llm_env(fake)
    cfg, state = gathered(project, environ)
    approved = editorial.approve(cfg, state, NOW, environ)
    assert approved is not None
    built, _ = editorial.next_edition(cfg, state, NOW, environ)
    assert built is not None and editorial.approval(state, built.digest).status == "approved"
    editorial.resummarize(cfg, state, NOW, environ, everything=True)  # the fake answers anew
    built, _ = editorial.next_edition(cfg, state, NOW, environ)
    assert built is not None and editorial.approval(state, built.digest).status == "changed"


def test_digest_summarize_refresh(project: Path) -> None:
    cfg, state = gathered(project, {})
    points(cfg, state, {})
    state.close()
    assert "no article waits" in digest("summarize", "--refresh", cwd=project).stdout  # today
    same = digest("summarize", "--refresh", cwd=project, now=NOW)
    assert same.returncode == 0, same.stderr
    assert "every summary of the next daily edition is the configured summarizer's" in same.stdout
    fewer = {"DIGEST_SUMMARIZE__MAX_POINTS": "2"}
    redo = digest("summarize", "--refresh", cwd=project, env=fewer, now=NOW)
    assert redo.returncode == 0, redo.stderr
    assert "summarized 9 article(s) of the next daily edition again: 9 by the configured" in (
        redo.stdout
    )
    assert digest("summarize", "--all", cwd=project).returncode == 2
