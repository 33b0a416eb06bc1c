"""`digest subscribers ...` as an operator runs it: the list in the state database."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from tests.cli.runner import digest
from tests.conftest import DATA


def test_list_by_status_with_reason_and_date(project: Path) -> None:
    assert digest("run", cwd=project).returncode == 0  # imports the bundled list first
    listed = digest("subscribers", "list", cwd=project)
    assert listed.returncode == 0
    assert (
        "ada@example.com" in listed.stdout
        and "3 active, 0 pending, 1 unsubscribed" in listed.stdout
    )
    inactive = digest("subscribers", "list", "--status", "unsubscribed", cwd=project)
    assert "former@example.org" in inactive.stdout and "ada@example.com" not in inactive.stdout
    assert "unsubscribed (suppressed)" in inactive.stdout
    assert digest("subscribers", "list", "--status", "paused", cwd=project).returncode == 2


@pytest.mark.parametrize(
    ("name", "message"),
    [
        ("unclosed-quote.csv", "unclosed-quote.csv:2: a quote opened on this line is never closed"),
        ("line-separator.csv", "line-separator.csv:2: the name holds a line break (U+2028"),
    ],
)
def test_the_two_csv_repros_fail_with_file_and_line(project: Path, name: str, message: str) -> None:
    shutil.copy(DATA / "subscribers" / name, project / "subscribers" / name)
    for command in (("subscribers", "validate"), ("run",)):
        result = digest(*command, cwd=project)
        assert result.returncode == 2, command
        assert message in result.stderr and "Traceback" not in result.stderr
    imported = digest("subscribers", "import", str(DATA / "subscribers" / name), cwd=project)
    assert imported.returncode == 2 and message in imported.stderr
    assert not (project / "outbox").exists()
    listed = digest("subscribers", "list", cwd=project)
    assert "x@y.com" not in listed.stdout and "c@d.com" not in listed.stdout


def test_import_export_round_trip_replace_and_duplicates(project: Path, tmp_path: Path) -> None:
    source = DATA / "subscribers" / "bom-unicode-duplicates.csv"
    imported = digest("subscribers", "import", str(source), "--as", "members.csv", cwd=project)
    assert imported.returncode == 0, imported.stderr
    assert (
        "imported 3 subscriber(s)" in imported.stdout
        and "1 duplicate row(s) merged" in imported.stdout
    )
    assert "bom-unicode-duplicates.csv:4: Ada@example.com merged with" in imported.stderr
    export = tmp_path / "export.csv"
    assert digest("subscribers", "export", str(export), cwd=project).returncode == 0
    assert "zoe@example.com,Zoë 李,World;Science,weekly,Asia/Tokyo,active" in export.read_text()
    again = digest("subscribers", "import", str(export), "--as", "members.csv", cwd=project)
    assert "0 added; 0 updated; 3 unchanged" in again.stdout
    smaller = tmp_path / "members.csv"
    smaller.write_text("email,name\nzoe@example.com,Zoë\n", encoding="utf-8")
    replaced = digest("subscribers", "import", str(smaller), "--replace", cwd=project)
    assert "1 not in the file: unsubscribed" in replaced.stdout
    show = digest("subscribers", "show", "ADA@example.com", cwd=project)
    assert "status: unsubscribed" in show.stdout and "not in members.csv" in show.stdout


def test_remove_forgets_and_imports_skip_the_address(project: Path) -> None:
    assert digest("run", cwd=project).returncode == 0
    removed = digest("subscribers", "remove", "grace@example.com", cwd=project)
    assert removed.returncode == 0 and "a hash is kept" in removed.stdout
    assert digest("subscribers", "show", "grace@example.com", cwd=project).returncode == 2
    listed = digest(
        "subscribers", "import", str(project / "subscribers" / "subscribers.csv"), cwd=project
    )
    assert "1 forgotten address(es) not re-added" in listed.stdout
    assert "grace@example.com" not in digest("subscribers", "list", cwd=project).stdout
    assert digest("subscribers", "remove", "grace@example.com", cwd=project).returncode == 2


def test_show_prints_the_history_of_changes(project: Path) -> None:
    assert (
        digest(
            "subscribers",
            "add",
            "new@example.net",
            "--name",
            "New",
            "--frequency",
            "weekly",
            cwd=project,
        ).returncode
        == 0
    )
    assert digest("subscribers", "unsubscribe", "new@example.net", cwd=project).returncode == 0
    refused = digest("subscribers", "add", "new@example.net", cwd=project)
    assert refused.returncode == 2 and "only their own confirmed sign-up" in refused.stderr
    show = digest("subscribers", "show", "new@example.net", cwd=project)
    assert show.returncode == 0
    assert "operator" in show.stdout and "subscribed" in show.stdout
    assert "active -> unsubscribed (operator)" in show.stdout
    assert "frequency: weekly" in show.stdout


def test_runs_import_idempotently_and_keep_signups(project: Path) -> None:
    from digest.config import load_config
    from digest.state import open_state
    from digest.subscribers import add_subscriber
    from tests.subscribers.conftest import NOW

    cfg = load_config(project / "config.toml", {})
    state = open_state(cfg.state_database)
    add_subscriber(state, "web@example.net", origin="web", now=NOW)
    state.close()
    first = digest("run", cwd=project)
    assert first.returncode == 0 and "sent to 4 recipient(s)" in first.stdout
    with (project / "subscribers" / "subscribers.csv").open("a") as out:
        out.write("later@example.org,Later,,active\n")
    assert digest("run", cwd=project).returncode == 0
    listed = digest("subscribers", "list", cwd=project).stdout
    assert "web@example.net" in listed and "later@example.org" in listed
    assert "5 active" in listed
