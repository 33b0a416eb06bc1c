"""What an operator meets outside the repository: hints, dry runs, status at 80 columns,
`digest init --owner`, and an optional dependency that is not installed."""

from __future__ import annotations

import hashlib
import os
import pwd
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path

import pytest

from tests.cli.runner import digest

NOW = datetime(2026, 3, 2, 8, 0, tzinfo=UTC)


def snapshot(folder: Path) -> dict[str, str]:
    """Every file below `folder` with a hash of its bytes."""
    return {
        str(path.relative_to(folder)): hashlib.sha256(path.read_bytes()).hexdigest()
        for path in sorted(folder.rglob("*"))
        if path.is_file()
    }


def test_missing_config_hint_fits_an_installed_digest(tmp_path: Path) -> None:
    result = digest("status", cwd=tmp_path)
    assert result.returncode == 2
    assert "make" not in result.stderr
    assert "digest init" in result.stderr


def test_a_mistyped_provider_key_lists_provider_among_the_keys(project: Path) -> None:
    config = project / "config.toml"
    config.write_text(config.read_text().replace('\nprovider = "outbox"', '\nprovidr = "outbox"'))
    result = digest("run", "--dry-run", cwd=project)
    assert result.returncode == 2
    assert "delivery.providr: unknown key" in result.stderr
    accepted = result.stderr.split("delivery accepts:")[1]
    assert "provider" in accepted and "rate_per_second" in accepted


def test_dry_run_says_what_it_would_do_and_writes_nothing(project: Path) -> None:
    before = snapshot(project)
    result = digest("run", "--dry-run", cwd=project, now=NOW)
    assert result.returncode == 0, result.stderr
    assert "would send to 3 recipient(s)" in result.stdout
    assert "dry run, would send to 3" in result.stderr
    assert "sent=" not in result.stderr and "skipped=" not in result.stderr
    assert snapshot(project) == before  # no database, no outbox, no lock file


def test_dry_run_leaves_an_existing_state_database_as_it_was(project: Path) -> None:
    assert digest("run", cwd=project, now=NOW).returncode == 0
    (project / "examples" / "sources" / "world.xml").touch()  # a later gather would store anew
    before = snapshot(project)
    later = datetime(2026, 3, 3, 8, 0, tzinfo=UTC)
    result = digest("run", "--dry-run", cwd=project, now=later)
    assert result.returncode == 0, result.stderr
    assert snapshot(project) == before
    shown = digest("status", cwd=project, now=later)
    assert shown.stdout.count("2026-03-02") == 1 and "2026-03-03" not in shown.stdout


def test_status_fits_80_columns(project: Path) -> None:
    assert digest("run", cwd=project, now=NOW).returncode == 0
    result = digest("status", cwd=project, env={"COLUMNS": "80"}, now=NOW)
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert max(len(line.rstrip()) for line in lines) <= 80, result.stdout
    assert "…" not in result.stdout
    header = next(line for line in lines if line.startswith("edition") and "sent" in line)
    for column in ("created", "stories", "status", "failed", "pending", "bounced", "complaints"):
        assert column in header.split(), header
    row = next(line for line in lines if line.startswith("2026-03-02"))
    assert row.split()[:5] == ["2026-03-02", "03-02", "08:00", "9", "done"], row


def test_a_postgresql_url_without_the_extra_is_one_line_naming_it(project: Path) -> None:
    """psycopg made unimportable, as in an install without the `postgres` extra."""
    hide = "import sys; sys.modules['psycopg'] = None; from digest.cli import main; main()"
    environ = {k: v for k, v in os.environ.items() if not k.startswith("DIGEST_")}
    environ["DIGEST_STATE__DATABASE"] = "postgresql://digest@127.0.0.1:1/digest"
    result = subprocess.run(
        [sys.executable, "-c", hide, "prepare"],
        cwd=project,
        env=environ,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 2, result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert "pip install 'digest-newsletter[postgres]'" in lines[0]
    assert "Traceback" not in result.stderr


def test_init_leaves_a_folder_others_can_read(tmp_path: Path) -> None:
    result = digest("init", "news", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    news = tmp_path / "news"
    assert news.stat().st_mode & 0o777 == 0o755  # the test process's umask is 022
    assert (news / "config.toml").stat().st_mode & 0o777 == 0o644
    assert (news / "deploy" / "digest.service").is_file()


def test_init_owner_must_name_an_account(tmp_path: Path) -> None:
    result = digest("init", "--owner", "no-such-account-here", "news", cwd=tmp_path)
    assert result.returncode == 2
    assert "there is no user named 'no-such-account-here'" in result.stderr
    assert not (tmp_path / "news").exists()
    assert list(tmp_path.iterdir()) == []  # nor a staging folder


@pytest.mark.skipif(os.geteuid() != 0, reason="giving files to another account needs root")
def test_init_owner_gives_the_folder_to_the_service_account(tmp_path: Path) -> None:
    nobody = pwd.getpwnam("nobody")
    result = digest("init", "--owner", "nobody", "news", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    news = tmp_path / "news"
    for path in (news, *news.rglob("*")):
        info = path.stat()
        assert (info.st_uid, info.st_gid) == (nobody.pw_uid, nobody.pw_gid), path
        assert info.st_mode & 0o777 == (0o750 if path.is_dir() else 0o640), path


@pytest.mark.skipif(os.geteuid() == 0, reason="root may give files to anyone")
def test_init_owner_as_another_user_needs_root(tmp_path: Path) -> None:
    result = digest("init", "--owner", "root", "news", cwd=tmp_path)
    assert result.returncode == 2
    assert "only root may give files to another user" in result.stderr
    assert not (tmp_path / "news").exists()
