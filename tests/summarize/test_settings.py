"""The [summarize] keys of the LLM's calls: bounds checked, the key named on a bad value, and
the newsletter's language not a key of the table."""

from __future__ import annotations

from typing import Any

import pytest

from digest.errors import ConfigError
from digest.summarize import SummarizerSettings, summarizer_settings_from_table


def test_the_calls_keys_and_their_defaults() -> None:
    assert summarizer_settings_from_table({}) == SummarizerSettings(
        concurrency=8, budget=200, retries=2, retry_backoff=1.0
    )
    table = {"concurrency": 3, "budget": 50, "retries": 0, "retry_backoff": 2}
    settings = summarizer_settings_from_table(table)
    assert (settings.concurrency, settings.budget, settings.retries) == (3, 50, 0)
    assert settings.retry_backoff == 2.0


@pytest.mark.parametrize(
    ("key", "value"),
    [
        ("concurrency", 0),
        ("concurrency", 65),
        ("concurrency", "8"),
        ("concurrency", True),
        ("budget", 0),
        ("budget", 2.5),
        ("retries", -1),
        ("retries", 11),
        ("retry_backoff", 0),
        ("retry_backoff", "1s"),
        ("llm_timeout", -3),
    ],
)
def test_a_bad_value_names_its_key(key: str, value: Any) -> None:
    with pytest.raises(ConfigError, match=rf"^summarize\.{key}: must be"):
        summarizer_settings_from_table({key: value})


def test_language_comes_from_the_newsletter_not_this_table() -> None:
    with pytest.raises(ConfigError, match=r"summarize\.language: unknown key"):
        summarizer_settings_from_table({"language": "fr"})
