"""Compose an edition: cluster near-duplicates, rank, cap, group into sections, write a subject.

Ranking: score = source weight x (1 + 0.5 x (outlets covering the story - 1)) x recency, where
recency halves every 24 hours of age (an undated article counts as 24 hours old). Ties break
on headline then URL, so the same inputs always give the same Digest.

Subject template placeholders: {top_headline} (the top story's headline), {more} (how many
other stories), {count} (all stories), {title} (the newsletter title), {date} (YYYY-MM-DD of
`now`). With a single story the subject is the top headline alone.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import UTC, datetime

from digest.compose.cluster import ClusterSettings, cluster_articles
from digest.compose.regroup import Regrouping, regrouped
from digest.compose.settings import ComposeSettings
from digest.models import Article, Digest, Link, Newsletter, Section, Story, Summary

_SUBJECT_HEADLINE_CHARS = 80
_PREHEADER_CHARS = 140
_HALF_LIFE_HOURS = 24.0


def _aware(moment: datetime) -> datetime:
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def rank_score(
    article: Article, outlets: int, now: datetime, weights: Mapping[str, float]
) -> float:
    """Source weight x coverage x recency (halving every 24 hours)."""
    if article.published is None:
        age = _HALF_LIFE_HOURS
    else:
        age = max((_aware(now) - _aware(article.published)).total_seconds() / 3600, 0.0)
    recency = 0.5 ** (age / _HALF_LIFE_HOURS)
    weight = float(weights.get(article.source, 1.0))
    return float(weight * (1 + 0.5 * (outlets - 1)) * recency)


def _shorten(text: str, limit: int) -> str:
    if len(text) <= limit:
        return text
    return text[:limit].rsplit(" ", 1)[0].rstrip(",;:-") + "\u2026"


def _story(
    items: Sequence[tuple[Article, Summary]], members: list[int], settings: ComposeSettings
) -> Story:
    """The lead article of a cluster (highest weight, then longest) with the rest as also_in
    (every article: `editions.story_keys` reads the articles an edition uses from it)."""

    def lead_key(i: int) -> tuple[float, int, str]:
        article = items[i][0]
        weight = settings.source_weights.get(article.source, 1.0)
        return (-weight, -len(article.text), article.url)

    lead, *others = sorted(members, key=lead_key)
    article, summary = items[lead]
    seen = {article.url}
    also_in = []
    for i in others:
        other = items[i][0]
        if other.url not in seen:
            seen.add(other.url)
            also_in.append(Link(title=other.source or other.title, url=other.url))
    sections = [items[i][1].section or items[i][0].section for i in [lead, *others]]
    section = next((s.strip() for s in sections if s and s.strip()), settings.default_section)
    return Story(
        headline=summary.headline or article.title,
        url=article.url,
        source=article.source,
        key_points=summary.key_points,
        section=section,
        published=article.published,
        article_key=article.key,
        also_in=tuple(also_in),
        image_url=article.image_url,
        word_count=len(article.text.split()),
    )


def _sections(stories: Sequence[Story], order: Sequence[str]) -> tuple[Section, ...]:
    """Configured sections first (case-insensitive match), the rest in order of their best story."""
    rank = {name.lower(): i for i, name in enumerate(order)}
    grouped: dict[str, list[Story]] = {}
    names: dict[str, str] = {}
    for story in stories:
        lowered = story.section.lower()
        names.setdefault(lowered, order[rank[lowered]] if lowered in rank else story.section)
        grouped.setdefault(lowered, []).append(story)
    first_seen = list(grouped)
    keys = sorted(grouped, key=lambda k: (rank.get(k, len(rank)), first_seen.index(k)))
    return tuple(Section(name=names[k], stories=tuple(grouped[k])) for k in keys)


def _subject(stories: Sequence[Story], template: str, newsletter: Newsletter, now: datetime) -> str:
    if not stories:
        return f"{newsletter.title}: no new stories"
    top = _shorten(stories[0].headline, _SUBJECT_HEADLINE_CHARS)
    if len(stories) == 1:
        return top
    return template.format(
        top_headline=top,
        more=len(stories) - 1,
        count=len(stories),
        title=newsletter.title,
        date=now.strftime("%Y-%m-%d"),
    )


def _preheader(stories: Sequence[Story]) -> str:
    if not stories:
        return "Nothing new since the last edition."
    if len(stories) == 1:
        return _shorten(stories[0].key_points[0] if stories[0].key_points else "", _PREHEADER_CHARS)
    return _shorten("Also: " + "; ".join(s.headline for s in stories[1:]), _PREHEADER_CHARS)


def compose(
    items: Sequence[tuple[Article, Summary]],
    *,
    newsletter: Newsletter,
    settings: ComposeSettings,
    edition_id: str,
    now: datetime,
    intro: str | None = None,
    pinned: frozenset[str] = frozenset(),
    order: Mapping[str, int] | None = None,
    regrouping: Regrouping = Regrouping(),  # noqa: B008
) -> Digest | None:
    """Build the edition's Digest, or None when there is nothing to send.

    Stories whose lead article key is in `pinned` (an editor's choice) are never cut by the
    cap. `order` is where an editor placed stories (article key -> position, 0 on top): placed
    stories rank by their place, above the rest; a pinned story with no place ranks above them
    all. Unplaced stories follow by score. `regrouping` is the editor's splits and merges of
    the stories the grouping found.
    """
    places = order or {}
    ordered = sorted(items, key=lambda item: (item[0].key, item[0].source, item[0].title))
    if not ordered and not settings.send_when_empty:
        return None
    clusters = regrouped(
        cluster_articles(
            [article for article, _ in ordered],
            ClusterSettings(threshold=settings.group_threshold),
        ),
        [article.key for article, _ in ordered],
        regrouping,
    )
    scored = []
    for members in clusters:
        story = _story(ordered, members, settings)
        outlets = len({ordered[i][0].source for i in members})
        lead = next(ordered[i][0] for i in members if ordered[i][0].url == story.url)
        score = rank_score(lead, outlets, now, settings.source_weights)
        pin = any(ordered[i][0].key in pinned for i in members)
        placed = [places[ordered[i][0].key] for i in members if ordered[i][0].key in places]
        slot = min(placed) if placed else (-1 if pin else len(places))
        # Equal scores (undated, single-outlet stories) go to the fuller article first.
        scored.append((slot, not pin, -score, -story.word_count, story.headline, story.url, story))
    scored.sort(key=lambda row: row[:6])
    cap = max(newsletter.max_stories, sum(not row[1] for row in scored), 0)
    stories = [row[6] for row in scored[:cap]]
    if not stories and not settings.send_when_empty:
        return None
    sections = _sections(stories, settings.section_order)
    in_order = [story for section in sections for story in section.stories]
    return Digest(
        edition_id=edition_id,
        title=newsletter.title,
        subject=_subject(stories, settings.subject_template, newsletter, now),
        preheader=_preheader(stories),
        sections=sections,
        created=now,
        intro=intro,
        lead=next((n for n, story in enumerate(in_order) if story is stories[0]), 0),
    )
