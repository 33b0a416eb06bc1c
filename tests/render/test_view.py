"""What the templates see: display limits on feed text, the lead, first names, reading time."""

from __future__ import annotations

from dataclasses import replace

import pytest

from digest.models import Link, Subscriber
from digest.render import RenderSettings
from digest.render.view import (
    chosen,
    cut,
    edition_view,
    first_name,
    reading_minutes,
    story_view,
)
from tests.render.sample import load_sample


@pytest.mark.parametrize(
    ("text", "limit", "expected"),
    [
        ("Short enough", 40, "Short enough"),
        ("  spaced \n  out\ttext ", 40, "spaced out text"),
        ("The quick brown fox jumps over the lazy dog", 20, "The quick brown fox…"),
        ("Cut here, and then some more words", 12, "Cut here…"),
        ("x" * 50, 10, "x" * 9 + "…"),
        ("汉" * 30, 10, "汉" * 9 + "…"),
    ],
)
def test_cut_at_a_word(text: str, limit: int, expected: str) -> None:
    assert cut(text, limit) == expected
    assert len(cut(text, limit)) <= limit


def test_cut_of_a_megabyte_is_quick_and_short() -> None:
    result = cut("word " * 250_000, 200)
    assert len(result) <= 200 and result.endswith("word…")


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("Ada Lovelace", "Ada"),
        ("  Grace   Brewster Hopper ", "Grace"),
        ("Lovelace, Ada", "Ada"),
        ("Dr Chidi Okafor", "Dr Okafor"),
        ("Prof. Okafor", "Prof. Okafor"),
        ("Cher", "Cher"),
        ("", ""),
        ("   ", ""),
    ],
)
def test_first_name(name: str, expected: str) -> None:
    assert first_name(name) == expected


def test_story_view_caps_outlets_and_reads_time() -> None:
    digest, _ = load_sample()
    others = tuple(Link(f"Outlet {n}", f"https://o{n}.example/x") for n in range(10))
    story = replace(
        digest.stories[0], also_in=(Link("Bad", "javascript:x"), *others), word_count=401
    )
    view = story_view(story, RenderSettings())
    assert [link.title for link in view.also_in] == ["Outlet 0", "Outlet 1", "Outlet 2"]
    assert view.also_more == 7, "unsafe links are not counted"
    assert view.read_label == "3 min read" and reading_minutes(401) == 3
    assert story_view(replace(story, word_count=0), RenderSettings()).read_label == ""
    excerpt = replace(story, word_count=120)  # a feed's summary: the original is longer
    assert story_view(excerpt, RenderSettings()).read_label == ""


def test_lead_is_taken_out_of_its_section() -> None:
    digest, _ = load_sample()
    edition = edition_view(replace(digest, lead=2), RenderSettings())
    assert edition.lead is not None and edition.lead.headline == digest.stories[2].headline
    business = edition.sections[1]
    assert edition.lead_key == business.key == "sec-1"
    assert [s.headline for s in business.stories] == [digest.stories[3].headline]
    assert business.count == 2 and edition.count == len(digest.stories)
    assert chosen(edition, Subscriber("a@x.org", sections=("world",))).lead is None
    assert chosen(edition, Subscriber("a@x.org", sections=("BUSINESS",))).lead == edition.lead
    outside = edition_view(replace(digest, lead=99), RenderSettings())
    assert outside.lead is not None and outside.lead.headline == digest.stories[0].headline
