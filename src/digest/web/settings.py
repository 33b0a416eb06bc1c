"""The [web] table: who may stand between a visitor and `digest serve`, where sign-up forms
may come from, how many processes serve, and how long a request may hold a connection or wait
for the database."""

from __future__ import annotations

import ipaddress
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from digest.errors import ConfigError

Network = ipaddress.IPv4Network | ipaddress.IPv6Network


@dataclass(frozen=True)
class WebSettings:
    """How `digest serve` meets the public."""

    # Proxies whose X-Forwarded-For and X-Forwarded-Proto are believed (addresses or CIDRs).
    # Every other peer is the visitor itself, whatever headers it sends.
    trusted_proxies: tuple[Network, ...] = ()
    # Sites besides this one whose pages may post the sign-up form (an embedded form).
    signup_origins: tuple[str, ...] = ()
    workers: int = 1  # processes `digest serve` starts (each its own event loop)
    body_seconds: float = 10.0  # a request body must arrive within this, or 408
    busy_seconds: float = 5.0  # a page waits this long for SQLite's write lock, then 503
    # The desk's "Add a story by URL" may fetch loopback, private and link-local addresses.
    fetch_private: bool = False

    def trusts(self, host: str) -> bool:
        try:
            address = ipaddress.ip_address(host)
        except ValueError:
            return False
        return any(address in network for network in self.trusted_proxies)


def _networks(value: Any, key: str) -> tuple[Network, ...]:
    if not isinstance(value, list) or not all(isinstance(item, str) for item in value):
        raise ConfigError(f"{key}: must be a list of addresses or networks, got {value!r}")
    try:
        return tuple(ipaddress.ip_network(item.strip(), strict=False) for item in value)
    except ValueError as exc:
        raise ConfigError(f"{key}: {exc}", hint='e.g. ["127.0.0.1", "10.0.0.0/8"]') from None


def _origins(value: Any, key: str) -> tuple[str, ...]:
    if not isinstance(value, list) or not all(isinstance(item, str) for item in value):
        raise ConfigError(f"{key}: must be a list of origins, got {value!r}")
    origins = []
    for item in value:
        parts = urlsplit(item.strip())
        if parts.scheme not in ("http", "https") or not parts.netloc or parts.path not in ("", "/"):
            raise ConfigError(
                f"{key}: {item!r} is not an origin", hint='e.g. "https://www.example.com"'
            )
        origins.append(f"{parts.scheme}://{parts.netloc.lower()}")
    return tuple(origins)


def _positive(value: Any, key: str, kind: type) -> Any:
    if isinstance(value, bool) or not isinstance(value, int | float) or value <= 0:
        raise ConfigError(f"{key}: must be a positive number, got {value!r}")
    if kind is int and not isinstance(value, int):
        raise ConfigError(f"{key}: must be a whole number, got {value!r}")
    return kind(value)


def web_settings_from_table(table: Mapping[str, Any], *, key: str = "web") -> WebSettings:
    """WebSettings from the [web] table; ConfigError naming the key."""
    known = set(WebSettings.__dataclass_fields__)
    for name in table:
        if name not in known:
            raise ConfigError(
                f"{key}.{name}: unknown key", hint=f"[{key}] accepts: {', '.join(sorted(known))}"
            )
    defaults = WebSettings()
    fetch_private = table.get("fetch_private", False)
    if not isinstance(fetch_private, bool):
        raise ConfigError(f"{key}.fetch_private: must be true or false, got {fetch_private!r}")
    return WebSettings(
        trusted_proxies=_networks(table.get("trusted_proxies", []), f"{key}.trusted_proxies"),
        signup_origins=_origins(table.get("signup_origins", []), f"{key}.signup_origins"),
        workers=_positive(table.get("workers", defaults.workers), f"{key}.workers", int),
        body_seconds=_positive(
            table.get("body_seconds", defaults.body_seconds), f"{key}.body_seconds", float
        ),
        busy_seconds=_positive(
            table.get("busy_seconds", defaults.busy_seconds), f"{key}.busy_seconds", float
        ),
        fetch_private=fetch_private,
    )
