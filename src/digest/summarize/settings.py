"""The [summarize] table, the one-verb Summarizer protocol every summarizer meets, and the
identity a stored summary carries (which summarizer, which model, which output settings)."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from dataclasses import dataclass, fields
from importlib import resources
from typing import Any, Literal, Protocol

from digest.errors import ConfigError
from digest.models import Article, Summary

SummarizerKind = Literal["extractive", "llm"]
NOT_KEYS = frozenset({"language"})  # filled from [newsletter], not keys of [summarize]


@dataclass(frozen=True)
class SummarizerSettings:
    """The [summarize] table (and the newsletter's language, for the LLM's prompt)."""

    kind: SummarizerKind = "extractive"
    max_points: int = 5
    llm_base_url: str | None = None
    llm_model: str | None = None
    llm_api_key_env: str = "DIGEST_LLM_API_KEY"
    llm_timeout: float = 20.0
    concurrency: int = 8  # LLM calls in flight at once
    budget: int = 200  # LLM calls per edition; then the extractive summarizer fills in
    retries: int = 2  # extra attempts after 429, 5xx, timeouts and connection errors
    retry_backoff: float = 1.0  # first retry delay in seconds, doubling; Retry-After wins
    language: str = "en"  # an article's points are asked in its own language, else this


@dataclass(frozen=True)
class Identity:
    """Who made a summary: the summarizer's kind, its model, and a hash of the settings that
    change its output (not of those that only change how it is reached: key, timeout,
    concurrency, budget, retries)."""

    kind: str
    model: str
    settings: str

    def __str__(self) -> str:
        return f"{self.kind} ({self.model}, settings {self.settings})"


class Summarizer(Protocol):
    def summarize(self, article: Article) -> Summary: ...


def _digest(value: object) -> str:
    text = json.dumps(value, sort_keys=True, ensure_ascii=False)
    return hashlib.sha256(text.encode()).hexdigest()[:12]


def extractive_identity(settings: SummarizerSettings) -> Identity:
    """The offline summarizer's: its learned weights are its model."""
    weights = (resources.files("digest.summarize") / "weights.json").read_bytes()
    model = "weights " + hashlib.sha256(weights).hexdigest()[:12]
    return Identity("extractive", model, _digest({"max_points": settings.max_points}))


def llm_identity(settings: SummarizerSettings, prompt: str) -> Identity:
    """The model's: endpoint, model name, prompt, point count and default language."""
    output = {
        "base_url": settings.llm_base_url,
        "model": settings.llm_model,
        "max_points": settings.max_points,
        "language": settings.language,
        "prompt": prompt,
    }
    return Identity("llm", settings.llm_model or "", _digest(output))


_POSITIVE_INTS = {"concurrency": 64, "budget": 100_000, "retries": 10}


def summarizer_settings_from_table(
    table: Mapping[str, Any], key: str = "summarize"
) -> SummarizerSettings:
    """Validate a [summarize] config table; errors name the key ("summarize.kind")."""
    known = {f.name for f in fields(SummarizerSettings)} - NOT_KEYS
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
    for name, most in _POSITIVE_INTS.items():
        if name in table:
            value, least = table[name], 0 if name == "retries" else 1
            if isinstance(value, bool) or not isinstance(value, int) or not least <= value <= most:
                raise ConfigError(
                    f"{key}.{name}: must be an integer from {least} to {most}, got {value!r}"
                )
            values[name] = value
    for name in ("llm_base_url", "llm_model", "llm_api_key_env"):
        if name in table:
            if not isinstance(table[name], str) or not table[name]:
                raise ConfigError(f"{key}.{name}: must be a non-empty string, got {table[name]!r}")
            values[name] = table[name]
    for name in ("llm_timeout", "retry_backoff"):
        if name in table:
            seconds = table[name]
            if isinstance(seconds, bool) or not isinstance(seconds, int | float) or seconds <= 0:
                raise ConfigError(f"{key}.{name}: must be a positive number, got {seconds!r}")
            values[name] = float(seconds)
    settings = SummarizerSettings(**values)
    if settings.kind == "llm" and not (settings.llm_base_url and settings.llm_model):
        raise ConfigError(f"{key}.kind: llm needs {key}.llm_base_url and {key}.llm_model")
    return settings
