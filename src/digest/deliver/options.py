"""Typed reading of a [delivery.<name>] table: unknown keys, wrong types and missing secrets
become ConfigErrors that name the key or the environment variable."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from digest.errors import ConfigError


@dataclass(frozen=True)
class Option:
    """One accepted key: its type(s), default, and allowed values."""

    kind: type | tuple[type, ...]
    default: Any = None
    required: bool = False
    choices: tuple[Any, ...] = ()


def read_options(
    section: str, table: Mapping[str, Any], spec: Mapping[str, Option]
) -> dict[str, Any]:
    """Validate `table` against `spec`; return every key of spec with its value or default."""
    unknown = sorted(set(table) - set(spec))
    if unknown:
        raise ConfigError(
            f"{section}.{unknown[0]}: unknown key",
            hint=f"{section} accepts: {', '.join(sorted(spec))}",
        )
    values: dict[str, Any] = {}
    for key, option in spec.items():
        if key not in table:
            if option.required:
                raise ConfigError(f"{section}.{key}: required")
            values[key] = option.default
            continue
        value = table[key]
        kinds = option.kind if isinstance(option.kind, tuple) else (option.kind,)
        if float in kinds and isinstance(value, int) and not isinstance(value, bool):
            value = float(value)
        if (isinstance(value, bool) and bool not in kinds) or not isinstance(value, kinds):
            names = " or ".join(k.__name__ for k in kinds)
            raise ConfigError(f"{section}.{key}: must be {names}, got {value!r}")
        if option.choices and value not in option.choices:
            allowed = ", ".join(repr(c) for c in option.choices)
            raise ConfigError(f"{section}.{key}: must be one of {allowed}, got {value!r}")
        values[key] = value
    return values


def secret(environ: Mapping[str, str], name: str, *, purpose: str) -> str:
    """The value of environment variable `name`, or a ConfigError naming it."""
    value = environ.get(name, "").strip()
    if not value:
        raise ConfigError(
            f"environment variable {name} is not set ({purpose})",
            hint=f"export {name}=... before sending",
        )
    return value
