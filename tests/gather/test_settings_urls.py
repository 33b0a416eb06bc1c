"""[gather] config validation and canonical URLs."""

from __future__ import annotations

import pytest

from digest.errors import ConfigError
from digest.gather import FetchSettings, canonical_url, fetch_settings_from_table


def test_empty_table_gives_defaults() -> None:
    assert fetch_settings_from_table({}) == FetchSettings()


def test_values_are_read_and_ints_accepted_for_floats() -> None:
    settings = fetch_settings_from_table({"timeout": 5, "per_host": 2, "user_agent": "me/1"})
    assert (settings.timeout, settings.per_host, settings.user_agent) == (5.0, 2, "me/1")


@pytest.mark.parametrize(
    ("table", "message"),
    [
        ({"timout": 3}, "gather.timout: unknown key"),
        ({"timeout": "fast"}, "gather.timeout: must be a number"),
        ({"concurrency": 2.5}, "gather.concurrency: must be an integer"),
        ({"retries": True}, "gather.retries: must be an integer"),
        ({"per_host": 0}, "gather.per_host: must be greater than 0"),
        ({"retries": -1}, "gather.retries: must be 0 or more"),
        ({"user_agent": ""}, "gather.user_agent: must be a non-empty string"),
    ],
)
def test_bad_values_name_the_key(table: dict[str, object], message: str) -> None:
    with pytest.raises(ConfigError, match=message):
        fetch_settings_from_table(table)


def test_key_prefix_is_configurable() -> None:
    with pytest.raises(ConfigError, match=r"fetch\.nope"):
        fetch_settings_from_table({"nope": 1}, key="fetch")


@pytest.mark.parametrize(
    ("url", "canonical"),
    [
        ("https://Example.COM/a?utm_source=x&utm_medium=y", "https://example.com/a"),
        ("https://example.com/a?id=3&fbclid=abc&gclid=z#comments", "https://example.com/a?id=3"),
        ("HTTP://example.com:80/a/b?b=2&a=1", "http://example.com/a/b?b=2&a=1"),
        ("https://example.com:8443", "https://example.com:8443/"),
        ("  https://example.com/x?mc_cid=1&page=2  ", "https://example.com/x?page=2"),
        ("examples/page.html", "examples/page.html"),
    ],
)
def test_canonical_url(url: str, canonical: str) -> None:
    assert canonical_url(url) == canonical
