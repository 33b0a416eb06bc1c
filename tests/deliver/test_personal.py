"""deliver.personal: opaque signed links in each message; the web copy has none; the
Composer's fast bodies are the bytes of a full render, encoded whole.

Links used to carry the address in clear (`?e=ada%40example.com&t=...`); the subscribers issue
replaced them with an opaque token bound to the subscriber and the list.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime
from email import message_from_bytes, policy
from email.message import EmailMessage
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest

from digest.config import load_config
from digest.deliver import Composer, build_message, personal_links
from digest.models import Subscriber
from digest.render import RenderSettings, personalise, render_edition, render_for
from digest.subscribers import link_uid, list_key
from tests.render.sample import SUBSCRIBERS, load_sample

NOW = datetime(2025, 11, 27, 7, 0, tzinfo=UTC)
# Names of every length from 0 to 40 move each personal value's neighbours to a new column.
READERS = (
    *SUBSCRIBERS,
    *(
        Subscriber(email=f"r{n}@example.com", name="Zoë " * (n // 4) + "x" * (n % 4), key=f"k{n}")
        for n in range(41)
    ),
    Subscriber(email="dot@example.com", name=". ", key="k.", sections=("World",)),
)


@pytest.mark.parametrize("theme", ["default", "compact"])
def test_composer_gives_the_bytes_of_the_full_render_encoded_whole(theme: str) -> None:
    """Each message equals one built from `render_for` (the reference) with the bodies
    encoded in one piece, header for header and byte for byte, and parses back to it."""
    digest, newsletter = load_sample()
    settings = RenderSettings(theme=theme)
    rendered = render_edition(digest, newsletter, settings)
    compose = Composer(newsletter, rendered, "s" * 32, NOW)
    for reader in READERS:
        fast = compose(reader)
        links = personal_links(newsletter, "s" * 32, reader.email, rendered.edition_id, reader.key)
        full = render_for(digest, newsletter, settings, reader, links)
        assert personalise(rendered, reader, links) == full
        slow = build_message(
            edition_id=rendered.edition_id,
            newsletter=newsletter,
            subscriber=reader,
            email=full,
            links=links,
            now=NOW,
            list_id=newsletter.list_id,
            feedback_id=newsletter.feedback_id,
        )
        assert fast.raw == slow.raw, reader
        parsed = message_from_bytes(fast.raw, policy=policy.default)
        assert isinstance(parsed, EmailMessage) and not parsed.defects
        plain, html = parsed.iter_parts()
        assert plain.get_content().replace("\r\n", "\n") == full.text.replace("\r\n", "\n")
        assert html.get_content().replace("\r\n", "\n") == full.html.replace("\r\n", "\n")


def test_composer_is_plain_data_for_a_send_process() -> None:
    import pickle

    digest, newsletter = load_sample()
    rendered = render_edition(
        replace(digest, intro="Carriage\r\nreturn"), newsletter, RenderSettings()
    )
    compose = Composer(newsletter, rendered, "s" * 32, NOW)
    again = pickle.loads(pickle.dumps(compose))
    assert again(SUBSCRIBERS[0]).raw == compose(SUBSCRIBERS[0]).raw


def test_links_are_signed_opaque_and_point_at_base_url(project: Path) -> None:
    cfg = load_config(project / "config.toml", {})
    links = personal_links(cfg.newsletter, "secret", "a+b@example.com", "2026-11-27", "uid-42")
    query = parse_qs(urlsplit(links.unsubscribe_url).query)
    assert links.unsubscribe_url.startswith("https://digest.example.com/unsubscribe?t=")
    assert "a+b" not in links.unsubscribe_url and "a%2Bb" not in links.preferences_url
    assert set(query) == {"t"}
    assert link_uid("secret", list_key(cfg.newsletter), query["t"][0]) == "uid-42"
    assert links.unsubscribe_mailto.startswith("mailto:digest@example.com?subject=unsubscribe")
    assert links.browser_url == "https://digest.example.com/archive/2026-11-27"


def test_someone_not_on_the_list_gets_the_newsletters_own_pages(project: Path) -> None:
    cfg = load_config(project / "config.toml", {})
    links = personal_links(cfg.newsletter, "secret", "editor@example.com", "2026-11-27")
    assert links.unsubscribe_url == "https://digest.example.com/unsubscribe"
    assert links.preferences_url == "https://digest.example.com/preferences"
    assert "editor" not in links.unsubscribe_mailto


def test_a_sent_message_is_dated_when_it_is_handed_over_not_when_the_edition_was_made() -> None:
    """A local-time batch goes hours after the edition: its Date is the hand-over's."""
    import time_machine

    digest, newsletter = load_sample()
    rendered = render_edition(digest, newsletter, RenderSettings())
    later = datetime(2026, 5, 4, 16, 30, 5, tzinfo=UTC)
    with time_machine.travel(later, tick=False):
        sent = Composer(newsletter, rendered, "s" * 32, NOW, dated_when_built=True)(READERS[0])
    kept = Composer(newsletter, rendered, "s" * 32, NOW)(READERS[0])
    parsed = message_from_bytes(sent.raw, policy=policy.default)
    assert isinstance(parsed, EmailMessage) and not parsed.defects
    assert parsed["Date"].datetime == later
    assert message_from_bytes(kept.raw, policy=policy.default)["Date"].datetime == NOW
    assert dict(sent.headers)["Date"] == parsed["Date"]
    assert sent.raw.count(b"\r\nDate: ") == 1
