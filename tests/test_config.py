"""config.load_config: the contract keys, env overrides, and errors that name the key."""

from __future__ import annotations

from datetime import time, timedelta
from pathlib import Path

import pytest

from digest.config import apply_env_overrides, config_path, load_config
from digest.errors import ConfigError

MINIMAL = """
[newsletter]
title = "T"
from = "T <t@example.com>"
address = "1 Street, Town"
base_url = "https://example.com"

[[sources]]
name = "a"
url = "feed.xml"
kind = "feed"
"""


def write(tmp_path: Path, text: str) -> Path:
    (tmp_path / "feed.xml").write_text("<rss/>")
    path = tmp_path / "config.toml"
    path.write_text(text)
    return path


def error_for(tmp_path: Path, text: str, environ: dict[str, str] | None = None) -> str:
    with pytest.raises(ConfigError) as info:
        load_config(write(tmp_path, text), environ or {})
    return str(info.value)


def test_bundled_config_loads(repo_root: Path) -> None:
    cfg = load_config(repo_root / "config.toml", {})
    assert cfg.provider == "outbox"
    assert [s.kind for s in cfg.sources].count("page") == 1
    assert cfg.subscribers_dir == repo_root / "subscribers"
    assert cfg.state_database == str(repo_root / "var/digest.db")
    assert cfg.schedule.cron == "0 7 * * *"
    assert cfg.table("delivery", "outbox")["dir"] == "outbox"


def test_defaults_and_relative_paths(tmp_path: Path) -> None:
    cfg = load_config(write(tmp_path, MINIMAL), {})
    assert cfg.newsletter.max_stories == 10
    assert cfg.newsletter.lookback_hours == 48
    assert cfg.sources[0].section is None
    assert cfg.base_dir == tmp_path.resolve()


def test_env_overrides_nested_keys_with_types(tmp_path: Path) -> None:
    environ = {
        "DIGEST_DELIVERY__PROVIDER": "smtp",
        "DIGEST_DELIVERY__SMTP__PORT": "2525",
        "DIGEST_NEWSLETTER__MAX_STORIES": "3",
        "DIGEST_SMTP_PASSWORD": "not an override",
    }
    cfg = load_config(write(tmp_path, MINIMAL), environ)
    assert cfg.provider == "smtp"
    assert cfg.table("delivery", "smtp")["port"] == 2525
    assert cfg.newsletter.max_stories == 3


def test_env_override_keeps_strings_that_are_not_toml() -> None:
    raw: dict[str, object] = {}
    apply_env_overrides(raw, {"DIGEST_NEWSLETTER__TITLE": "Hello world"})
    assert raw == {"newsletter": {"title": "Hello world"}}


def test_config_path_precedence() -> None:
    assert config_path("a.toml", {"DIGEST_CONFIG": "b.toml"}) == Path("a.toml")
    assert config_path(None, {"DIGEST_CONFIG": "b.toml"}) == Path("b.toml")
    assert config_path(None, {}) == Path("config.toml")


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (('kind = "feed"', 'kind = "rss"'), "sources[0].kind: must be feed or page, got 'rss'"),
        (('title = "T"', "title = 5"), "newsletter.title: must be str, got int 5"),
        (('title = "T"', 'title = "T"\ncolour = "red"'), "newsletter.colour: unknown key"),
        (('url = "feed.xml"', 'url = "missing.xml"'), "sources[0].url: file not found"),
        (('url = "feed.xml"', 'url = "ftp://x/y"'), "sources[0].url: must be an http(s) URL"),
        (('base_url = "https://example.com"', 'base_url = "example"'), "newsletter.base_url"),
        (('from = "T <t@example.com>"', 'from = "nobody"'), "newsletter.from: not a valid email"),
        (('title = "T"\n', ""), "newsletter.title: required key is missing"),
    ],
)
def test_bad_values_name_the_key(tmp_path: Path, change: tuple[str, str], message: str) -> None:
    assert message in error_for(tmp_path, MINIMAL.replace(*change))


