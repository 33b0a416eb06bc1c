"""`--help` listings show each command's whole one-line summary, never one cut with "..."."""

from __future__ import annotations

from pathlib import Path

import click
import pytest

from digest.cli import cli
from tests.cli.runner import digest

# Click's listing cuts a docstring-derived summary at about 45 characters; ours are shorter.
LONGEST_SUMMARY = 45


def groups(group: click.Group, path: tuple[str, ...] = ()) -> list[tuple[str, ...]]:
    """The path of every group in the command tree, the root first."""
    found = [path]
    for name, command in group.commands.items():
        if isinstance(command, click.Group):
            found.extend(groups(command, (*path, name)))
    return found


def group_at(path: tuple[str, ...]) -> click.Group:
    group = cli
    for name in path:
        command = group.commands[name]
        assert isinstance(command, click.Group)
        group = command
    return group


def listing(help_text: str) -> dict[str, str]:
    """Command name to its summary in the "Commands:" section; wrapped lines stay attached."""
    entries: dict[str, str] = {}
    last = ""
    for line in help_text.split("Commands:\n", 1)[1].splitlines():
        if not line.strip():
            break
        if line.startswith("   "):
            entries[last] += "\n" + line.strip()
            continue
        last, _, summary = line.strip().partition(" ")
        entries[last] = summary.strip()
    return entries


@pytest.mark.parametrize("path", groups(cli), ids=lambda path: " ".join(("digest", *path)))
def test_listing_shows_each_whole_short_help(path: tuple[str, ...], tmp_path: Path) -> None:
    result = digest(*path, "--help", cwd=tmp_path, env={"COLUMNS": "80"})
    assert result.returncode == 0, result.stderr
    shown = listing(result.stdout)
    commands = group_at(path).commands
    assert set(shown) == set(commands)
    for name, command in commands.items():
        assert command.short_help, name
        assert len(command.short_help) <= LONGEST_SUMMARY, name
        assert not shown[name].endswith("..."), name
        assert shown[name] == command.short_help, name
