"""What the templates see: a Digest turned into plain view objects, plus the personal values.

Everything a template needs is computed here and in `tiers` (display limits on feed text,
reading times, safe URLs and images, colours, the personal values) so the templates stay free
of logic and the edition render and the per-subscriber render see the same stable values.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime
from urllib.parse import urlsplit

from digest.models import Link, Newsletter, PersonalLinks, Story, Subscriber
from digest.render.settings import RenderSettings, readable_on

WORDS_PER_MINUTE = 200
# A story whose text is shorter than this is most likely a feed's excerpt, not the article: its
# reading time would understate the original, so none is shown.
MIN_WORDS_FOR_READING_TIME = 150
CONTENTS_MAX_CHARS = 32  # a contents line: one line at 375 px
LABEL_MAX_CHARS = 60  # a source, section or outlet name from a feed
TEASER_MAX_CHARS = 160  # the one line per story of the compact theme
FIRST_NAME_MAX_CHARS = 40
DARK_CARD = "#1f2937"  # the card colour of the dark-mode stylesheet (partials/head.mjml.j2)
RTL_LANGUAGES = frozenset({"ar", "arc", "dv", "fa", "he", "ks", "ku", "ps", "sd", "ug", "ur", "yi"})
HONORIFICS = frozenset({"dr", "mr", "mrs", "ms", "mx", "prof", "sir", "dame", "rev"})
ELLIPSIS = "\u2026"
# The lead's image box: the 552 px column at 16:9 (the image keeps its own proportions where
# CSS works; the box is what a reader with images off sees). A top story's thumbnail likewise.
IMAGE_SIZE = (552, 311)
THUMB_SIZE = (96, 54)
MAX_IMAGE_URL = 2000


@dataclass(frozen=True)
class ImageView:
    """An image as the email shows it: an https URL, the box it takes, its text."""

    url: str
    width: int
    height: int
    alt: str


@dataclass(frozen=True)
class StoryView:
    """One story as the templates print it; `url` is None when the feed gave no safe link.

    `also_in` holds at most `max_also_in` other outlets; `also_more` counts the ones left out.
    """

    headline: str
    url: str | None
    source: str
    read_label: str
    key_points: tuple[str, ...]
    teaser: str
    also_in: tuple[Link, ...]
    also_more: int
    short: str = ""  # the headline cut to one contents line
    standfirst: str = ""  # the lead's first key point, shown above its points
    image: ImageView | None = None  # the lead's picture
    thumb: ImageView | None = None  # a top story's thumbnail


@dataclass(frozen=True)
class LogoView:
    url: str
    width: int
    height: int | None
    alt: str


@dataclass(frozen=True)
class Palette:
    """Colours computed from the settings: the brand colour and its dark-mode shade."""

    brand: str
    brand_dark: str


@dataclass(frozen=True)
class PersonalView:
    """The per-subscriber values a template may print (as they are: no filters on them)."""

    greeting: str
    name: str
    first_name: str
    email: str
    unsubscribe_url: str
    unsubscribe_mailto: str
    preferences_url: str
    browser_url: str
    story_count: str
    reading_minutes: str
    summary_line: str
    quick_count: str


PERSONAL_FIELDS = tuple(PersonalView.__dataclass_fields__)


def cut(text: str, limit: int) -> str:
    """Whitespace collapsed; over `limit` characters, cut at a word and ended with "…".

    A feed can send a megabyte of title: the result is never longer than `limit`. A text with
    no space in its first half is cut mid-word (a URL, a run of CJK characters).
    """
    if len(text) > limit * 8:  # split() on a huge value would copy all of it first
        text = text[: limit * 8]
    text = " ".join(text.split())
    if len(text) <= limit:
        return text
    head = text[: limit - 1]
    space = head.rfind(" ")
    if text[limit - 1] != " " and space >= limit // 2:  # the cut falls inside a word
        head = head[:space]
    return head.rstrip(" ,;:-\u2013\u2014") + ELLIPSIS


def short_line(text: str, limit: int) -> str:
    """`cut`, without the short lowercase words a cut leaves dangling ("Plant opens in the…"
    reads "Plant opens…")."""
    short = cut(text, limit)
    if not short.endswith(ELLIPSIS):
        return short
    words = short[:-1].split(" ")
    while len(words) > 2 and len(words[-1]) <= 3 and words[-1].islower():
        words.pop()
    return " ".join(words).rstrip(" ,;:-\u2013\u2014") + ELLIPSIS


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


def image_url(url: str | None) -> str | None:
    """An image URL the email may load: https only (a plain-http image is a mixed-content
    warning in webmail and tells a network who reads), and not absurdly long."""
    url = safe_url(url)
    if url is None or len(url) > MAX_IMAGE_URL or urlsplit(url).scheme.lower() != "https":
        return None
    return url


def date_label(created: datetime) -> str:
    """'Thursday 27 November 2025'."""
    return f"{created:%A} {created.day} {created:%B %Y}"


def text_direction(language: str) -> str:
    """'rtl' for right-to-left languages (by primary subtag), else 'ltr'."""
    return "rtl" if language.split("-")[0].lower() in RTL_LANGUAGES else "ltr"


def reading_minutes(words: int) -> int:
    return max(1, math.ceil(words / WORDS_PER_MINUTE))


def story_view(story: Story, settings: RenderSettings) -> StoryView:
    """A story with feed text cut to the display limits and other coverage capped."""
    points = tuple(cut(point, settings.max_point_chars) for point in story.key_points)
    others = [
        Link(title=cut(link.title, LABEL_MAX_CHARS), url=url)
        for link in story.also_in
        if (url := safe_url(link.url)) is not None
    ]
    shown = others[: settings.max_also_in]
    headline = cut(story.headline, settings.max_headline_chars)
    picture = image_url(story.image_url)
    return StoryView(
        headline=headline,
        url=safe_url(story.url),
        source=cut(story.source, LABEL_MAX_CHARS),
        read_label=(
            f"{reading_minutes(story.word_count)} min read"
            if story.word_count >= MIN_WORDS_FOR_READING_TIME
            else ""
        ),
        key_points=points,
        teaser=cut(points[0], TEASER_MAX_CHARS) if points else "",
        also_in=tuple(shown),
        also_more=len(others) - len(shown),
        short=short_line(headline, CONTENTS_MAX_CHARS),
        image=None if picture is None else ImageView(picture, *IMAGE_SIZE, alt=headline),
    )


def logo_view(settings: RenderSettings, newsletter: Newsletter) -> LogoView | None:
    if settings.logo_url is None:
        return None
    alt = settings.logo_alt or newsletter.title
    return LogoView(settings.logo_url, settings.logo_width, settings.logo_height, alt)


def palette(settings: RenderSettings) -> Palette:
    return Palette(settings.brand_color, readable_on(settings.brand_color, DARK_CARD))


def first_name(name: str) -> str:
    """The name to greet: "Ada" for "Ada Lovelace" and "Lovelace, Ada"; "Dr Okafor" for
    "Dr Chidi Okafor" (a title keeps the family name); the whole name when it is one word."""
    name = " ".join(name.split())
    family, comma, given = name.partition(",")
    if comma and given.strip() and family.strip():
        name = given.strip()
    words = name.split()
    if not words:
        return ""
    if len(words) >= 2 and words[0].rstrip(".").casefold() in HONORIFICS:
        return cut(f"{words[0]} {words[-1]}", FIRST_NAME_MAX_CHARS)
    return cut(words[0], FIRST_NAME_MAX_CHARS)


def summary_line(story_count: int, minutes: int) -> str:
    stories = "story" if story_count == 1 else "stories"
    return f"{story_count} {stories} · {minutes} min read"


def personal_view(
    subscriber: Subscriber, links: PersonalLinks, story_count: int, words: int, quick: int = 0
) -> PersonalView:
    """The real personal values for one subscriber and their chosen sections."""
    name = subscriber.name.strip()
    first = first_name(name)
    minutes = reading_minutes(words)
    return PersonalView(
        greeting=f"Hi {first}," if first else "Hello,",
        name=name,
        first_name=first,
        email=subscriber.email,
        unsubscribe_url=links.unsubscribe_url,
        unsubscribe_mailto=links.unsubscribe_mailto,
        preferences_url=links.preferences_url,
        browser_url=links.browser_url,
        story_count=str(story_count),
        reading_minutes=str(minutes),
        summary_line=summary_line(story_count, minutes),
        quick_count=str(quick),
    )
