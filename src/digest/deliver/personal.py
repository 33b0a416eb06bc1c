"""From a rendered edition to one subscriber's message: signed links, personal parts, MIME.

A stored subscriber's links carry an opaque token bound to them and to the list (see
`digest.subscribers.tokens`), never their address. Someone not on the list (the sample reader,
an editor's test address) and the web copy get the newsletter's own pages instead: /unsubscribe
and /preferences without a token explain how to unsubscribe and send a preferences link by
email, so the archive carries no personal data and no link that acts for anybody.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from urllib.parse import quote, urlencode

from digest.deliver import qp
from digest.deliver.message import message_template
from digest.deliver.templated import ComposedMessage
from digest.models import Newsletter, OutgoingMessage, PersonalLinks, Subscriber
from digest.render import RenderedEdition, personal_parts, personalise
from digest.subscribers import SubscriberList, link_token, list_key

SAMPLE_SUBSCRIBER = Subscriber(email="reader@example.com", name="Reader")
# The web copy's stand-in: no address, no name; its footer sentence reads "... because you
# subscribed to it" and its links are the newsletter's own pages.
WEB_READER = Subscriber(email="you")


def _mailbox(newsletter: Newsletter) -> str:
    return (newsletter.reply_to or newsletter.sender).rsplit("<", 1)[-1].rstrip(">").strip()


def personal_links(
    newsletter: Newsletter, secret: str, email: str, edition_id: str, key: str = ""
) -> PersonalLinks:
    """One-click unsubscribe and preference links for the subscriber whose id is `key`;
    without a key, the newsletter's own pages (nothing in them acts for an address)."""
    base = newsletter.base_url
    browser = f"{base}/archive/{quote(edition_id)}"
    if not key:
        return PersonalLinks(
            unsubscribe_url=f"{base}/unsubscribe",
            unsubscribe_mailto=f"mailto:{_mailbox(newsletter)}?subject=unsubscribe",
            preferences_url=f"{base}/preferences",
            browser_url=browser,
        )
    query = urlencode({"t": link_token(secret, list_key(newsletter), key)})
    subject = quote("unsubscribe " + email)
    return PersonalLinks(
        unsubscribe_url=f"{base}/unsubscribe?{query}",
        unsubscribe_mailto=f"mailto:{_mailbox(newsletter)}?subject={subject}",
        preferences_url=f"{base}/preferences?{query}",
        browser_url=browser,
    )


@dataclass(frozen=True)
class Composer:
    """Builds an edition's message for any subscriber; plain data, so a send process can be
    handed one and build its share of the messages itself.

    Both bodies are quoted-printable encoded from the edition's pieces (`qp.encode_pieces`):
    the literals every subscriber shares are encoded once, only the personal values per
    message, and the bytes are those of encoding the whole personalised text (tested). The
    message keeps its pieces, so API providers can send many as one template (`templated`).
    """

    newsletter: Newsletter
    rendered: RenderedEdition
    secret: str
    now: datetime
    dated_when_built: bool = False  # Date: the moment each message is built to be handed over

    def __call__(self, subscriber: Subscriber) -> OutgoingMessage:
        """The complete message of the edition to `subscriber`."""
        newsletter, rendered = self.newsletter, self.rendered
        links = personal_links(
            newsletter, self.secret, subscriber.email, rendered.edition_id, subscriber.key
        )
        parts = personal_parts(rendered, subscriber, links)
        template = message_template(
            rendered.edition_id, newsletter, self.now, newsletter.list_id, newsletter.feedback_id
        )
        message = template.fill(
            subscriber=subscriber,
            email=parts.email(),
            links=links,
            bodies=(qp.encode_pieces(parts.text), qp.encode_pieces(parts.html)),
            date=datetime.now(UTC) if self.dated_when_built else None,
        )
        return ComposedMessage(**message.__dict__, parts=parts)


def message_for(
    newsletter: Newsletter,
    rendered: RenderedEdition,
    subscriber: Subscriber,
    secret: str,
    now: datetime,
) -> OutgoingMessage:
    """The complete message of one edition to one subscriber."""
    return Composer(newsletter, rendered, secret, now)(subscriber)


def browser_html(newsletter: Newsletter, rendered: RenderedEdition) -> str:
    """The edition as the archive and "view in browser" show it: for nobody in particular,
    with no personal data and no personal link."""
    links = personal_links(newsletter, "", WEB_READER.email, rendered.edition_id)
    return personalise(rendered, WEB_READER, links).html


def sample_subscriber(subscribers: SubscriberList) -> Subscriber:
    """Who the quality gate's sample message goes to: the first active subscriber, or a stand-in."""
    active = subscribers.active
    return active[0] if active else SAMPLE_SUBSCRIBER


def preview(
    newsletter: Newsletter, rendered: RenderedEdition, secret: str, now: datetime
) -> tuple[str, OutgoingMessage]:
    """What an editor looks at: the browser HTML and a sample message to a made-up reader."""
    sample = message_for(newsletter, rendered, SAMPLE_SUBSCRIBER, secret, now)
    return browser_html(newsletter, rendered), sample
