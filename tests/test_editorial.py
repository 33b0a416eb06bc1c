"""editorial: an editor's moves on the next edition, the rewrites' checks, and where its
approval stands, on the sample project through the real pipeline."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from digest import editorial, pipeline
from digest.config import load_config
from digest.errors import InputError
from digest.models import Article, Digest, Section, Story
from digest.state import open_state

NOW = datetime(2026, 11, 27, 6, 0, tzinfo=UTC)


def story(key: str) -> Story:
    return Story(headline=key, url=key, source="S", key_points=(), section="", article_key=key)


# Reading order: b (the lead, in World), a, c (World), d, e (Tech).
DIGEST = Digest(
    edition_id="e",
    title="T",
    subject="b",
    preheader="",
    sections=(
        Section("World", (story("a"), story("b"), story("c"))),
        Section("Tech", (story("d"), story("e"))),
    ),
    created=NOW,
    lead=1,
)


def test_moves_keep_to_the_section_and_top_makes_the_lead() -> None:
    assert editorial.reading_order(DIGEST) == ["b", "a", "c", "d", "e"]
    assert editorial.moved(DIGEST, "e", "top") == ["e", "b", "a", "c", "d"]
    assert editorial.moved(DIGEST, "c", "up") == ["b", "c", "a", "d", "e"]
    assert editorial.moved(DIGEST, "a", "up") == ["b", "a", "c", "d", "e"]  # first of World
    assert editorial.moved(DIGEST, "c", "down") == ["b", "a", "c", "d", "e"]  # last of World
    assert editorial.moved(DIGEST, "d", "down") == ["b", "a", "c", "e", "d"]
    assert editorial.moved(DIGEST, "d", "up") == ["b", "a", "c", "d", "e"]  # not into World
    assert editorial.moved(DIGEST, "b", "down") == ["a", "b", "c", "d", "e"]  # the next leads
    assert editorial.moved(DIGEST, "b", "up") == ["b", "a", "c", "d", "e"]
    with pytest.raises(InputError, match="not a story of the next edition"):
        editorial.moved(DIGEST, "zz", "up")


def test_rewrites_are_one_line_within_limits(tmp_path: Path) -> None:
    state = open_state(str(tmp_path / "d.db"))
    editorial.rewrite(state, "k", " A \n headline ", ["one", "", "  two  "], NOW)
    edit = state.editorial.story_edits()["k"]
    assert (edit.headline, edit.key_points) == ("A headline", ("one", "two"))
    editorial.rewrite(state, "k", "", [], NOW)
    assert "k" not in state.editorial.story_edits()  # the summarizer's words again
    for headline, points, message in (
        ("x" * 301, [], "headline: at most 300"),
        ("ok", ["p"] * 11, "key points: at most 10"),
        ("bell\x07", [], "control characters"),
        ("ok", ["y" * 1001], "key point: at most 1000"),
    ):
        with pytest.raises(InputError, match=message):
            editorial.rewrite(state, "k", headline, points, NOW)
    with pytest.raises(InputError, match="subject: at most 200"):
        editorial.set_subject(state, "s" * 201, NOW)
    editorial.set_intro(state, "Line one\r\nLine two ", NOW)
    assert state.editorial.intro() == "Line one\nLine two"
    with pytest.raises(InputError, match="intro: at most 2000"):
        editorial.set_intro(state, "i" * 2001, NOW)


def test_where_the_approval_stands(project: Path) -> None:
    environ = {"DIGEST_SCHEDULE__REQUIRE_APPROVAL": "true"}
    cfg = load_config(project / "config.toml", environ)
    state = open_state(cfg.state_database)
    pipeline.gather(cfg, state, pipeline.stage_settings(cfg), NOW)

    def standing() -> editorial.Approval:
        built, _ = editorial.next_edition(cfg, state, NOW, {})
        assert built is not None
        return editorial.approval(state, built.digest)

    assert standing() == editorial.Approval("none")
    digest = editorial.approve(cfg, state, NOW, {}, editor="Ada")
    assert digest is not None and standing() == editorial.Approval("approved", "Ada", NOW)
    state.editorial.set_intro("A change", NOW + timedelta(minutes=1))
    assert standing() == editorial.Approval("changed", "Ada", NOW)
    with pytest.raises(InputError, match="changed since you looked"):
        editorial.approve(cfg, state, NOW, {}, editor="Ada", seen="an older fingerprint")
    editorial.hold(cfg, state, NOW + timedelta(minutes=2), {}, editor="Grace")
    assert standing() == editorial.Approval("held", "Grace", NOW + timedelta(minutes=2))
    editorial.approve(cfg, state, NOW + timedelta(minutes=3), {}, editor="Ada")
    assert pipeline.run(cfg, state, NOW + timedelta(minutes=4), {}).sent == 3
    state.articles.remember(
        (Article(url="https://x.example/new", title="New", text="New text " * 40, source="X"),),
        NOW + timedelta(minutes=5),
    )
    later = NOW + timedelta(minutes=6)
    built, _ = editorial.next_edition(cfg, state, later, {})
    assert built is not None
    assert editorial.approval(state, built.digest) == editorial.Approval("none")  # a new edition
