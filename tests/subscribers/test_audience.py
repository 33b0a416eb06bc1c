"""subscribers.audience: who receives an edition (the stored list, sections chosen there)."""

from __future__ import annotations

from pathlib import Path

from digest.models import Subscriber
from digest.state import State
from digest.subscribers import import_folder, recipients, save_preferences, wants_any
from tests.subscribers.conftest import NOW


def test_wants_any_matches_sections_case_insensitively() -> None:
    assert wants_any(Subscriber("a@x.com"), ("World",))
    assert wants_any(Subscriber("a@x.com", sections=("world",)), ("World", "Science"))
    assert not wants_any(Subscriber("a@x.com", sections=("Sport",)), ("World",))


def test_recipients_apply_choices_from_the_preferences_page(state: State, repo_root: Path) -> None:
    import_folder(state, repo_root / "subscribers", now=NOW)
    ada = state.subscribers.get("Ada@Example.com")
    assert ada is not None
    save_preferences(state, ada, sections=("Science",), frequency="daily", timezone=None, now=NOW)
    found = {s.email: s for s in recipients(state, NOW).subscribers}
    assert found["ada@example.com"].sections == ("Science",)
    assert found["grace@example.com"].sections == ("World", "Technology")
    assert not found["former@example.org"].active
    assert all(s.key for s in found.values())
