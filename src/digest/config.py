"""Load config.toml into a typed Config; every error names the key it is about.

`load_config(path, environ)` reads the TOML file, applies `DIGEST_<SECTION>__<KEY>` environment
overrides (nested tables joined by `__`), validates each table and returns a frozen Config.
Stage-specific tables ([gather], [summarize], [compose], [render], [delivery.*]) are validated by
the stage that owns them, so a key is described once, next to the code that uses it.
"""

from __future__ import annotations

import os
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

from email_validator import EmailNotValidError, validate_email

from digest.errors import ConfigError
from digest.models import Newsletter, SourceConfig

DEFAULT_CONFIG = "config.toml"
ENV_CONFIG = "DIGEST_CONFIG"
ENV_PREFIX = "DIGEST_"
PROVIDER_NAMES = ("outbox", "smtp", "postmark", "sendgrid", "mailgun", "ses", "resend")

Table = Mapping[str, Any]


@dataclass(frozen=True)
class ScheduleSettings:
    """When `digest schedule` runs an edition, and whether an editor must approve it first."""

    cron: str = "0 7 * * *"
    timezone: str = "Europe/London"
    misfire_grace_seconds: int = 3600
    require_approval: bool = False


@dataclass(frozen=True)
class Config:
    """The whole validated configuration; relative paths are resolved from the file's folder."""

    path: Path
    newsletter: Newsletter
    sources: tuple[SourceConfig, ...]
    subscribers_dir: Path
    schedule: ScheduleSettings
    provider: str
    state_database: str
    tables: Mapping[str, Table] = field(default_factory=dict)

    @property
    def base_dir(self) -> Path:
        return self.path.parent

    def table(self, *keys: str) -> Table:
        """A raw sub-table for the stage that validates it, e.g. table("delivery", "smtp")."""
        node: Any = self.tables
        for key in keys:
            node = node.get(key, {}) if isinstance(node, Mapping) else {}
        return node if isinstance(node, Mapping) else {}


def config_path(explicit: str | None, environ: Mapping[str, str]) -> Path:
    """--config wins, then $DIGEST_CONFIG, then ./config.toml."""
    return Path(explicit or environ.get(ENV_CONFIG) or DEFAULT_CONFIG)


def load_config(path: str | Path, environ: Mapping[str, str] | None = None) -> Config:
    """Read, override from the environment, and validate; raise ConfigError naming the key."""
    environ = os.environ if environ is None else environ
    file = Path(path)
    try:
        raw = tomllib.loads(file.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ConfigError(
            f"{file}: config file not found",
            hint="pass --config PATH or set DIGEST_CONFIG; `make run` uses ./config.toml",
        ) from None
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"{file}: cannot read config file: {exc}") from exc
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{file}: invalid TOML: {exc}") from exc
    apply_env_overrides(raw, environ)
    return _validate(raw, file.resolve())


def apply_env_overrides(raw: dict[str, Any], environ: Mapping[str, str]) -> None:
    """DIGEST_DELIVERY__SMTP__PORT=2525 sets raw["delivery"]["smtp"]["port"] = 2525."""
    for name, value in sorted(environ.items()):
        if not name.startswith(ENV_PREFIX) or "__" not in name:
            continue
        keys = [part.lower() for part in name[len(ENV_PREFIX) :].split("__")]
        if not all(keys):
            raise ConfigError(f"environment variable {name}: empty key part")
        node = raw
        for key in keys[:-1]:
            child = node.setdefault(key, {})
            if not isinstance(child, dict):
                raise ConfigError(f"environment variable {name}: {key} is not a table")
            node = child
        node[keys[-1]] = _parse_env_value(value)


def _parse_env_value(value: str) -> Any:
    """A TOML literal when it is one (2525, true, 1.5, [..]), else the plain string."""
    try:
        return tomllib.loads(f"v = {value}")["v"]
    except tomllib.TOMLDecodeError:
        return value


class _Reader:
    """Typed access to one table that records which keys were used, to reject unknown ones."""

    def __init__(self, table: Any, prefix: str) -> None:
        if not isinstance(table, Mapping):
            raise ConfigError(f"{prefix}: must be a table, got {type(table).__name__}")
        self.table = table
        self.prefix = prefix
        self.seen: set[str] = set()

    def key(self, name: str) -> str:
        return f"{self.prefix}.{name}" if self.prefix else name

    def get(self, name: str, kind: type | tuple[type, ...], default: Any = ...) -> Any:
        self.seen.add(name)
        if name not in self.table:
            if default is ...:
                raise ConfigError(f"{self.key(name)}: required key is missing")
            return default
        value = self.table[name]
        kinds = kind if isinstance(kind, tuple) else (kind,)
        if isinstance(value, bool) and bool not in kinds:
            value_ok = False
        else:
            value_ok = isinstance(value, kinds)
        if not value_ok:
            names = " or ".join(k.__name__ for k in kinds)
            raise ConfigError(
                f"{self.key(name)}: must be {names}, got {type(value).__name__} {value!r}"
            )
        return value

    def text(self, name: str, default: Any = ...) -> Any:
        value = self.get(name, str, default)
        if isinstance(value, str) and not value.strip():
            raise ConfigError(f"{self.key(name)}: must not be empty")
        return value

    def positive_int(self, name: str, default: int) -> int:
        value = int(self.get(name, int, default))
        if value <= 0:
            raise ConfigError(f"{self.key(name)}: must be a positive integer, got {value}")
        return value

    def ignore(self, *names: str) -> None:
        """Keys validated elsewhere (sub-tables owned by another stage)."""
        self.seen.update(names)

    def finish(self) -> None:
        unknown = sorted(set(self.table) - self.seen)
        if unknown:
            known = ", ".join(sorted(self.seen)) or "none"
            raise ConfigError(
                f"{self.key(unknown[0])}: unknown key", hint=f"known keys here: {known}"
            )


