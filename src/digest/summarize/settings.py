"""The [summarize] table and the one-verb Summarizer protocol every summarizer meets."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, fields
from typing import Any, Literal, Protocol

from digest.errors import ConfigError
from digest.models import Article, Summary

SummarizerKind = Literal["extractive", "llm"]


@dataclass(frozen=True)
class SummarizerSettings:
    """The [summarize] table."""

    kind: SummarizerKind = "extractive"
    max_points: int = 5
    llm_base_url: str | None = None
    llm_model: str | None = None
    llm_api_key_env: str = "DIGEST_LLM_API_KEY"
    llm_timeout: float = 20.0


class Summarizer(Protocol):
    def summarize(self, article: Article) -> Summary: ...


def summarizer_settings_from_table(
    table: Mapping[str, Any], key: str = "summarize"
) -> SummarizerSettings:
    """Validate a [summarize] config table; errors name the key ("summarize.kind")."""
    known = {f.name for f in fields(SummarizerSettings)}
    for name in table:
        if name not in known:
            raise ConfigError(
                f"{key}.{name}: unknown key (expected one of {', '.join(sorted(known))})"
            )
    values: dict[str, Any] = {}
    if "kind" in table:
        if table["kind"] not in ("extractive", "llm"):
            raise ConfigError(f"{key}.kind: must be extractive or llm, got {table['kind']!r}")
        values["kind"] = table["kind"]
    if "max_points" in table:
        points = table["max_points"]
        if isinstance(points, bool) or not isinstance(points, int) or not 1 <= points <= 10:
            raise ConfigError(f"{key}.max_points: must be an integer from 1 to 10, got {points!r}")
        values["max_points"] = points
    for name in ("llm_base_url", "llm_model", "llm_api_key_env"):
        if name in table:
            if not isinstance(table[name], str) or not table[name]:
                raise ConfigError(f"{key}.{name}: must be a non-empty string, got {table[name]!r}")
            values[name] = table[name]
    if "llm_timeout" in table:
        timeout = table["llm_timeout"]
        if isinstance(timeout, bool) or not isinstance(timeout, int | float) or timeout <= 0:
            raise ConfigError(f"{key}.llm_timeout: must be a positive number, got {timeout!r}")
        values["llm_timeout"] = float(timeout)
    settings = SummarizerSettings(**values)
    if settings.kind == "llm" and not (settings.llm_base_url and settings.llm_model):
        raise ConfigError(f"{key}.kind: llm needs {key}.llm_base_url and {key}.llm_model")
    return settings
