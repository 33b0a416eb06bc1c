"""What an editor does to the next edition: look at it, rewrite and reorder it, send a test,
approve or hold it. The editor's desk in `digest serve` and `digest edit` both call these.

Each builds the edition through the pipeline exactly as a real run would, so what the editor
sees, tests and approves is what subscribers get. The choices live in the state database
(`state.editorial`) until the edition is stored.
"""

from __future__ import annotations

import dataclasses
import unicodedata
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Literal

from digest import dispatch, pipeline, summaries
from digest.config import Config
from digest.deliver import message_for, sample_subscriber
from digest.editions import Built, fingerprint, revived
from digest.errors import DeliveryError, InputError
from digest.models import Digest, OutgoingMessage, Problem, Subscriber
from digest.state import State
from digest.subscribers import normalise_address
from digest.summaries import Refreshed, Standing

Move = Literal["up", "down", "top"]
MOVES: tuple[Move, ...] = ("up", "down", "top")
PLACES: dict[str, Move] = {move: move for move in MOVES}  # a move by its name, typed
TEST_PREFIX = "[TEST] "
MAX_HEADLINE = 300
MAX_POINTS = 10
MAX_POINT = 1000
MAX_SUBJECT = 200
MAX_INTRO = 2000


@dataclass(frozen=True)
class Approval:
    """Where the next edition stands: "none" (never approved or held), "approved" (exactly as
    it is now), "changed" (approved, then changed: it needs a new approval) or "held"."""

    status: Literal["none", "approved", "changed", "held"]
    editor: str = ""
    at: datetime | None = None
    version: int | None = None  # the edition version approved (desk approvals name it)


def next_edition(
    cfg: Config, state: State, now: datetime, environ: Mapping[str, str]
) -> tuple[Built | None, tuple[Problem, ...]]:
    """The next daily edition as it stands: the stored articles and the editor's choices,
    nothing gathered (what the editor looks at does not move under their eyes)."""
    return pipeline.build(
        cfg, state, pipeline.stage_settings(cfg), now, environ, gather_first=False
    )


def pending_sample(
    cfg: Config, state: State, now: datetime, environ: Mapping[str, str]
) -> OutgoingMessage | None:
    """A sample message of the next edition: the unfinished one, else a fresh build."""
    secret = state.link_secret(environ.get("DIGEST_SECRET"))
    subscribers = dispatch.audience(cfg, state, now)
    record = state.editions.unfinished()
    if record is not None:
        rendered = revived(record)
    else:
        built, _ = pipeline.build(cfg, state, pipeline.stage_settings(cfg), now, environ)
        if built is None:
            return None
        rendered = built.rendered
    return message_for(cfg.newsletter, rendered, sample_subscriber(subscribers), secret, now)


def reading_order(digest: Digest) -> list[str]:
    """The edition's stories as a reader meets them: the lead, then each section's others."""
    stories = digest.stories
    if not stories:
        return []
    lead = stories[digest.lead]
    return [lead.article_key, *(s.article_key for s in stories if s is not lead)]


def moved(digest: Digest, key: str, where: Move) -> list[str]:
    """The reading order after moving one story: "top" makes it the lead; "up" and "down"
    swap it with its neighbour in its section (the lead's neighbour is the next story)."""
    order = reading_order(digest)
    if key not in order:
        raise InputError(f"{key}: not a story of the next edition")
    if where == "top":
        return [key, *(k for k in order if k != key)]
    section = {s.article_key: sec.name for sec in digest.sections for s in sec.stories}
    i = order.index(key)
    if i == 0:
        neighbours = [1] if where == "down" and len(order) > 1 else []
    else:
        mates = [j for j in range(1, len(order)) if section[order[j]] == section[key]]
        at = mates.index(i) + (1 if where == "down" else -1)
        neighbours = [mates[at]] if 0 <= at < len(mates) else []
    for j in neighbours:
        order[i], order[j] = order[j], order[i]
    return order


def move(state: State, digest: Digest, key: str, where: Move, now: datetime) -> bool:
    """Place a story (see `moved`); False when it cannot go that way."""
    order = moved(digest, key, where)
    if order == reading_order(digest):
        return False
    state.editorial.set_order(order, now)
    return True


def _line(value: str, name: str, limit: int) -> str:
    """One line of text as typed, its runs of white space made single spaces."""
    text = " ".join(value.split())
    if any(unicodedata.category(c) == "Cc" for c in text):
        raise InputError(f"{name}: control characters are not allowed")
    if len(text) > limit:
        raise InputError(f"{name}: at most {limit} characters (this one has {len(text)})")
    return text


def rewrite(state: State, key: str, headline: str, points: Sequence[str], now: datetime) -> None:
    """Save a story's headline and key points as the editor wrote them; an empty headline or
    no points keeps the summarizer's."""
    title = _line(headline, "headline", MAX_HEADLINE)
    kept = [p for p in (_line(p, "key point", MAX_POINT) for p in points) if p]
    if len(kept) > MAX_POINTS:
        raise InputError(f"key points: at most {MAX_POINTS} (got {len(kept)})")
    state.editorial.edit_story(key, headline=title or None, key_points=kept or None, now=now)


