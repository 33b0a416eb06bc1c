"""Summaries kept between the stages: each article summarized once, stored with who made it,
read by every build after that (the desk's pages and previews, a test send, an approval and
the send itself), so the words an editor approved are the words sent.

A summary is made again only on purpose: `refresh` (`digest summarize --refresh`, the desk's
re-summarize) redoes the waiting articles whose summary another summarizer, model or setting
made (an LLM's fallbacks included); changing the settings alone changes nothing already made.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime

from digest.models import Article, Problem, Summary
from digest.state import State, StoredSummary
from digest.summarize import Identity, SummarizerSettings, current_identity, summarize_articles


@dataclass(frozen=True)
class Refreshed:
    """What a refresh did: of the `waiting` articles, how many it summarized again and how
    many of those the configured summarizer made (the others fell back, for `notes`)."""

    waiting: int
    articles: int
    current: int
    notes: tuple[str, ...] = ()
    problems: tuple[Problem, ...] = ()


@dataclass(frozen=True)
class Standing:
    """Who made the summaries of an edition's articles: `stale` of the `total` were made by
    another summarizer or other settings than `current` (the configured one) would use."""

    total: int
    stale: int
    current: str


def standing(state: State, settings: SummarizerSettings, articles: Sequence[Article]) -> Standing:
    return Standing(
        len(articles), len(stale(state, settings, articles)), str(current_identity(settings))
    )


def identity_of(stored: StoredSummary) -> Identity:
    return Identity(stored.kind, stored.model, stored.settings)


def summarized(
    state: State,
    settings: SummarizerSettings,
    articles: Sequence[Article],
    environ: Mapping[str, str],
    now: datetime,
    *,
    refresh: Collection[str] = (),
) -> tuple[list[tuple[Article, Summary]], list[Problem]]:
    """Each article's stored summary; those with none yet (and those in `refresh`) are
    summarized now and stored, within the edition's budget of LLM calls (less what the
    kept summaries of articles in no edition yet spent). One that cannot be summarized is a
    Problem, not a crash."""
    stored = state.summaries.get([a.key for a in articles])
    todo = [a for a in articles if a.key not in stored or a.key in refresh]
    if todo:
        kept = [a.key for a in articles if a.key in stored and a.key not in refresh]
        left = settings.budget - state.summaries.calls_waiting(kept)
        rows = [
            StoredSummary(m.key, m.summary, *_fields(m.identity), calls=m.calls, note=m.note)
            for m in summarize_articles(todo, settings, environ, budget=left)
        ]
        state.summaries.put(rows, now)
        stored.update((row.key, row) for row in rows)
    items: list[tuple[Article, Summary]] = []
    problems: list[Problem] = []
    for article in articles:
        found = stored[article.key]
        if found.summary is None:
            problems.append(Problem("summarize", article.url, found.note))
        else:
            items.append((article, found.summary))
    return items, problems


def stale(state: State, settings: SummarizerSettings, articles: Sequence[Article]) -> list[str]:
    """The articles whose stored summary the configured summarizer would not make now."""
    current = current_identity(settings)
    stored = state.summaries.get([a.key for a in articles])
    return [a.key for a in articles if a.key in stored and identity_of(stored[a.key]) != current]


def refresh(
    state: State,
    settings: SummarizerSettings,
    articles: Sequence[Article],
    environ: Mapping[str, str],
    now: datetime,
    *,
    everything: bool = False,
) -> Refreshed:
    """Summarize again the articles whose summary is stale (all of them with `everything`)."""
    keys = [a.key for a in articles] if everything else stale(state, settings, articles)
    if not keys:
        return Refreshed(len(articles), 0, 0)
    _, problems = summarized(state, settings, articles, environ, now, refresh=set(keys))
    again = state.summaries.get(keys)
    current = current_identity(settings)
    notes = tuple(sorted({s.note for s in again.values() if identity_of(s) != current}))
    made = sum(identity_of(s) == current for s in again.values())
    wanted = set(keys)
    mine = tuple(p for p in problems if p.subject in wanted)
    return Refreshed(len(articles), len(keys), made, notes, mine)


def _fields(identity: Identity) -> tuple[str, str, str]:
    return identity.kind, identity.model, identity.settings
