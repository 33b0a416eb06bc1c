"""What the templates see: display limits on feed text, the lead, first names, reading time."""

from __future__ import annotations

from dataclasses import replace

import pytest

from digest.models import Link, Subscriber
from digest.render import RenderSettings
from digest.render.tiers import chosen, edition_view
from digest.render.view import (
    cut,
    first_name,
    reading_minutes,
    short_line,
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
    assert [link.title for link in view.also_in] == ["Outlet 0", "Outlet 1"]
    assert view.also_more == 8, "unsafe links are not counted"
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


def test_top_stories_are_taken_by_rank_across_sections() -> None:
    digest, _ = load_sample()  # World 2, Business 2, Technology 1, Sport 1; the lead World's first
    edition = edition_view(digest, RenderSettings(top_stories=3, top_points=1, lead_points=1))
    assert edition.lead is not None and edition.lead.headline == digest.stories[0].headline
    assert edition.lead.standfirst == digest.stories[0].key_points[0]
    assert edition.lead.key_points == digest.stories[0].key_points[1:2]
    top = {view.name: [s.headline for s in view.stories] for view in edition.sections}
    quick = {view.name: [s.headline for s in view.quick] for view in edition.sections}
    first = {section.name: section.stories[0].headline for section in digest.sections}
    assert top == {
        "World": [],
        "Business": [first["Business"]],
        "Technology": [first["Technology"]],
        "Sport": [first["Sport"]],
    }
    assert quick["World"] == [digest.sections[0].stories[1].headline]
    assert quick["Business"] == [digest.sections[1].stories[1].headline]
    assert all(len(s.key_points) == 1 for view in edition.sections for s in view.stories)
    assert all(not s.key_points for view in edition.sections for s in view.quick)
    assert edition.count == len(digest.stories) and edition.quick_count == 2


def test_only_https_pictures_and_thumbnails_by_theme() -> None:
    digest, _ = load_sample()
    lead, battery = digest.stories[0], digest.sections[1].stories[0]
    default = edition_view(digest, RenderSettings())
    assert default.lead is not None and default.lead.image is not None
    assert (default.lead.image.width, default.lead.image.height) == (552, 311)
    assert default.lead.image.alt == lead.headline
    (shown,) = [s for view in default.sections for s in view.stories if s.thumb is not None]
    assert shown.headline == battery.headline and shown.image is None
    compact = edition_view(digest, RenderSettings(theme="compact"))
    assert all(s.thumb is None for view in compact.sections for s in view.stories)
    for url in (
        "http://x.example/a.jpg",
        "ftp://x.example/a.jpg",
        "https://x.example/" + "a" * 2000,
    ):
        assert story_view(replace(lead, image_url=url), RenderSettings()).image is None


@pytest.mark.parametrize(
    ("headline", "expected"),
    [
        ("Battery plant opens in the north with 1,200 jobs", "Battery plant opens…"),
        ("Short headline", "Short headline"),
        (
            "莫斯科认为这次通话是一次外交胜利莫斯科认为这次通话是一次外交胜利还有",
            "莫斯科认为这次通话是一次外交胜利莫斯科认为这次通话是一次外交胜…",
        ),
    ],
)
def test_contents_lines_are_short(headline: str, expected: str) -> None:
    assert short_line(headline, 32) == expected
