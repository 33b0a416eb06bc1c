"""The `digest` command: documented commands, exit codes, errors that name the key or line."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import click
import pytest

from digest.cli import cli

COMMANDS = [
    "run",
    "gather",
    "build",
    "send",
    "summarize",
    "extract",
    "subscribers",
    "schedule",
    "serve",
    "status",
    "check",
]


def commands(group: click.Group, prefix: str = "") -> list[tuple[str, click.Command]]:
    found = []
    for name, command in group.commands.items():
        found.append((f"{prefix}{name}", command))
        if isinstance(command, click.Group):
            found.extend(commands(command, f"{prefix}{name} "))
    return found


def test_contract_commands_exist() -> None:
    assert set(COMMANDS) <= set(cli.commands)


@pytest.mark.parametrize(("name", "command"), commands(cli))
def test_every_command_has_help_with_an_example(name: str, command: click.Command) -> None:
    assert command.help and "Example" in command.help, name


def test_every_command_is_in_the_readme(repo_root: Path) -> None:
    readme = (repo_root / "README.md").read_text()
    for name in COMMANDS:
        assert f"`digest {name}" in readme, name


def digest(
    *args: str, cwd: Path, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    environ = {k: v for k, v in os.environ.items() if not k.startswith("DIGEST_")}
    environ.update(env or {})
    return subprocess.run(
        [sys.executable, "-m", "digest.cli", *args],
        cwd=cwd,
        env=environ,
        capture_output=True,
        text=True,
        timeout=120,
    )


@pytest.fixture
def project(tmp_path: Path, repo_root: Path) -> Path:
    """A copy of the embedded default: config, bundled sources, subscribers."""
    for name in ("config.toml",):
        shutil.copy(repo_root / name, tmp_path / name)
    for name in ("examples", "subscribers"):
        shutil.copytree(repo_root / name, tmp_path / name)
    return tmp_path


def test_missing_config_exits_2_naming_the_file(tmp_path: Path) -> None:
    result = digest("status", cwd=tmp_path)
    assert result.returncode == 2
    assert "config.toml: config file not found" in result.stderr


def test_bad_key_exits_2_naming_the_key(project: Path) -> None:
    result = digest("status", cwd=project, env={"DIGEST_DELIVERY__PROVIDER": "pigeon"})
    assert result.returncode == 2
    assert "delivery.provider: must be one of" in result.stderr


def test_config_flag_and_env_pick_the_file(project: Path, tmp_path: Path) -> None:
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    assert digest("--config", str(project / "config.toml"), "status", cwd=elsewhere).returncode == 0
    env = {"DIGEST_CONFIG": str(project / "config.toml")}
    assert digest("status", cwd=elsewhere, env=env).returncode == 0


def test_bad_subscriber_row_exits_2_naming_file_and_line(project: Path) -> None:
    with (project / "subscribers" / "subscribers.csv").open("a") as out:
        out.write("broken-address,Broken,,active\n")
    result = digest("run", cwd=project)
    assert result.returncode == 2
    assert "subscribers.csv:6: invalid email address 'broken-address'" in result.stderr
    assert not (project / "outbox").exists()


def test_usage_error_exits_2(project: Path) -> None:
    assert digest("summarize", cwd=project).returncode == 2
    assert digest("no-such-command", cwd=project).returncode == 2


def test_subscribers_add_list_unsubscribe(project: Path) -> None:
    added = digest("subscribers", "add", "new@example.net", "--name", "New", cwd=project)
    assert added.returncode == 0, added.stderr
    again = digest("subscribers", "add", "NEW@example.net", cwd=project)
    assert again.returncode == 2 and "already subscribed" in again.stderr
    bad = digest("subscribers", "add", "nope", cwd=project)
    assert bad.returncode == 2 and "EMAIL: invalid email address" in bad.stderr
    assert digest("subscribers", "unsubscribe", "new@example.net", cwd=project).returncode == 0
    listed = digest("subscribers", "list", cwd=project)
    assert "new@example.net" in listed.stdout and "suppressed" in listed.stdout
    assert digest("subscribers", "validate", cwd=project).returncode == 0
