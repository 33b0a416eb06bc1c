"""What the templates see: a Digest turned into plain view objects, plus the personal values.

Everything a template needs is computed here (anchors, time labels, safe URLs, word counts) so
the templates stay free of logic and the edition render and the per-subscriber render see the
same stable values (an anchor does not change when a subscriber drops a section).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime
from urllib.parse import urlsplit

from digest.models import Digest, Link, PersonalLinks, Subscriber

WORDS_PER_MINUTE = 200
TOC_MIN_STORIES = 5
RTL_LANGUAGES = frozenset({"ar", "arc", "dv", "fa", "he", "ks", "ku", "ps", "sd", "ug", "ur", "yi"})


@dataclass(frozen=True)
class StoryView:
    """One story as the templates print it; `url` is None when the feed gave no safe link."""

    anchor: str
    headline: str
    url: str | None
    source: str
    time_label: str
    key_points: tuple[str, ...]
    also_in: tuple[Link, ...]


@dataclass(frozen=True)
class SectionView:
    """One section; `key` marks its blocks in the compiled edition ("sec-0", "sec-1", ...)."""

    key: str
    name: str
    stories: tuple[StoryView, ...]
    words: int


@dataclass(frozen=True)
class PersonalView:
    """The per-subscriber values a template may print (as they are: no filters on them)."""

    greeting: str
    name: str
    email: str
    unsubscribe_url: str
    unsubscribe_mailto: str
    preferences_url: str
    browser_url: str
    story_count: str
    reading_minutes: str
    summary_line: str


PERSONAL_FIELDS = tuple(PersonalView.__dataclass_fields__)


def safe_url(url: str | None) -> str | None:
    """Return the URL when it is an absolute http(s) URL without whitespace, else None."""
    if not url:
        return None
    url = url.strip()
    if any(ch.isspace() or ord(ch) < 32 for ch in url):
        return None
    parts = urlsplit(url)
    if parts.scheme.lower() not in ("http", "https") or not parts.hostname:
        return None
    return url


def time_label(published: datetime | None) -> str:
    """'27 Nov 2025, 14:05' (English month names; no locale dependency)."""
    if published is None:
        return ""
    return f"{published.day} {published:%b %Y, %H:%M}"


def date_label(created: datetime) -> str:
    """'Thursday 27 November 2025'."""
    return f"{created:%A} {created.day} {created:%B %Y}"


def text_direction(language: str) -> str:
    """'rtl' for right-to-left languages (by primary subtag), else 'ltr'."""
    return "rtl" if language.split("-")[0].lower() in RTL_LANGUAGES else "ltr"


def section_views(digest: Digest) -> tuple[SectionView, ...]:
    """Every section of the digest with stable keys and story anchors."""
    views: list[SectionView] = []
    number = 0
    for index, section in enumerate(digest.sections):
        stories: list[StoryView] = []
        words = 0
        for story in section.stories:
            number += 1
            also_in = tuple(
                Link(title=link.title, url=url)
                for link in story.also_in
                if (url := safe_url(link.url)) is not None
            )
            stories.append(
                StoryView(
                    anchor=f"story-{number}",
                    headline=story.headline,
                    url=safe_url(story.url),
                    source=story.source,
                    time_label=time_label(story.published),
                    key_points=story.key_points,
                    also_in=also_in,
                )
            )
            words += len(story.headline.split()) + sum(len(p.split()) for p in story.key_points)
        views.append(
            SectionView(key=f"sec-{index}", name=section.name, stories=tuple(stories), words=words)
        )
    return tuple(views)


def chosen(sections: tuple[SectionView, ...], subscriber: Subscriber) -> tuple[SectionView, ...]:
    """The sections a subscriber reads: all when they chose none; names match case-insensitively."""
    if not subscriber.sections:
        return sections
    wanted = {name.casefold() for name in subscriber.sections}
    return tuple(view for view in sections if view.name.casefold() in wanted)


def summary_line(story_count: int, minutes: int) -> str:
    stories = "story" if story_count == 1 else "stories"
    return f"{story_count} {stories} · {minutes} min read"


def reading_minutes(words: int) -> int:
    return max(1, math.ceil(words / WORDS_PER_MINUTE))


def personal_view(
    subscriber: Subscriber, links: PersonalLinks, story_count: int, words: int
) -> PersonalView:
    """The real personal values for one subscriber and their chosen sections."""
    name = subscriber.name.strip()
    minutes = reading_minutes(words)
    return PersonalView(
        greeting=f"Hi {name}," if name else "Hello,",
        name=name,
        email=subscriber.email,
        unsubscribe_url=links.unsubscribe_url,
        unsubscribe_mailto=links.unsubscribe_mailto,
        preferences_url=links.preferences_url,
        browser_url=links.browser_url,
        story_count=str(story_count),
        reading_minutes=str(minutes),
        summary_line=summary_line(story_count, minutes),
    )
