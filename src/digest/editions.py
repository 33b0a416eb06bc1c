"""Edition bookkeeping between the stages: storing an edition, reviving it, approving it.

An edition is stored in one transaction with the articles it consumes and a pending ledger row
per recipient, so a crash leaves either no edition or one that `digest send` finishes. What an
editor approves is a fingerprint of the edition's content; any change needs a new approval.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from digest.deliver import browser_html
from digest.files import write_atomic
from digest.models import Digest, Newsletter, Problem, Story
from digest.render import RenderedEdition
from digest.state import EditionRecord, State
from digest.subscribers import SubscriberList, recipients, wants_any


@dataclass(frozen=True)
class Built:
    """A composed and rendered edition that has not been stored or sent."""

    digest: Digest
    rendered: RenderedEdition
    problems: tuple[Problem, ...]


def fingerprint(digest: Digest) -> str:
    """What an editor approves: the stories, their points and order, the subject and intro."""
    content = [
        digest.subject,
        digest.intro or "",
        [[s.article_key, s.headline, s.section, list(s.key_points)] for s in digest.stories],
    ]
    return hashlib.sha256(json.dumps(content, ensure_ascii=False).encode()).hexdigest()


def store_edition(
    newsletter: Newsletter,
    state: State,
    built: Built,
    subscribers: SubscriberList,
    secret: str,
    now: datetime,
) -> None:
    """Edition, consumed articles and pending ledger rows in one transaction."""
    digest = built.digest
    with state.db.transaction():
        state.editions.add(
            digest.edition_id,
            created=now,
            subject=digest.subject,
            stories=len(digest.stories),
            rendered=dataclasses.asdict(built.rendered),
            browser_html=browser_html(newsletter, built.rendered, secret),
        )
        used = [key for story in digest.stories for key in story_keys(story)]
        state.articles.assign(used, digest.edition_id)
        state.editorial.consume(used)
        wanted = [
            s.email
            for s in recipients(state, subscribers).values()
            if s.active and wants_any(s, built.rendered.section_names)
        ]
        state.ledger.enqueue(digest.edition_id, wanted)


def story_keys(story: Story) -> list[str]:
    """The articles a story uses: its lead and the other outlets' coverage clustered with it."""
    return [story.article_key, *(link.url for link in story.also_in)]


def revived(record: EditionRecord) -> RenderedEdition:
    """The rendered edition of a stored record, as it was stored."""
    return RenderedEdition(**_revive(record.rendered))


def write_outbox_preview(outbox: Path, edition_id: str, html: str) -> None:
    """With the outbox provider, also `<outbox>/<edition>/digest.html` to open in a browser."""
    write_atomic(outbox / edition_id / "digest.html", html.encode())


def _revive(value: Any) -> Any:
    """JSON lists back to the tuples the frozen dataclasses hold."""
    if isinstance(value, list):
        return tuple(_revive(item) for item in value)
    if isinstance(value, dict):
        return {key: _revive(item) for key, item in value.items()}
    return value
