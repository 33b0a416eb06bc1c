"""deliver.personal: opaque signed links in each message; the web copy has none.

Links used to carry the address in clear (`?e=ada%40example.com&t=...`); the subscribers issue
replaced them with an opaque token bound to the subscriber and the list.
"""

from __future__ import annotations

from pathlib import Path
from urllib.parse import parse_qs, urlsplit

from digest.config import load_config
from digest.deliver import personal_links
from digest.subscribers import link_uid, list_key


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
