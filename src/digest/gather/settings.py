"""Fetch settings and their validation from the [gather] config table."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, fields
from typing import Any

from digest.errors import ConfigError

__all__ = ["FetchSettings", "fetch_settings_from_table"]


@dataclass(frozen=True)
class FetchSettings:
    """How sources are fetched: limits that keep one bad source from hurting the run."""

    timeout: float = 15.0
    max_bytes: int = 5_000_000
    max_redirects: int = 3
    concurrency: int = 20
    per_host: int = 4
    retries: int = 2
    user_agent: str = "digest/0.1 (+newsletter digest builder)"
    retry_backoff: float = 0.5
    parse_workers: int = 0


_POSITIVE = {"timeout", "max_bytes", "concurrency", "per_host"}
_NON_NEGATIVE = {"max_redirects", "retries", "retry_backoff", "parse_workers"}


def fetch_settings_from_table(table: Mapping[str, Any], key: str = "gather") -> FetchSettings:
    """Build FetchSettings from a config table; errors name the key, e.g. "gather.timeout"."""
    known = {f.name: f for f in fields(FetchSettings)}
    values: dict[str, Any] = {}
    for name, value in table.items():
        where = f"{key}.{name}"
        if name not in known:
            raise ConfigError(f"{where}: unknown key (known: {', '.join(sorted(known))})")
        default = getattr(FetchSettings, name)
        if isinstance(default, str):
            if not isinstance(value, str) or not value.strip():
                raise ConfigError(f"{where}: must be a non-empty string, got {value!r}")
        elif isinstance(default, float):
            if isinstance(value, bool) or not isinstance(value, int | float):
                raise ConfigError(f"{where}: must be a number, got {value!r}")
            value = float(value)
        elif isinstance(value, bool) or not isinstance(value, int):
            raise ConfigError(f"{where}: must be an integer, got {value!r}")
        if name in _POSITIVE and value <= 0:
            raise ConfigError(f"{where}: must be greater than 0, got {value!r}")
        if name in _NON_NEGATIVE and value < 0:
            raise ConfigError(f"{where}: must be 0 or more, got {value!r}")
        values[name] = value
    return FetchSettings(**values)
