"""The [subscribers] config table: sign-up confirmation and rate limits.

`dir` (the CSV folder) is read by the config loader; every other key is validated here, next
to the code that uses it, and errors name the key.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from digest.errors import ConfigError


@dataclass(frozen=True)
class SubscriberSettings:
    """How sign-ups work; the defaults suit a small newsletter."""

    confirm_hours: int = 48
    signups_per_address_per_hour: int = 3
    signups_per_ip_per_hour: int = 20


def subscriber_settings_from_table(
    table: Mapping[str, Any], *, key: str = "subscribers"
) -> SubscriberSettings:
    """Build SubscriberSettings from a [subscribers] table; raise ConfigError naming the key."""
    known = {"dir", *SubscriberSettings.__dataclass_fields__}
    for name in table:
        if name not in known:
            raise ConfigError(
                f"{key}.{name}: unknown key",
                hint=f"known keys in [{key}]: {', '.join(sorted(known))}",
            )
    defaults = SubscriberSettings()
    values: dict[str, int] = {}
    for name in SubscriberSettings.__dataclass_fields__:
        value = table.get(name, getattr(defaults, name))
        if isinstance(value, bool) or not isinstance(value, int) or value <= 0:
            raise ConfigError(f"{key}.{name}: must be a positive whole number, got {value!r}")
        values[name] = value
    return SubscriberSettings(**values)
