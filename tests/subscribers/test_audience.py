"""subscribers.audience: who receives an edition (sections chosen on the preferences page)."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from digest.config import load_config
from digest.models import Subscriber
from digest.state import open_state
from digest.subscribers import load_subscribers, recipients, wants_any

NOW = datetime(2026, 11, 27, 7, 0, tzinfo=UTC)


def test_wants_any_matches_sections_case_insensitively() -> None:
    assert wants_any(Subscriber("a@x.com"), ("World",))
    assert wants_any(Subscriber("a@x.com", sections=("world",)), ("World", "Science"))
    assert not wants_any(Subscriber("a@x.com", sections=("Sport",)), ("World",))


def test_recipients_apply_choices_from_the_preferences_page(project: Path) -> None:
    cfg = load_config(project / "config.toml", {})
    state = open_state(cfg.state_database)
    state.preferences.choose("Ada@Example.com", ("Science",), NOW)
    found = recipients(state, load_subscribers(cfg.subscribers_dir))
    assert found["ada@example.com"].sections == ("Science",)
    assert found["grace@example.com"].sections == ("World", "Technology")
