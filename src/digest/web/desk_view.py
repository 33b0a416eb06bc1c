"""What the desk's templates show of the next edition: plain values made from the edition the
pipeline built, the editor's choices, and the articles waiting that did not make it in.

The stories come in the edition's own order (the lead, then each section's others), each with
what it can do next (move up or down within its section, lead, pin, drop, split an article
off, merge into another story), so the templates hold no logic beyond showing it.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, tzinfo

from digest.editions import Built, fingerprint, story_keys
from digest.editorial import MAX_HEADLINE, Approval, approval, moved, reading_order
from digest.models import Digest, Link, Problem, Story
from digest.render import cut
from digest.state import State
from digest.tracking import trackable


def when(moment: datetime | None, zone: tzinfo) -> str:
    """A time as an editor reads it, on the newsletter's wall clock: "Fri 27 Nov, 07:02"."""
    return moment.astimezone(zone).strftime("%a %d %b, %H:%M") if moment else ""


@dataclass(frozen=True)
class StoryCard:
    """One story of the edition; `n` is its place in reading order (1: the lead)."""

    n: int
    key: str
    headline: str
    url: str | None
    source: str
    section: str
    points: tuple[str, ...]
    also_in: tuple[Link, ...]
    lead: bool
    pinned: bool
    edited: bool
    can_up: bool
    can_down: bool
    published: str
    words: int
    merge_targets: tuple[tuple[str, str], ...] = ()  # the other stories: (key, headline)


@dataclass(frozen=True)
class SectionGroup:
    name: str
    stories: tuple[StoryCard, ...]


@dataclass(frozen=True)
class Offstage:
    """An article waiting for the next edition that is not in it, and why."""

    key: str
    title: str
    source: str
    url: str | None
    reason: str  # dropped | cap | failed
    detail: str


@dataclass(frozen=True)
class ApprovalView:
    status: str  # none | approved | changed | held
    editor: str
    at: str
    required: bool
    version: int | None = None  # the edition version approved


@dataclass(frozen=True)
class NextEdition:
    """The next edition as the desk shows it (`built` False: nothing to build yet)."""

    built: bool
    edition_id: str
    subject: str
    subject_edited: bool
    preheader: str
    intro: str
    count: int
    lead: StoryCard | None
    sections: tuple[SectionGroup, ...]
    offstage: tuple[Offstage, ...]
    approval: ApprovalView
    fingerprint: str
    waiting: int  # articles gathered and not yet in an edition


def _card(
    n: int,
    story: Story,
    digest: Digest,
    choices: Mapping[str, str],
    edited: set[str],
    zone: tzinfo,
    headline_chars: int,
) -> StoryCard:
    order = reading_order(digest)
    key = story.article_key
    headlines = {s.article_key: cut(s.headline, headline_chars) for s in digest.stories}
    return StoryCard(
        n=n,
        key=key,
        headline=cut(story.headline, headline_chars),
        url=key if trackable(key) else None,
        source=story.source,
        section=story.section,
        points=story.key_points,
        also_in=story.also_in,
        lead=n == 1,
        pinned=choices.get(key) == "pin",
        edited=key in edited,
        can_up=moved(digest, key, "up") != order,
        can_down=moved(digest, key, "down") != order,
        published=when(story.published, zone),
        words=story.word_count,
        merge_targets=tuple((k, headlines[k]) for k in order if k != key),
    )


def next_edition_view(
    state: State,
    built: Built | None,
    problems: tuple[Problem, ...],
    *,
    now: datetime,
    lookback_hours: int,
    max_stories: int,
    zone: tzinfo,
    required: bool,
    headline_chars: int = MAX_HEADLINE,
) -> NextEdition:
    """The desk's view of the next edition, from the edition the pipeline built. Headlines
    are cut as the email cuts them ([render] max_headline_chars) and never past what the
    headline field takes (MAX_HEADLINE): a feed's megabyte title is editable."""
    headline_chars = min(headline_chars, MAX_HEADLINE)
    choices: dict[str, str] = dict(state.editorial.actions())
    edited = set(state.editorial.story_edits())
    waiting = state.articles.unsent(now, lookback_hours)
    used: set[str] = set()
    lead: StoryCard | None = None
    groups: list[SectionGroup] = []
    state_approval = Approval("none")
    if built is not None:
        digest = built.digest
        used = {key for story in digest.stories for key in story_keys(story)}
        stories = {story.article_key: story for story in digest.stories}
        cards = {
            key: _card(n, stories[key], digest, choices, edited, zone, headline_chars)
            for n, key in enumerate(reading_order(digest), start=1)
        }
        lead = next(iter(cards.values()), None)
        first = digest.stories[digest.lead] if digest.stories else None
        groups = [
            SectionGroup(
                section.name,
                tuple(cards[s.article_key] for s in section.stories if s is not first),
            )
            for section in digest.sections
        ]
        groups = [g for g in groups if g.stories]
        state_approval = approval(state, digest)
    failed = {p.subject: p.message for p in problems if p.stage == "summarize"}
    offstage = []
    for article in waiting:
        if article.key in used:
            continue
        if choices.get(article.key) == "drop":
            reason, detail = "dropped", ""
        elif article.key in failed:
            reason, detail = "failed", failed[article.key]
        else:
            reason, detail = "cap", f"over the limit of {max_stories} stories"
        url = article.url if trackable(article.url) else None
        title = cut(article.title, headline_chars)
        offstage.append(Offstage(article.key, title, article.source, url, reason, detail))
    digest_shown = built.digest if built is not None else None
    return NextEdition(
        built=built is not None,
        edition_id=digest_shown.edition_id if digest_shown else "",
        subject=digest_shown.subject if digest_shown else "",
        subject_edited=state.editorial.subject() is not None,
        preheader=digest_shown.preheader if digest_shown else "",
        intro=state.editorial.intro() or "",
        count=len(digest_shown.stories) if digest_shown else 0,
        lead=lead,
        sections=tuple(groups),
        offstage=tuple(
            sorted(offstage, key=lambda o: ("dropped", "failed", "cap").index(o.reason))
        ),
        approval=ApprovalView(
            state_approval.status,
            state_approval.editor,
            when(state_approval.at, zone),
            required,
            state_approval.version,
        ),
        fingerprint=fingerprint(digest_shown) if digest_shown else "",
        waiting=len(waiting),
    )
