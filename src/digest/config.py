"""Load config.toml into a typed Config; every error names the key it is about.

`load_config(path, environ)` reads the TOML file, applies `DIGEST_<SECTION>__<KEY>` environment
overrides (nested tables joined by `__`), validates each table and returns a frozen Config.
Stage-specific tables ([gather], [summarize], [compose], [render], [delivery.*]) are validated by
the stage that owns them, so a key is described once, next to the code that uses it.
"""

from __future__ import annotations

import os
import re
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import time, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import urlparse
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from email_validator import EmailNotValidError, validate_email

from digest.errors import ConfigError
from digest.models import Newsletter, SourceConfig, parse_mailbox

if TYPE_CHECKING:
    from apscheduler.triggers.cron import CronTrigger

DEFAULT_CONFIG = "config.toml"
ENV_CONFIG = "DIGEST_CONFIG"
ENV_PREFIX = "DIGEST_"
PROVIDER_NAMES = ("outbox", "smtp", "postmark", "sendgrid", "mailgun", "ses", "resend")

Table = Mapping[str, Any]


EDITION_KINDS = ("daily", "weekly")
ON_DEADLINE = ("send", "skip")
# "2h", "90m", "1h30m", "45s", "1d": a hand-written reader because the stdlib has none for this
# form and a dependency for one regular expression is not worth it.
_DURATION = re.compile(r"^(?:(\d+)d)?(?:(\d+)h)?(?:(\d+)m)?(?:(\d+)s)?$")


@dataclass(frozen=True)
class ScheduleSettings:
    """When `digest schedule` runs each kind of edition, and what an editor must approve.

    cron builds the daily edition, weekly_cron (optional) the weekly one, both read in
    `timezone`. deliver_at_local ("HH:MM", optional) sends each subscriber's copy at that
    time in their own zone. approval_deadline/on_deadline decide an unapproved edition.
    """

    cron: str = "0 7 * * *"
    timezone: str = "Europe/London"
    misfire_grace_seconds: int = 3600
    require_approval: bool = False
    weekly_cron: str | None = None
    deliver_at_local: str | None = None
    approval_deadline: timedelta | None = None
    on_deadline: str = "skip"

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)

    @property
    def crons(self) -> dict[str, str]:
        """The cron of each kind of edition that is scheduled: {"daily": ..., "weekly": ...}."""
        kinds = {"daily": self.cron}
        if self.weekly_cron:
            kinds["weekly"] = self.weekly_cron
        return kinds

    @property
    def local_time(self) -> time | None:
        return time.fromisoformat(self.deliver_at_local) if self.deliver_at_local else None


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
            hint="pass --config PATH, set DIGEST_CONFIG, or run where config.toml is; "
            "`digest init DIR` writes a new one",
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
_STAGE_TABLES = (
    "gather",
    "summarize",
    "compose",
    "render",
    "web",
    "tracking",
    "webhooks",
    "bounces",
)


def _validate(raw: dict[str, Any], path: Path) -> Config:
    top = _Reader(raw, "")
    top.ignore(*_TOP_LEVEL, *_STAGE_TABLES)
    top.finish()
    newsletter = _newsletter(_Reader(raw.get("newsletter", {}), "newsletter"))
    sources = _sources(raw.get("sources", []), path.parent)
    subs = _Reader(raw.get("subscribers", {}), "subscribers")
    subscribers_dir = path.parent / subs.text("dir", "subscribers")
    # The other [subscribers] keys are validated by digest.subscribers (subscriber_settings).
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
    tables = {name: raw.get(name, {}) for name in (*_STAGE_TABLES, "delivery", "subscribers")}
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
    sender = r.text("from").strip()
    _check_address(r.key("from"), sender)
    reply_to = r.get("reply_to", str, None)
    if reply_to:
        reply_to = reply_to.strip()
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
    """Accept 'addr@host' or 'Name <addr@host>', read the way the message headers read it."""
    try:
        _, address = parse_mailbox(value)
    except ValueError as exc:
        raise ConfigError(f"{key}: not a valid email address {value!r}: {exc}") from None
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
    timezone = r.text("timezone", "Europe/London")
    try:
        zone = ZoneInfo(timezone)
    except (ZoneInfoNotFoundError, ValueError):
        raise ConfigError(f"{r.key('timezone')}: unknown time zone {timezone!r}") from None
    cron = _cron(r.key("cron"), r.text("cron", "0 7 * * *"), zone)
    weekly = r.get("weekly_cron", str, None)
    if weekly is not None:
        weekly = _cron(r.key("weekly_cron"), weekly, zone) if weekly.strip() else None
    local = r.get("deliver_at_local", str, None) or None
    if local is not None and not re.fullmatch(r"([01]\d|2[0-3]):[0-5]\d", local.strip()):
        raise ConfigError(f"{r.key('deliver_at_local')}: must be a time HH:MM, got {local!r}")
    deadline = r.get("approval_deadline", str, None) or None
    on_deadline = r.text("on_deadline", "skip")
    if on_deadline not in ON_DEADLINE:
        raise ConfigError(f"{r.key('on_deadline')}: must be send or skip, got {on_deadline!r}")
    settings = ScheduleSettings(
        cron=cron,
        timezone=timezone,
        misfire_grace_seconds=r.positive_int("misfire_grace_seconds", 3600),
        require_approval=bool(r.get("require_approval", bool, False)),
        weekly_cron=weekly,
        deliver_at_local=local.strip() if local else None,
        approval_deadline=_duration(r.key("approval_deadline"), deadline) if deadline else None,
        on_deadline=on_deadline,
    )
    r.finish()
    return settings


