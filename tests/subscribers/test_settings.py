"""subscribers.settings: the [subscribers] table, errors naming the key."""

from __future__ import annotations

from pathlib import Path

import pytest

from digest.errors import ConfigError
from digest.subscribers import SubscriberSettings, subscriber_settings_from_table
from tests.cli.runner import digest


def test_defaults_and_values() -> None:
    assert subscriber_settings_from_table({"dir": "subscribers"}) == SubscriberSettings()
    assert subscriber_settings_from_table({"confirm_hours": 2}).confirm_hours == 2


@pytest.mark.parametrize(
    ("table", "message"),
    [
        ({"confirm_hour": 2}, "subscribers.confirm_hour: unknown key"),
        ({"confirm_hours": 0}, "subscribers.confirm_hours: must be a positive whole number"),
        ({"signups_per_ip_per_hour": "9"}, "subscribers.signups_per_ip_per_hour: must be"),
        ({"confirm_hours": True}, "subscribers.confirm_hours: must be"),
    ],
)
def test_bad_values_name_the_key(table: dict[str, object], message: str) -> None:
    with pytest.raises(ConfigError, match=message):
        subscriber_settings_from_table(table)


def test_a_bad_key_stops_a_run_naming_it(project: Path) -> None:
    config = project / "config.toml"
    config.write_text(config.read_text().replace("confirm_hours = 48", "confirm_hours = -1"))
    result = digest("run", cwd=project)
    assert result.returncode == 2 and "subscribers.confirm_hours" in result.stderr
