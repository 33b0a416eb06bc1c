"""From a rendered edition to one subscriber's message: signed links, personal parts, MIME."""

from __future__ import annotations

from datetime import datetime
from urllib.parse import quote, urlencode

from digest.deliver.message import build_message
from digest.models import Newsletter, OutgoingMessage, PersonalLinks, Subscriber
from digest.render import RenderedEdition, personalise
from digest.subscribers import SubscriberList, unsubscribe_token

SAMPLE_SUBSCRIBER = Subscriber(email="reader@example.com", name="Reader")


def personal_links(
    newsletter: Newsletter, secret: str, email: str, edition_id: str
) -> PersonalLinks:
    """Signed one-click unsubscribe and preference links for one address."""
    base = newsletter.base_url
    query = urlencode({"e": email, "t": unsubscribe_token(secret, email)})
    mailbox = (newsletter.reply_to or newsletter.sender).rsplit("<", 1)[-1].rstrip(">")
    return PersonalLinks(
        unsubscribe_url=f"{base}/unsubscribe?{query}",
        unsubscribe_mailto=f"mailto:{mailbox.strip()}?subject={quote('unsubscribe ' + email)}",
        preferences_url=f"{base}/preferences?{query}",
        browser_url=f"{base}/archive/{quote(edition_id)}",
    )


def message_for(
    newsletter: Newsletter,
    rendered: RenderedEdition,
    subscriber: Subscriber,
    secret: str,
    now: datetime,
) -> OutgoingMessage:
    """The complete message of one edition to one subscriber."""
    links = personal_links(newsletter, secret, subscriber.email, rendered.edition_id)
    email = personalise(rendered, subscriber, links)
    return build_message(
        edition_id=rendered.edition_id,
        newsletter=newsletter,
        subscriber=subscriber,
        email=email,
        links=links,
        now=now,
        list_id=newsletter.list_id,
        feedback_id=newsletter.feedback_id,
    )


def browser_html(newsletter: Newsletter, rendered: RenderedEdition, secret: str) -> str:
    """The edition as shown in the archive: personal parts filled for nobody in particular."""
    links = personal_links(newsletter, secret, SAMPLE_SUBSCRIBER.email, rendered.edition_id)
    anonymous = Subscriber(email=SAMPLE_SUBSCRIBER.email)
    return personalise(rendered, anonymous, links).html


def sample_subscriber(subscribers: SubscriberList) -> Subscriber:
    """Who the quality gate's sample message goes to: the first active subscriber, or a stand-in."""
    active = subscribers.active
    return active[0] if active else SAMPLE_SUBSCRIBER


def preview(
    newsletter: Newsletter, rendered: RenderedEdition, secret: str, now: datetime
) -> tuple[str, OutgoingMessage]:
    """What an editor looks at: the browser HTML and a sample message to a made-up reader."""
    sample = message_for(newsletter, rendered, SAMPLE_SUBSCRIBER, secret, now)
    return browser_html(newsletter, rendered, secret), sample
