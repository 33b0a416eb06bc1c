"""Builders for deliver tests: a newsletter, subscribers and their messages."""

from __future__ import annotations

from datetime import UTC, datetime

from digest.deliver.message import build_message
from digest.models import Newsletter, OutgoingMessage, PersonalLinks, RenderedEmail, Subscriber

NOW = datetime(2026, 5, 4, 7, 0, tzinfo=UTC)
NEWSLETTER = Newsletter(
    title="Morning Brief",
    sender="Morning Brief <news@brief.example.org>",
    address="1 Example Street, London",
    base_url="https://brief.example.org",
    reply_to="editor@brief.example.org",
)


def links(email: str) -> PersonalLinks:
    token = email.replace("@", "-at-")
    return PersonalLinks(
        unsubscribe_url=f"https://brief.example.org/u/{token}",
        unsubscribe_mailto=f"mailto:unsubscribe@brief.example.org?subject=unsubscribe%20{token}",
        preferences_url=f"https://brief.example.org/p/{token}",
        browser_url="https://brief.example.org/e/2026-05-04",
    )


def rendered(email: str, subject: str = "Five stories for Monday") -> RenderedEmail:
    return RenderedEmail(
        subject=subject,
        html=f"<html><body><h1>Brief</h1><p>Hello {email}</p>"
        f'<a href="{links(email).unsubscribe_url}">Unsubscribe</a></body></html>',
        text=f"Brief\n\nHello {email}\n\nUnsubscribe: {links(email).unsubscribe_url}\n",
    )


def message(email: str, edition_id: str = "2026-05-04", name: str = "") -> OutgoingMessage:
    return build_message(
        edition_id=edition_id,
        newsletter=NEWSLETTER,
        subscriber=Subscriber(email=email, name=name),
        email=rendered(email),
        links=links(email),
        now=NOW,
        feedback_id="2026-05-04:digest:brief",
    )