def set_subject(state: State, subject: str, now: datetime) -> None:
    """The editor's subject line; empty goes back to the one the top story makes."""
    state.editorial.set_subject(_line(subject, "subject", MAX_SUBJECT) or None, now)


def set_intro(state: State, intro: str, now: datetime) -> None:
    """The editor's note under the masthead (paragraphs kept); empty removes it."""
    text = intro.replace("\r\n", "\n").strip()
    if any(unicodedata.category(c) == "Cc" and c != "\n" for c in text):
        raise InputError("intro: control characters are not allowed")
    if len(text) > MAX_INTRO:
        raise InputError(f"intro: at most {MAX_INTRO} characters (this one has {len(text)})")
    state.editorial.set_intro(text or None, now)


def resummarize(
    cfg: Config,
    state: State,
    now: datetime,
    environ: Mapping[str, str],
    kind: str = "daily",
    *,
    everything: bool = False,
) -> Refreshed:
    """Summarize again, with the configured summarizer, the next edition's articles whose
    summary another summarizer or other settings made (all of them with `everything`). The
    editor's rewrites stay on top; an approval of the old words no longer holds."""
    settings = pipeline.stage_settings(cfg).summarizer
    articles = pipeline.candidates(cfg, state, now, kind)
    return summaries.refresh(state, settings, articles, environ, now, everything=everything)


def summaries_standing(cfg: Config, state: State, now: datetime) -> Standing:
    """How many of the next edition's summaries the configured summarizer did not make."""
    settings = pipeline.stage_settings(cfg).summarizer
    return summaries.standing(state, settings, pipeline.candidates(cfg, state, now))


def approval(state: State, digest: Digest, kind: str = "daily") -> Approval:
    """Whether the edition as it is now was approved, by whom and when; or held, or changed
    since its approval. Only decisions made since the last edition of `kind` count."""
    mark = fingerprint(digest)
    decisions = state.editorial.decisions(kind, after=state.results.last_made(kind))
    if state.editorial.is_approved(mark):
        by = next(
            (d for d in decisions if d.fingerprint == mark and d.decision == "approved"), None
        )
        return Approval(
            "approved", by.editor if by else "", by.at if by else None, by.version if by else None
        )
    if not decisions:
        return Approval("none")
    last = decisions[0]
    return Approval("held" if last.decision == "held" else "changed", last.editor, last.at)


def approve(
    cfg: Config,
    state: State,
    now: datetime,
    environ: Mapping[str, str],
    kind: str = "daily",
    *,
    editor: str = "",
    seen: str | None = None,
    version: int | None = None,
) -> Digest | None:
    """Approve the next edition of `kind` exactly as it stands now (from the stored articles).

    `seen` is the fingerprint of the edition the editor looked at: when it has changed since
    (another editor, a gather), nothing is approved and InputError says so.
    """
    built, _ = pipeline.build(
        cfg, state, pipeline.stage_settings(cfg), now, environ, gather_first=False, kind=kind
    )
    if built is None:
        return None
    mark = fingerprint(built.digest)
    if seen is not None and seen != mark:
        raise InputError("the edition changed since you looked at it: look again, then approve")
    state.editorial.approve(mark, now, kind, editor, version)
    return built.digest


def hold(
    cfg: Config,
    state: State,
    now: datetime,
    environ: Mapping[str, str],
    kind: str = "daily",
    *,
    editor: str = "",
    version: int | None = None,
) -> Digest | None:
    """Withdraw every approval of the next edition of `kind`, recording who held it."""
    built, _ = pipeline.build(
        cfg, state, pipeline.stage_settings(cfg), now, environ, gather_first=False, kind=kind
    )
    if built is None:
        return None
    state.editorial.hold(fingerprint(built.digest), now, kind, editor, version)
    return built.digest


def send_test(
    cfg: Config,
    state: State,
    environ: Mapping[str, str],
    email: str,
    now: datetime,
    *,
    gather_first: bool = True,
) -> str | None:
    """Send the next edition as it stands to one address, "[TEST]" before its subject;
    nothing is stored.

    Returns where it went (the provider's id), or None when there is nothing to send. The
    test has its own edition id, so its Message-ID and outbox folder never collide with the
    real send. Raises DeliveryError when the provider refuses it.
    """
    address = normalise_address(email, "email")
    built, _ = pipeline.build(
        cfg, state, pipeline.stage_settings(cfg), now, environ, gather_first=gather_first
    )
    if built is None:
        return None
    rendered = dataclasses.replace(
        built.rendered,
        edition_id=f"{built.rendered.edition_id}-test",
        subject=TEST_PREFIX + built.rendered.subject,
    )
    secret = state.link_secret(environ.get("DIGEST_SECRET"))
    message = message_for(cfg.newsletter, rendered, Subscriber(address), secret, now)
    sender = dispatch.provider(cfg, environ)
    try:
        (result,) = sender.send([message])
    finally:
        sender.close()
    if result.status != "sent":
        raise DeliveryError(f"test to {address} not sent: {result.error}")
    return f"test sent to {address} via {cfg.provider} ({result.provider_id})"