def _cron(key: str, value: str, zone: ZoneInfo) -> str:
    """A crontab line, checked now so `digest run` refuses a bad one as `digest schedule` does."""
    cron = " ".join(value.split())
    if len(cron.split()) != 5:
        raise ConfigError(f"{key}: must have 5 fields (min hour day month weekday), got {value!r}")
    try:
        cron_trigger(cron, zone)
    except ValueError as exc:
        raise ConfigError(f"{key}: invalid cron {value!r}: {exc}") from None
    return cron


_WEEKDAYS = ("sun", "mon", "tue", "wed", "thu", "fri", "sat")


def cron_trigger(cron: str, zone: ZoneInfo) -> CronTrigger:
    """APScheduler's trigger for a crontab line, weekdays numbered as cron numbers them.

    APScheduler 3 counts weekdays from Monday = 0 (its issue 286), so `0 7 * * 1` would fire
    on Tuesdays; the weekday field is rewritten to names first (0 and 7 are Sunday).
    """
    from apscheduler.triggers.cron import CronTrigger

    minute, hour, day, month, weekday = cron.split()
    return CronTrigger(
        minute=minute,
        hour=hour,
        day=day,
        month=month,
        day_of_week=_weekday_names(weekday),
        timezone=zone,
    )


def _weekday_names(field: str) -> str:
    """`1-5` -> `mon,tue,wed,thu,fri`; `*/2` -> `sun,tue,thu,sat`; names pass through."""
    if field == "*" or field == "?":
        return "*"
    days: set[int] = set()
    for part in field.lower().split(","):
        span, _, step_text = part.partition("/")
        step = int(step_text) if step_text.isdigit() else 1
        if (step_text and not step_text.isdigit()) or step < 1:
            raise ValueError(f"bad weekday step in {field!r}")
        first, _, last = span.partition("-")
        if span == "*":
            low, high = 0, 6
        else:
            low = _weekday(first, field)
            high = _weekday(last, field) if last else (6 if step_text else low)
            if low == 7 and not last:
                low = high = 0
        if high < low:
            raise ValueError(f"weekday range {span!r} runs backwards in {field!r}")
        days.update(day % 7 for day in range(low, high + 1, step))
    return ",".join(_WEEKDAYS[day] for day in sorted(days))


def _weekday(text: str, field: str) -> int:
    if text.isdigit() and int(text) <= 7:
        return int(text)
    if text[:3] in _WEEKDAYS and len(text) == 3:
        return _WEEKDAYS.index(text[:3])
    raise ValueError(f"bad weekday {text!r} in {field!r} (0-7 or sun-sat)")


def _duration(key: str, value: str) -> timedelta:
    match = _DURATION.fullmatch(value.strip().replace(" ", ""))
    if not match or not any(match.groups()):
        raise ConfigError(f"{key}: must be a duration such as 2h, 90m or 1h30m, got {value!r}")
    days, hours, minutes, seconds = (int(part or 0) for part in match.groups())
    span = timedelta(days=days, hours=hours, minutes=minutes, seconds=seconds)
    if not span:
        raise ConfigError(f"{key}: must be longer than zero, got {value!r}")
    return span
