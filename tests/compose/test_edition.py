"""Compose: clustering into also_in, ranking, capping, section order, subject, determinism."""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta

import pytest

from digest.compose import ComposeSettings, compose, compose_settings_from_table
from digest.errors import ConfigError
from digest.models import Article, Newsletter, Summary

NOW = datetime(2025, 3, 20, 7, 0, tzinfo=UTC)
NEWSLETTER = Newsletter(title="Morning Digest", sender="d@example.org", address="1 Road",
                        base_url="https://example.org", max_stories=3)  # fmt: skip
BANK = (
    "The central bank raised interest rates by a quarter point on Thursday, its third increase "
    "this year, saying inflation remained too high. Markets had expected the move."
)


def item(url: str, title: str, text: str, source: str, section: str | None, hours: float
         ) -> tuple[Article, Summary]:  # fmt: skip
    article = Article(url=url, title=title, text=text, source=source, section=section,
                      published=NOW - timedelta(hours=hours))  # fmt: skip
    return article, Summary(headline=title, section=section, key_points=(text.split(".")[0] + ".",))


ITEMS = [
    item("https://a/bank", "Central bank raises rates again", BANK, "Alpha", "Business", 5),
    item("https://b/bank", "Bank raises rates a third time", "In London, " + BANK, "Beta", None, 2),
    item("https://a/floods", "Floods recede in the north", "Rivers fell after rain.", "Alpha",
         "World", 1),
    item("https://c/match", "United win the derby", "United beat City 2-1 at home.", "Gamma",
         "Sport", 3),
    item("https://c/old", "Old news about a fair", "A fair was held last week.", "Gamma",
         None, 90),
]  # fmt: skip


def run(items: list[tuple[Article, Summary]], **settings: object) -> object:
    return compose(items, newsletter=NEWSLETTER, settings=ComposeSettings(**settings),  # type: ignore[arg-type]
                   edition_id="2025-03-20", now=NOW)  # fmt: skip


def test_clusters_ranks_caps_and_groups() -> None:
    digest = run(ITEMS, section_order=("World", "Business"))
    assert digest is not None
    stories = digest.stories
    assert len(stories) == 3  # max_stories; the 90-hour-old fair is dropped
    bank = next(s for s in stories if "rates" in s.headline)
    assert bank.source == "Beta"  # the longer text leads when weights are equal
    assert [(link.title, link.url) for link in bank.also_in] == [("Alpha", "https://a/bank")]
    assert [section.name for section in digest.sections] == ["World", "Business", "Sport"]
    assert bank.section == "Business"
    assert bank.word_count == len(next(a.text for a, _ in ITEMS if a.url == bank.url).split())
    assert digest.subject == f"{bank.headline} + 2 more"
    assert digest.preheader.startswith("Also: ")


def test_coverage_lifts_the_clustered_story_to_the_top() -> None:
    digest = run(ITEMS)
    assert digest is not None
    assert digest.subject.split(" + ")[0] in {"Central bank raises rates again",
                                             "Bank raises rates a third time"}  # fmt: skip


def test_source_weight_changes_rank() -> None:
    digest = run(ITEMS, source_weights={"Gamma": 10.0})
    assert digest is not None
    assert digest.subject.startswith("United win the derby")


def test_same_inputs_same_digest_in_any_order() -> None:
    shuffled = list(ITEMS)
    random.Random(3).shuffle(shuffled)
    assert run(ITEMS) == run(shuffled)


def test_missing_section_falls_back_to_default() -> None:
    digest = run([item("https://x", "Lone story here", "Something happened.", "X", None, 1)],
                 default_section="Top")  # fmt: skip
    assert digest is not None
    assert digest.sections[0].name == "Top"
    assert digest.subject == "Lone story here"
    assert digest.preheader == "Something happened."


def test_nothing_to_send() -> None:
    assert run([]) is None
    empty = run([], send_when_empty=True)
    assert empty is not None and empty.stories == () and "no new stories" in empty.subject


def test_settings_from_table() -> None:
    settings = compose_settings_from_table(
        {
            "section_order": ["World"],
            "subject_template": "{title}: {count} stories",
            "send_when_empty": True,
            "group_threshold": 0.25,
        }
    )
    assert settings.section_order == ("World",) and settings.send_when_empty
    assert settings.group_threshold == 0.25
    for table, key in [
        ({"colour": 1}, "compose.colour"),
        ({"section_order": "World"}, "compose.section_order"),
        ({"subject_template": "{headline}"}, "compose.subject_template"),
        ({"send_when_empty": "yes"}, "compose.send_when_empty"),
        ({"group_threshold": 0}, "compose.group_threshold"),
        ({"group_threshold": "high"}, "compose.group_threshold"),
        ({"group_threshold": 1.5}, "compose.group_threshold"),
        ({"source_weights": {"BBC": 2}}, "compose.source_weights: unknown key"),
    ]:
        with pytest.raises(ConfigError, match=key.replace(".", r"\.")):
            compose_settings_from_table(table)


def test_custom_subject_template() -> None:
    digest = run(ITEMS, subject_template="{title} {date}: {count} stories")
    assert digest is not None
    assert digest.subject == "Morning Digest 2025-03-20: 3 stories"


def test_equal_scores_put_the_fuller_article_first() -> None:
    undated = [
        (Article(url=f"https://u/{n}", title=title, text=text, source="S"),
         Summary(headline=title, section="World", key_points=(text,)))
        for n, (title, text) in enumerate([
            ("A short note", "One line only."),
            ("Zebra crossing report", " ".join(["A long and detailed account."] * 30)),
        ])
    ]  # fmt: skip
    digest = run(undated)
    assert digest is not None
    assert [s.headline for s in digest.stories] == ["Zebra crossing report", "A short note"]
    assert digest.subject.startswith("Zebra crossing report")


def test_lead_is_the_top_ranked_story_in_section_order() -> None:
    """Digest.lead points at the subject's story, wherever section_order puts its section."""
    digest = run(ITEMS, section_order=("World", "Business"))
    assert digest is not None
    lead = digest.stories[digest.lead]
    assert digest.lead == 1 and digest.sections[0].name == "World"
    assert digest.subject.startswith(lead.headline) and "rates" in lead.headline


def test_an_editors_order_places_stories_and_a_pin_without_a_place_goes_above() -> None:
    def lead(**options: object) -> str:
        digest = compose(ITEMS[:4], newsletter=NEWSLETTER, settings=ComposeSettings(),
                         edition_id="e", now=NOW, **options)  # type: ignore[arg-type]  # fmt: skip
        assert digest is not None
        assert digest.subject.startswith(digest.stories[digest.lead].headline)
        return digest.stories[digest.lead].url

    assert lead() == "https://b/bank"
    assert lead(order={"https://c/match": 0}) == "https://c/match"  # placed: above the rest
    placed = {"https://c/match": 0, "https://a/floods": 1}
    bank = frozenset({"https://b/bank"})
    assert lead(order=placed, pinned=bank) == "https://b/bank"  # pinned, not placed: on top
    assert lead(order={**placed, "https://b/bank": 2}, pinned=bank) == "https://c/match"
    assert lead(order={"nowhere": 0}) == "https://b/bank"
