"""The render tests' fixture digest and helpers, shared with the check tests and the benchmarks."""

from __future__ import annotations

import json
import re
from dataclasses import replace
from datetime import datetime
from email.message import EmailMessage
from email.utils import format_datetime
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

from digest.models import (
    Digest,
    Link,
    Newsletter,
    PersonalLinks,
    RenderedEmail,
    Section,
    Story,
    Subscriber,
)
from digest.render import RenderSettings, render_for

DATA = Path(__file__).parents[1] / "data" / "render"


def _story(raw: dict[str, Any]) -> Story:
    return Story(
        headline=raw["headline"],
        url=raw["url"],
        source=raw["source"],
        key_points=tuple(raw["key_points"]),
        section=raw["section"],
        published=datetime.fromisoformat(raw["published"]),
        also_in=tuple(Link(**link) for link in raw.get("also_in", ())),
        word_count=raw.get("word_count", 0),
        image_url=raw.get("image_url"),
    )


def load_sample() -> tuple[Digest, Newsletter]:
    """The fixture digest: the sample article (World) and invented stories in 3 more sections."""
    data = json.loads((DATA / "sample_digest.json").read_text(encoding="utf-8"))
    raw = data["digest"]
    digest = Digest(
        edition_id=raw["edition_id"],
        title=raw["title"],
        subject=raw["subject"],
        preheader=raw["preheader"],
        created=datetime.fromisoformat(raw["created"]),
        intro=raw["intro"],
        sections=tuple(
            Section(name=s["name"], stories=tuple(_story(x) for x in s["stories"]))
            for s in raw["sections"]
        ),
    )
    return digest, Newsletter(**data["newsletter"])


LONG_POINT = (
    "Officials said the change would take effect from the spring, after a consultation that "
    "drew more than four thousand responses from businesses, councils and residents."
)


def sized_digest(stories: int, *, outlets: int = 0) -> tuple[Digest, Newsletter]:
    """The fixture grown (or cut) to `stories` stories in its four sections, each with its own
    URL and a long third key point; the lead also covered by `outlets` other outlets."""
    digest, newsletter = load_sample()
    base = digest.stories
    grown: dict[str, list[Story]] = {}
    for n in range(stories):
        story = base[n % len(base)]
        round_ = n // len(base)
        story = replace(
            story,
            headline=story.headline if round_ == 0 else f"{story.headline}, day {round_ + 1}",
            url=story.url if round_ == 0 else f"{story.url}-{round_ + 1}",
            key_points=(*story.key_points[:2], LONG_POINT),
            also_in=(),
        )
        if n == 0 and outlets:
            also = tuple(
                Link(title=f"Outlet {k} News", url=f"https://outlet{k}.example.net/story/{k}")
                for k in range(1, outlets + 1)
            )
            story = replace(story, also_in=also)
        grown.setdefault(story.section, []).append(story)
    sections = tuple(Section(name=name, stories=tuple(group)) for name, group in grown.items())
    subject = f"{base[0].headline} + {stories - 1} more" if stories > 1 else base[0].headline
    return replace(digest, sections=sections, subject=subject, lead=0), newsletter


def edition_html(name: str) -> str:
    """'sample' (the fixture), 'compact' (the same in the compact theme), 'thirty' (30 stories,
    the lead covered by 40 outlets, a logo that does not load)."""
    if name == "thirty":
        digest, newsletter = sized_digest(30, outlets=40)
        settings = RenderSettings(logo_url="https://cdn.example.org/logo.png", logo_width=220)
    else:
        digest, newsletter = load_sample()
        settings = RenderSettings(theme="compact" if name == "compact" else "default")
    subscriber = Subscriber(email="ada@example.com", name="Ada Lovelace")
    return render_for(digest, newsletter, settings, subscriber, links_for(subscriber)).html


def links_for(subscriber: Subscriber) -> PersonalLinks:
    token = re.sub(r"[^a-z0-9]", "-", subscriber.email.lower())
    return PersonalLinks(
        unsubscribe_url=f"https://digest.example.org/unsubscribe/{token}?e=2025-11-27&s=1",
        unsubscribe_mailto=f"mailto:unsubscribe@digest.example.org?subject=unsubscribe%20{token}",
        preferences_url=f"https://digest.example.org/preferences/{token}",
        browser_url="https://digest.example.org/editions/2025-11-27",
    )


def build_message(email: RenderedEmail, newsletter: Newsletter, subscriber: Subscriber) -> bytes:
    """A complete message with every header of issue 6, text part first then HTML."""
    links = links_for(subscriber)
    message = EmailMessage()
    message["From"] = newsletter.sender
    message["To"] = subscriber.email
    message["Subject"] = email.subject
    message["Date"] = format_datetime(datetime.fromisoformat("2025-11-27T07:00:00+00:00"))
    message["Message-ID"] = "<2025-11-27.ann@digest.example.org>"
    message["List-Unsubscribe"] = f"<{links.unsubscribe_url}>, <{links.unsubscribe_mailto}>"
    message["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click"
    message["List-Id"] = "The Morning Digest <morning.digest.example.org>"
    message["Precedence"] = "bulk"
    message.set_content(email.text)
    message.add_alternative(email.html, subtype="html")
    return message.as_bytes()


def visible_text(html: str) -> str:
    """The text a reader sees (no head, style, comments), whitespace collapsed."""

    class Reader(HTMLParser):
        def __init__(self) -> None:
            super().__init__(convert_charrefs=True)
            self.parts: list[str] = []
            self.skip = 0

        def handle_starttag(self, tag: str, attrs: Any) -> None:
            self.skip += tag in ("head", "style", "title")

        def handle_endtag(self, tag: str) -> None:
            self.skip -= tag in ("head", "style", "title")

        def handle_data(self, data: str) -> None:
            if not self.skip:
                self.parts.append(data)

    reader = Reader()
    reader.feed(html)
    return " ".join(" ".join(reader.parts).split())


SUBSCRIBERS = (
    Subscriber(email="ann@example.com", name="Ann"),
    Subscriber(email="tom@example.com", name="Tom & <Jerry> 'T' \"J\""),
    Subscriber(email="world@example.com", sections=("world", "Sport")),
    Subscriber(email="biz@example.com", name="Bea", sections=("Business",)),
    Subscriber(email="none@example.com", name="Nob", sections=("Gardening",)),
)
