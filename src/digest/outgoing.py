"""From a rendered edition to one subscriber's message: signed links, personal parts, MIME.

Also who receives an edition: subscribers with the sections they chose on the preferences page,
and only when the edition holds at least one of those sections (no empty digests).
"""

from __future__ import annotations

import dataclasses
from datetime import datetime
from urllib.parse import quote, urlencode

from digest.config import Config
from digest.deliver.message import build_message
from digest.models import OutgoingMessage, PersonalLinks, Subscriber
from digest.render import RenderedEdition, personalise
from digest.state import State
from digest.subscribers import SubscriberList, unsubscribe_token

SAMPLE_SUBSCRIBER = Subscriber(email="reader@example.com", name="Reader")


def personal_links(cfg: Config, secret: str, email: str, edition_id: str) -> PersonalLinks:
    """Signed one-click unsubscribe and preference links for one address."""
    base = cfg.newsletter.base_url
    query = urlencode({"e": email, "t": unsubscribe_token(secret, email)})
    mailbox = (cfg.newsletter.reply_to or cfg.newsletter.sender).rsplit("<", 1)[-1].rstrip(">")
    return PersonalLinks(
        unsubscribe_url=f"{base}/unsubscribe?{query}",
        unsubscribe_mailto=f"mailto:{mailbox.strip()}?subject={quote('unsubscribe ' + email)}",
        preferences_url=f"{base}/preferences?{query}",
        browser_url=f"{base}/archive/{quote(edition_id)}",
    )


def message_for(
    cfg: Config,
    rendered: RenderedEdition,
    subscriber: Subscriber,
    secret: str,
    now: datetime,
) -> OutgoingMessage:
    links = personal_links(cfg, secret, subscriber.email, rendered.edition_id)
    email = personalise(rendered, subscriber, links)
    return build_message(
        edition_id=rendered.edition_id,
        newsletter=cfg.newsletter,
        subscriber=subscriber,
        email=email,
        links=links,
        now=now,
        list_id=cfg.newsletter.list_id,
        feedback_id=cfg.newsletter.feedback_id,
    )


def browser_html(cfg: Config, rendered: RenderedEdition, secret: str) -> str:
    """The edition as shown in the archive: personal parts filled for nobody in particular."""
    links = personal_links(cfg, secret, SAMPLE_SUBSCRIBER.email, rendered.edition_id)
    anonymous = Subscriber(email=SAMPLE_SUBSCRIBER.email)
    return personalise(rendered, anonymous, links).html


def recipients(state: State, subscribers: SubscriberList) -> dict[str, Subscriber]:
    """Subscribers by lower-cased address, with sections chosen on the preferences page applied."""
    chosen = state.preferences.all()
    return {
        s.email.lower(): dataclasses.replace(s, sections=chosen.get(s.email.lower(), s.sections))
        for s in subscribers.subscribers
    }


def wants_any(subscriber: Subscriber, rendered: RenderedEdition) -> bool:
    """False when none of the subscriber's chosen sections is in this edition (no empty mail)."""
    if not subscriber.sections:
        return True
    chosen = {name.casefold() for name in subscriber.sections}
    return any(name.casefold() in chosen for name in rendered.section_names)


def sample_subscriber(subscribers: SubscriberList) -> Subscriber:
    active = subscribers.active
    return active[0] if active else SAMPLE_SUBSCRIBER


def preview(
    cfg: Config, rendered: RenderedEdition, secret: str, now: datetime
) -> tuple[str, OutgoingMessage]:
    """What an editor looks at: the browser HTML and a sample message to a made-up reader."""
    sample = message_for(cfg, rendered, SAMPLE_SUBSCRIBER, secret, now)
    return browser_html(cfg, rendered, secret), sample
