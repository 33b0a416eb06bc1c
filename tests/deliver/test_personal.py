"""deliver.personal: signed personal links in each subscriber's message."""

from __future__ import annotations

from pathlib import Path
from urllib.parse import parse_qs, urlsplit

from digest.config import load_config
from digest.deliver import personal_links
from digest.subscribers import verify_token


def test_links_are_signed_encoded_and_point_at_base_url(project: Path) -> None:
    cfg = load_config(project / "config.toml", {})
    links = personal_links(cfg.newsletter, "secret", "a+b@example.com", "2026-11-27")
    query = parse_qs(urlsplit(links.unsubscribe_url).query)
    assert links.unsubscribe_url.startswith("https://digest.example.com/unsubscribe?")
    assert query["e"] == ["a+b@example.com"]
    assert verify_token("secret", "a+b@example.com", query["t"][0])
    assert links.unsubscribe_mailto.startswith("mailto:digest@example.com?subject=unsubscribe")
    assert links.browser_url == "https://digest.example.com/archive/2026-11-27"
