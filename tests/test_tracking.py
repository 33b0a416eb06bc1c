"""tracking: signed click tokens and the story links they replace."""

from __future__ import annotations

from datetime import UTC, datetime

from digest.models import Digest, Link, Newsletter, Section, Story
from digest.tracking import click_target, click_token, tracked

NEWSLETTER = Newsletter(
    title="T", sender="t@example.com", address="1 Road", base_url="https://news.example/"
)
OTHER = Newsletter(
    title="T", sender="t@example.com", address="1 Road", base_url="https://b.example"
)


def story(url: str, also: str = "") -> Story:
    links = (Link("Other outlet", also),) if also else ()
    return Story(headline="H", url=url, source="S", key_points=(), section="World",
                 article_key=url, also_in=links)  # fmt: skip


def test_story_links_go_through_the_redirect_and_nothing_else_does() -> None:
    digest = Digest(
        edition_id="2026-11-27",
        title="T",
        subject="S",
        preheader="P",
        sections=(
            Section(
                "World",
                (story("https://a.example/1", "https://b.example/1"), story("javascript:alert(1)")),
            ),
        ),
        created=datetime(2026, 11, 27, tzinfo=UTC),
    )
    first, unsafe = tracked(digest, NEWSLETTER, "secret").stories
    assert first.url.startswith("https://news.example/r/")
    assert first.article_key == "https://a.example/1"
    assert first.also_in == (Link("Other outlet", "https://b.example/1"),)  # names an article used
    assert unsafe.url == "javascript:alert(1)"  # not a web link: left for the renderer to drop
    token = first.url.rsplit("/", 1)[1]
    assert click_target("secret", NEWSLETTER, token) == ("2026-11-27", "https://a.example/1")


def test_a_token_is_bound_to_the_secret_and_the_list() -> None:
    token = click_token("secret", NEWSLETTER, "e", "https://a.example/1")
    assert click_target("other", NEWSLETTER, token) is None
    assert click_target("secret", OTHER, token) is None
    assert click_target("secret", NEWSLETTER, token + "x") is None
    assert click_target("secret", NEWSLETTER, "é" + token) is None
    assert click_target("secret", NEWSLETTER, "x" * 5000) is None
    assert (
        click_target("secret", NEWSLETTER, click_token("secret", NEWSLETTER, "e", "ftp://x/"))
        is None
    )