_TOP_LEVEL = ("newsletter", "sources", "subscribers", "schedule", "delivery", "state")
_STAGE_TABLES = ("gather", "summarize", "compose", "render", "web")


def _validate(raw: dict[str, Any], path: Path) -> Config:
    top = _Reader(raw, "")
    top.ignore(*_TOP_LEVEL, *_STAGE_TABLES)
    top.finish()
    newsletter = _newsletter(_Reader(raw.get("newsletter", {}), "newsletter"))
    sources = _sources(raw.get("sources", []), path.parent)
    subs = _Reader(raw.get("subscribers", {}), "subscribers")
    subscribers_dir = path.parent / subs.text("dir", "subscribers")
    subs.finish()
    schedule = _schedule(_Reader(raw.get("schedule", {}), "schedule"))
    delivery = _Reader(raw.get("delivery", {}), "delivery")
    provider = delivery.text("provider", "outbox")
    if provider not in PROVIDER_NAMES:
        raise ConfigError(
            f"delivery.provider: must be one of {', '.join(PROVIDER_NAMES)}, got {provider!r}"
        )
    state = _Reader(raw.get("state", {}), "state")
    database = state.text("database", "var/digest.db")
    state.finish()
    if not database.startswith(("postgresql://", "postgres://")) and database != ":memory:":
        database = str(path.parent / database)
    tables = {name: raw.get(name, {}) for name in (*_STAGE_TABLES, "delivery")}
    return Config(
        path=path,
        newsletter=newsletter,
        sources=sources,
        subscribers_dir=subscribers_dir,
        schedule=schedule,
        provider=provider,
        state_database=database,
        tables=tables,
    )


def _newsletter(r: _Reader) -> Newsletter:
    sender = r.text("from")
    _check_address(r.key("from"), sender)
    reply_to = r.get("reply_to", str, None)
    if reply_to:
        _check_address(r.key("reply_to"), reply_to)
    base_url = r.text("base_url")
    if urlparse(base_url).scheme not in ("http", "https") or not urlparse(base_url).netloc:
        raise ConfigError(f"{r.key('base_url')}: must be an http(s) URL, got {base_url!r}")
    newsletter = Newsletter(
        title=r.text("title"),
        sender=sender,
        address=r.text("address"),
        base_url=base_url.rstrip("/"),
        max_stories=r.positive_int("max_stories", 10),
        lookback_hours=r.positive_int("lookback_hours", 48),
        reply_to=reply_to or None,
        language=r.text("language", "en"),
        list_id=r.get("list_id", str, None) or None,
        feedback_id=r.get("feedback_id", str, None) or None,
    )
    r.finish()
    return newsletter


def _check_address(key: str, value: str) -> None:
    """Accept 'addr@host' or 'Name <addr@host>'."""
    address = value.rsplit("<", 1)[-1].rstrip(">").strip() if "<" in value else value.strip()
    try:
        validate_email(address, check_deliverability=False)
    except EmailNotValidError as exc:
        raise ConfigError(f"{key}: not a valid email address {value!r}: {exc}") from None


def _sources(items: Any, base_dir: Path) -> tuple[SourceConfig, ...]:
    if not isinstance(items, list):
        raise ConfigError("sources: must be an array of tables ([[sources]])")
    sources: list[SourceConfig] = []
    names: set[str] = set()
    for index, item in enumerate(items):
        r = _Reader(item, f"sources[{index}]")
        kind = r.text("kind", "feed")
        if kind not in ("feed", "page"):
            raise ConfigError(f"{r.key('kind')}: must be feed or page, got {kind!r}")
        url = r.text("url")
        if urlparse(url).scheme not in ("http", "https", ""):
            raise ConfigError(f"{r.key('url')}: must be an http(s) URL or a path, got {url!r}")
        if not urlparse(url).scheme and not (base_dir / url).exists():
            raise ConfigError(
                f"{r.key('url')}: file not found: {base_dir / url}",
                hint="relative paths resolve from the folder of the config file",
            )
        name = r.text("name")
        if name in names:
            raise ConfigError(f"{r.key('name')}: duplicate source name {name!r}")
        names.add(name)
        weight = float(r.get("weight", (int, float), 1.0))
        if weight <= 0:
            raise ConfigError(f"{r.key('weight')}: must be positive, got {weight}")
        sources.append(
            SourceConfig(
                name=name,
                url=url,
                kind=kind,
                section=r.get("section", str, None),
                full_text=bool(r.get("full_text", bool, False)),
                weight=weight,
            )
        )
        r.finish()
    return tuple(sources)


def _schedule(r: _Reader) -> ScheduleSettings:
    cron = r.text("cron", "0 7 * * *")
    if len(cron.split()) != 5:
        raise ConfigError(f"{r.key('cron')}: must have 5 fields (min hour day month weekday)")
    timezone = r.text("timezone", "Europe/London")
    try:
        from zoneinfo import ZoneInfo

        ZoneInfo(timezone)
    except (KeyError, ValueError):
        raise ConfigError(f"{r.key('timezone')}: unknown time zone {timezone!r}") from None
    grace = r.positive_int("misfire_grace_seconds", 3600)
    approval = bool(r.get("require_approval", bool, False))
    r.finish()
    return ScheduleSettings(
        cron=cron, timezone=timezone, misfire_grace_seconds=grace, require_approval=approval
    )