def test_bad_tables_name_the_key(tmp_path: Path) -> None:
    assert "delivery.provider: must be one of" in error_for(
        tmp_path, MINIMAL + '\n[delivery]\nprovider = "pigeon"\n'
    )
    assert "schedule.timezone: unknown time zone" in error_for(
        tmp_path, MINIMAL + '\n[schedule]\ntimezone = "Mars/Olympus"\n'
    )
    assert "schedule.cron: must have 5 fields" in error_for(
        tmp_path, MINIMAL + '\n[schedule]\ncron = "daily"\n'
    )
    assert "bogus: unknown key" in error_for(tmp_path, MINIMAL + "\n[bogus]\nx = 1\n")
    assert "sources[1].name: duplicate" in error_for(tmp_path, MINIMAL + MINIMAL.split("\n\n")[-1])


def test_missing_and_malformed_files(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="config file not found"):
        load_config(tmp_path / "nope.toml", {})
    assert "invalid TOML" in error_for(tmp_path, "[newsletter\n")


def test_env_override_with_bad_value_is_named(tmp_path: Path) -> None:
    message = error_for(tmp_path, MINIMAL, {"DIGEST_NEWSLETTER__MAX_STORIES": "many"})
    assert message == "newsletter.max_stories: must be int, got str 'many'"


@pytest.mark.parametrize(
    ("schedule", "message"),
    [
        ('cron = "99 7 * * *"', "schedule.cron: invalid cron '99 7 * * *'"),
        ('weekly_cron = "0 7 * * funday"', "schedule.weekly_cron: invalid cron"),
        ('cron = "0 7 * * 8"', "schedule.cron: invalid cron '0 7 * * 8': bad weekday '8'"),
        ('deliver_at_local = "7am"', "schedule.deliver_at_local: must be a time HH:MM"),
        ('approval_deadline = "soon"', "schedule.approval_deadline: must be a duration"),
        ('on_deadline = "maybe"', "schedule.on_deadline: must be send or skip"),
    ],
)
def test_schedule_values_are_checked_at_load(tmp_path: Path, schedule: str, message: str) -> None:
    assert message in error_for(tmp_path, MINIMAL + f"\n[schedule]\n{schedule}\n")


def test_schedule_keys_and_their_defaults(tmp_path: Path) -> None:
    default = load_config(write(tmp_path, MINIMAL), {}).schedule
    assert default.crons == {"daily": "0 7 * * *"}
    assert (default.deliver_at_local, default.approval_deadline, default.on_deadline) == (
        None,
        None,
        "skip",
    )
    text = MINIMAL + (
        '\n[schedule]\nweekly_cron = "0 7 * * mon"\ndeliver_at_local = "06:30"\n'
        'approval_deadline = "1h30m"\non_deadline = "send"\n'
    )
    schedule = load_config(write(tmp_path, text), {}).schedule
    assert schedule.crons == {"daily": "0 7 * * *", "weekly": "0 7 * * mon"}
    assert schedule.local_time == time(6, 30)
    assert schedule.approval_deadline == timedelta(hours=1, minutes=30)
    assert schedule.on_deadline == "send"


@pytest.mark.parametrize(
    "sender",
    [
        "Desk: x@other.org <digest@example.com>",  # a group, read as x@other.org
        "a@example.com, b@example.com",
        "Name <a@example.com> <b@example.com>",
    ],
)
def test_an_ambiguous_sender_is_refused(tmp_path: Path, sender: str) -> None:
    text = MINIMAL.replace('from = "T <t@example.com>"', f"from = '{sender}'")
    assert "newsletter.from: not a valid email address" in error_for(tmp_path, text)


def test_a_quoted_name_with_specials_is_one_sender_read_one_way(tmp_path: Path) -> None:
    from digest.models import parse_mailbox

    value = '"Desk: x@other.org" <digest@example.com>'
    cfg = load_config(write(tmp_path, MINIMAL.replace('"T <t@example.com>"', f"'{value}'")), {})
    assert parse_mailbox(cfg.newsletter.sender) == ("Desk: x@other.org", "digest@example.com")
