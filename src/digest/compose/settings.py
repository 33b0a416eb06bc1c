"""The [compose] table: section order, default section, subject template, empty editions, and
how alike articles must be to be grouped into one story.

Subject template placeholders: {top_headline} (the top story's headline), {more} (how many
other stories), {count} (all stories), {title} (the newsletter title), {date} (YYYY-MM-DD of
`now`).
"""

from __future__ import annotations

import string
from collections.abc import Mapping
from dataclasses import dataclass, field, fields
from typing import Any

from digest.errors import ConfigError

DEFAULT_SUBJECT = "{top_headline} + {more} more"
GROUP_THRESHOLD = 0.14  # mean cosine, chosen by cross-validation (bench/eval_clustering.py)
PLACEHOLDERS = frozenset({"top_headline", "more", "count", "title", "date"})


@dataclass(frozen=True)
class ComposeSettings:
    """The [compose] table."""

    section_order: tuple[str, ...] = ()
    default_section: str = "News"
    subject_template: str = DEFAULT_SUBJECT
    send_when_empty: bool = False
    group_threshold: float = GROUP_THRESHOLD  # how alike two groups must be to become one story
    source_weights: Mapping[str, float] = field(default_factory=dict)  # from sources[].weight


def compose_settings_from_table(table: Mapping[str, Any], key: str = "compose") -> ComposeSettings:
    """Validate a [compose] config table; errors name the key ("compose.section_order")."""
    known = {f.name for f in fields(ComposeSettings)} - {"source_weights"}
    for name in table:
        if name == "source_weights":
            raise ConfigError(
                f"{key}.source_weights: unknown key",
                hint="set `weight = 2.0` on the [[sources]] entry instead",
            )
        if name not in known:
            raise ConfigError(
                f"{key}.{name}: unknown key (expected one of {', '.join(sorted(known))})"
            )
    values: dict[str, Any] = {}
    if "section_order" in table:
        order = table["section_order"]
        if not isinstance(order, list | tuple) or not all(
            isinstance(s, str) and s.strip() for s in order
        ):
            raise ConfigError(f"{key}.section_order: must be a list of section names")
        values["section_order"] = tuple(s.strip() for s in order)
    if "default_section" in table:
        name = table["default_section"]
        if not isinstance(name, str) or not name.strip():
            raise ConfigError(f"{key}.default_section: must be a non-empty string, got {name!r}")
        values["default_section"] = name.strip()
    if "subject_template" in table:
        values["subject_template"] = _checked_template(table["subject_template"], key)
    if "group_threshold" in table:
        value = table["group_threshold"]
        if isinstance(value, bool) or not isinstance(value, int | float) or not 0 < value <= 1:
            raise ConfigError(
                f"{key}.group_threshold: must be a number above 0 and at most 1, got {value!r}"
            )
        values["group_threshold"] = float(value)
    if "send_when_empty" in table:
        if not isinstance(table["send_when_empty"], bool):
            raise ConfigError(f"{key}.send_when_empty: must be true or false")
        values["send_when_empty"] = table["send_when_empty"]
    return ComposeSettings(**values)


def _checked_template(template: object, key: str) -> str:
    if not isinstance(template, str) or not template.strip():
        raise ConfigError(f"{key}.subject_template: must be a non-empty string")
    try:
        names = {name for _, name, _, _ in string.Formatter().parse(template) if name is not None}
    except ValueError as exc:
        raise ConfigError(f"{key}.subject_template: {exc}") from exc
    unknown = names - PLACEHOLDERS
    if unknown:
        raise ConfigError(
            f"{key}.subject_template: unknown placeholder {{{sorted(unknown)[0]}}} "
            f"(use {', '.join('{' + p + '}' for p in sorted(PLACEHOLDERS))})"
        )
    return template
