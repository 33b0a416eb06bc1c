"""The edition as tiers: the lead, the top stories and the quick hits, by section.

`edition_view` ranks the stories after the lead across sections, round-robin (each section's
first story, then each one's second, ...): the first `top_stories` are top stories, the rest
quick hits. Each section keeps its own stories of every tier, so a subscriber who reads some
sections gets their stories in the same tiers (`chosen`).
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from digest.models import Digest, Subscriber
from digest.render.settings import RenderSettings, Tiers
from digest.render.view import LABEL_MAX_CHARS, THUMB_SIZE, StoryView, cut, story_view

TOC_MIN_STORIES = 5  # a shorter edition has no contents


@dataclass(frozen=True)
class SectionView:
    """One section; `key` marks its blocks in the compiled edition ("sec-0", "sec-1", ...).

    `name` is the section's name as subscribers choose it, `label` the same cut for display;
    `stories` are its top stories, shown under the section, `quick` its quick hits, shown
    with the other sections' at the end (the lead is shown above, in neither); `count` and
    `words` include the lead, for the subscriber's story count and reading time.
    """

    key: str
    name: str
    label: str
    stories: tuple[StoryView, ...]
    count: int
    words: int
    quick: tuple[StoryView, ...] = ()


@dataclass(frozen=True)
class EditionView:
    """The lead story (shown first, in its section's blocks) and the sections."""

    lead: StoryView | None
    lead_key: str
    sections: tuple[SectionView, ...]

    @property
    def count(self) -> int:
        return sum(view.count for view in self.sections)

    @property
    def words(self) -> int:
        return sum(view.words for view in self.sections)

    @property
    def quick_count(self) -> int:
        return sum(len(view.quick) for view in self.sections)


def as_lead(view: StoryView, tiers: Tiers) -> StoryView:
    """The lead: its first point as the standfirst, then at most `lead_points` points."""
    points = view.key_points
    return replace(
        view, standfirst=points[0] if points else "", key_points=points[1:][: tiers.lead_points]
    )


def as_top(view: StoryView, tiers: Tiers) -> StoryView:
    """A top story: at most `top_points` points and, with thumbnails, the picture made small."""
    thumb = None
    if tiers.thumbnails and view.image is not None:
        thumb = replace(view.image, width=THUMB_SIZE[0], height=THUMB_SIZE[1])
    return replace(view, key_points=view.key_points[: tiers.top_points], image=None, thumb=thumb)


def as_quick(view: StoryView) -> StoryView:
    """A quick hit: the linked headline and the source (the other outlets too, as links)."""
    return replace(view, key_points=(), teaser="", image=None, also_in=(), also_more=0)


def _words(view: StoryView) -> int:
    texts = (view.headline, view.standfirst, *view.key_points)
    return sum(len(text.split()) for text in texts)


def edition_view(digest: Digest, settings: RenderSettings) -> EditionView:
    """The lead (the digest's top-ranked story), the top stories and the quick hits, by
    section, with stable block keys ("sec-0", "sec-1", ...)."""
    tiers = settings.tiers
    lead_at = digest.lead if 0 <= digest.lead < len(digest.stories) else 0
    placed: list[tuple[int, int, int]] = []  # (rank in its section, section, number)
    number = 0
    for index, section in enumerate(digest.sections):
        for rank in range(len(section.stories)):
            if number != lead_at:
                placed.append((rank, index, number))
            number += 1
    top = {number for _, _, number in sorted(placed)[: tiers.top_stories]}
    lead: StoryView | None = None
    lead_key = ""
    sections: list[SectionView] = []
    number = 0
    for index, section in enumerate(digest.sections):
        key = f"sec-{index}"
        stories: list[StoryView] = []
        quick: list[StoryView] = []
        words = 0
        for story in section.stories:
            view = story_view(story, settings)
            if number == lead_at:
                lead, lead_key = as_lead(view, tiers), key
                words += _words(lead)
            elif number in top:
                stories.append(as_top(view, tiers))
                words += _words(stories[-1])
            else:
                quick.append(as_quick(view))
                words += _words(quick[-1])
            number += 1
        sections.append(
            SectionView(
                key=key,
                name=section.name,
                label=cut(section.name, LABEL_MAX_CHARS),
                stories=tuple(stories),
                count=len(section.stories),
                words=words,
                quick=tuple(quick),
            )
        )
    return EditionView(lead=lead, lead_key=lead_key, sections=tuple(sections))


def chosen(edition: EditionView, subscriber: Subscriber) -> EditionView:
    """The sections a subscriber reads (all when they chose none; names match case-insensitively)
    and the lead only when its section is among them."""
    if not subscriber.sections:
        return edition
    wanted = {name.casefold() for name in subscriber.sections}
    kept = tuple(view for view in edition.sections if view.name.casefold() in wanted)
    if any(view.key == edition.lead_key for view in kept):
        return replace(edition, sections=kept)
    return EditionView(lead=None, lead_key="", sections=kept)
