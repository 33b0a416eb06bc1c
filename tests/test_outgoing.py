"""outgoing: signed personal links, who receives an edition, the editor's preview."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

from digest.config import load_config
from digest.models import Subscriber
from digest.outgoing import personal_links, recipients, wants_any
from digest.render import RenderedEdition
from digest.state import open_state
from digest.subscribers import load_subscribers, verify_token

NOW = datetime(2026, 11, 27, 7, 0, tzinfo=UTC)


def edition(*sections: str) -> RenderedEdition:
    return RenderedEdition(
        edition_id="2026-11-27",
        subject="s",
        html="",
        text="",
        nonce="n",
        section_keys=tuple(s.lower() for s in sections),
        section_names=sections,
        section_stories=tuple(1 for _ in sections),
        section_words=tuple(100 for _ in sections),
    )


def test_links_are_signed_encoded_and_point_at_base_url(project: Path) -> None:
    cfg = load_config(project / "config.toml", {})
    links = personal_links(cfg, "secret", "a+b@example.com", "2026-11-27")
    query = parse_qs(urlsplit(links.unsubscribe_url).query)
    assert links.unsubscribe_url.startswith("https://digest.example.com/unsubscribe?")
    assert query["e"] == ["a+b@example.com"]
    assert verify_token("secret", "a+b@example.com", query["t"][0])
    assert links.unsubscribe_mailto.startswith("mailto:digest@example.com?subject=unsubscribe")
    assert links.browser_url == "https://digest.example.com/archive/2026-11-27"


def test_wants_any_matches_sections_case_insensitively() -> None:
    assert wants_any(Subscriber("a@x.com"), edition("World"))
    assert wants_any(Subscriber("a@x.com", sections=("world",)), edition("World", "Science"))
    assert not wants_any(Subscriber("a@x.com", sections=("Sport",)), edition("World"))


def test_recipients_apply_choices_from_the_preferences_page(project: Path) -> None:
    cfg = load_config(project / "config.toml", {})
    state = open_state(cfg.state_database)
    state.preferences.choose("Ada@Example.com", ("Science",), NOW)
    found = recipients(state, load_subscribers(cfg.subscribers_dir))
    assert found["ada@example.com"].sections == ("Science",)
    assert found["grace@example.com"].sections == ("World", "Technology")
