"""The `digest` command: documented commands, exit codes, errors that name the key or line."""

from __future__ import annotations

import email
import email.policy
import json
import os
import shutil
import subprocess
import sys
from datetime import UTC, datetime
from email.message import EmailMessage
from pathlib import Path

import click
import pytest

from digest.cli import cli
from tests.cli.runner import digest
from tests.conftest import require

COMMANDS = [
    "edit",
    "init",
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
    "bounces",
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
    export = project / "export.csv"
    export.write_text("email,name\nnew@example.net,New\nzed@example.net,Zed\n")
    imported = digest("subscribers", "import", str(export), "--as", "more.csv", cwd=project)
    assert imported.returncode == 0, imported.stderr
    assert (
        "imported 2 subscriber(s)" in imported.stdout and "1 stay unsubscribed" in imported.stdout
    )


HEADLINE = "Rosenberg: Trump-Putin Call Viewed as a Win in Russia"


def test_run_then_status_then_nothing_new(project: Path) -> None:
    first = digest("run", cwd=project)
    assert first.returncode == 0, first.stderr
    assert "sent to 3 recipient(s)" in first.stdout
    assert "outbox/2026-" in first.stdout
    status = digest("status", cwd=project)
    assert status.returncode == 0 and "done" in status.stdout
    assert "Tech Brief" in status.stdout and "never gathered" not in status.stdout
    again = digest("run", cwd=project)
    assert again.returncode == 0 and "nothing new to send" in again.stdout
    assert digest("send", cwd=project).stdout.strip() == "no edition is waiting to be sent"


def test_build_writes_preview_files_and_sends_nothing(project: Path) -> None:
    result = digest(
        "build", "--out", "preview", "--intro", "Editors & <friends> say hi", cwd=project
    )
    assert result.returncode == 0, result.stderr
    assert (
        "Editors &amp; &lt;friends&gt; say hi" in (project / "preview" / "digest.html").read_text()
    )
    assert "Editors & <friends> say hi" in (project / "preview" / "digest.txt").read_text()
    for name in ("digest.html", "digest.txt"):
        assert HEADLINE in (project / "preview" / name).read_text()
    sample = email.message_from_bytes(
        (project / "preview" / "sample.eml").read_bytes(), policy=email.policy.default
    )
    assert isinstance(sample, EmailMessage)
    assert HEADLINE in sample.get_body(("plain",)).get_content()
    assert not (project / "outbox").exists()


def test_check_passes_on_the_bundled_sample(project: Path) -> None:
    result = digest("check", cwd=project)
    assert result.returncode == 0, result.stdout + result.stderr
    for name in ("html-size", "headers", "footer", "text-part", "spamassassin"):
        assert name in result.stdout


def test_gather_prints_a_table_of_sources(project: Path) -> None:
    result = digest("gather", cwd=project)
    assert result.returncode == 0, result.stderr
    for name in ("World News", "Tech Brief", "Science Weekly"):
        assert name in result.stdout
    assert result.stdout.count("error") == 1  # the column heading; no source failed


def test_summarize_files_and_jsonl(project: Path, repo_root: Path) -> None:
    sample = repo_root / "tests" / "data" / "article-world-putin-call.txt"
    result = digest("summarize", str(sample), cwd=project)
    assert result.returncode == 0, result.stderr
    record = json.loads(result.stdout)
    assert set(record) == {"headline", "section", "key_points"}
    assert record["headline"] == HEADLINE and record["section"] == "World"
    assert 3 <= len(record["key_points"]) <= 5
    lines = project / "in.jsonl"
    lines.write_text(json.dumps({"id": "a", "text": sample.read_text()}) + "\n{broken\n")
    streamed = digest("summarize", "--jsonl", str(lines), cwd=project)
    first = json.loads(streamed.stdout.splitlines()[0])
    assert set(first) == {"id", "headline", "section", "key_points"}
    assert first["id"] == "a" and first["headline"] == HEADLINE
    assert streamed.returncode == 2 and "in.jsonl:2" in streamed.stderr


def test_extract_prints_the_clean_article(project: Path) -> None:
    page = project / "examples" / "sources" / "world-putin-call.html"
    result = digest("extract", str(page), cwd=project)
    assert result.returncode == 0, result.stderr
    record = json.loads(result.stdout)
    assert record["title"] == HEADLINE and record["section"] == "World"
    assert "Leave A Comment" not in record["text"] and "Live Tv" not in record["text"]
    missing = digest("extract", "nope.html", cwd=project)
    assert missing.returncode == 2 and "nope.html: file not found" in missing.stderr


def test_gather_on_a_folder_of_hostile_feeds(project: Path, repo_root: Path) -> None:
    attacks = repo_root / "tests" / "data" / "gather" / "feeds" / "attacks"
    shutil.copytree(attacks, project / "attacks")
    config = (project / "config.toml").read_text()
    head = config.split("\n[[sources]]\n", 1)[0] + "\n"
    tail = "[subscribers]" + config.split("[subscribers]", 1)[1]
    sources = "".join(
        f'[[sources]]\nname = "{feed.name}"\nurl = "attacks/{feed.name}"\nkind = "feed"\n\n'
        for feed in sorted(attacks.iterdir())
    )
    (project / "config.toml").write_text(head + sources + tail)
    result = digest("gather", cwd=project)
    assert result.returncode in (0, 1), result.stderr
    for feed in attacks.iterdir():
        assert feed.name[:20] in result.stdout
    assert "root:" not in result.stdout  # xxe_file must not read /etc/passwd
    assert "Traceback" not in result.stderr


EDITION_DAY = datetime(2026, 11, 27, 7, 0, tzinfo=UTC)


def test_edit_pin_drop_intro_and_test_send(project: Path) -> None:
    # Editions are named after the day they are made: the clock is set, never today's date.
    assert digest("gather", cwd=project, now=EDITION_DAY).returncode == 0
    shown = digest("edit", "show", cwd=project, now=EDITION_DAY)
    assert "https://tech.example.net/2026/smart-lock-flaw" in shown.stdout
    unknown = digest("edit", "pin", "https://nowhere.example/x", cwd=project, now=EDITION_DAY)
    assert unknown.returncode == 2 and "not an article waiting" in unknown.stderr
    drop = digest(
        "edit",
        "drop",
        "https://tech.example.net/2026/smart-lock-flaw",
        cwd=project,
        now=EDITION_DAY,
    )
    assert drop.returncode == 0
    assert digest("edit", "intro", "Hello & welcome", cwd=project, now=EDITION_DAY).returncode == 0
    test = digest("edit", "test", "editor@example.com", cwd=project, now=EDITION_DAY)
    assert test.returncode == 0, test.stderr
    (sample,) = (project / "outbox").glob("2026-11-27-test--editor@example.com-*.eml")
    message = email.message_from_bytes(sample.read_bytes(), policy=email.policy.default)
    assert isinstance(message, EmailMessage)
    text = message.get_body(("plain",)).get_content()
    assert "Hello & welcome" in text and "smart-lock" not in text
    run = digest("run", cwd=project, now=EDITION_DAY)
    assert "sent to 3 recipient(s)" in run.stdout
    assert not any((project / "outbox").glob("2026-11-27--editor*"))
    assert len(list((project / "outbox").glob("2026-11-27--*.eml"))) == 3
    assert "intro: (none)" in digest("edit", "show", cwd=project, now=EDITION_DAY).stdout


def test_edit_approve_lets_a_gated_run_send(project: Path) -> None:
    env = {"DIGEST_SCHEDULE__REQUIRE_APPROVAL": "true"}
    assert digest("gather", cwd=project, env=env).returncode == 0
    gated = digest("run", cwd=project, env=env)
    assert gated.returncode == 0 and "waits for an editor's approval" in gated.stdout
    approved = digest("edit", "approve", cwd=project, env=env)
    assert approved.returncode == 0 and "approved: " in approved.stdout
    assert "sent to 3 recipient(s)" in digest("run", cwd=project, env=env).stdout


def test_run_refuses_an_invalid_cron_as_schedule_does(project: Path) -> None:
    env = {"DIGEST_SCHEDULE__CRON": "99 7 * * *"}
    for command in ("run", "schedule"):
        result = digest(command, cwd=project, env=env)
        assert result.returncode == 2, command
        assert "schedule.cron: invalid cron '99 7 * * *'" in result.stderr
    assert not (project / "outbox").exists()


def test_run_exits_1_when_every_source_failed(project: Path) -> None:
    for feed in (project / "examples" / "sources").iterdir():
        feed.write_bytes(b"\x00\xff not a feed <<<")
    result = digest("run", cwd=project)
    assert result.returncode == 1, result.stdout + result.stderr
    assert "every source failed (4)" in result.stderr
    assert "Traceback" not in result.stderr


def test_dry_run_checks_the_provider_options(project: Path) -> None:
    env = {"DIGEST_DELIVERY__PROVIDER": "smtp", "DIGEST_DELIVERY__SMTP__PORT": "abc"}
    result = digest("run", "--dry-run", cwd=project, env=env)
    assert result.returncode == 2
    assert "delivery.smtp.port: must be int, got 'abc'" in result.stderr


def test_json_logs_are_one_object_per_line_with_the_report(project: Path) -> None:
    result = digest("--log-format", "json", "run", cwd=project)
    assert result.returncode == 0, result.stderr
    records = [json.loads(line) for line in result.stderr.splitlines()]
    assert records and all(
        {"time", "level", "event", "edition", "counts"} <= set(r) for r in records
    )
    (report,) = [r for r in records if r["event"] == "run.report"]
    assert report["level"] == "info" and report["edition"] == report["edition"].strip()
    assert report["counts"]["sent"] == 3 and report["counts"]["sources"] == 4
    human = digest("run", cwd=project)
    assert " info run.report nothing new to send" in human.stderr


def test_json_logs_carry_the_fatal_error_too(project: Path) -> None:
    """Under --log-format json every line on stderr is JSON, the error that ends it included."""
    (project / "blocker").write_text("a file where a folder is expected\n")
    env = {"DIGEST_STATE__DATABASE": "blocker/digest.db"}
    result = digest("--log-format", "json", "schedule", cwd=project, env=env)
    assert result.returncode == 2
    records = [json.loads(line) for line in result.stderr.splitlines()]
    assert [(r["level"], r["event"]) for r in records][-1] == ("error", "run.error")
    assert records[-1]["message"].startswith("state.database: ")
    assert "(hint: " in records[-1]["message"]
    human = digest("schedule", cwd=project, env=env)
    assert human.stderr.startswith("error: state.database: ")


def test_schedule_refuses_to_start_naming_the_key(project: Path) -> None:
    (project / "blocker").write_text("a file where a folder is expected\n")
    cases = {
        "state.database:": {"DIGEST_STATE__DATABASE": "blocker/digest.db"},
        "delivery.outbox.dir: ": {"DIGEST_DELIVERY__OUTBOX__DIR": "blocker/outbox"},
    }
    for key, env in cases.items():
        result = digest("schedule", cwd=project, env=env)
        assert result.returncode == 2, (key, result.stderr)
        assert result.stderr.startswith(f"error: {key}"), result.stderr
        assert "Traceback" not in result.stderr
    config = project / "config.toml"
    head, _, tail = config.read_text().partition("\n[[sources]]\n")
    config.write_text(head + "\n[summarize]" + tail.split("\n[summarize]", 1)[1])
    result = digest("schedule", cwd=project)
    assert result.returncode == 2 and "error: sources: no sources configured" in result.stderr


def test_an_os_error_is_one_line_naming_the_path(project: Path) -> None:
    (project / "blocker").write_text("a file where a folder is expected\n")
    result = digest("build", "--out", "blocker/preview", cwd=project)
    assert result.returncode == 1
    assert result.stderr.splitlines()[0].startswith("error: ")
    assert "blocker" in result.stderr and "Traceback" not in result.stderr
    state = digest("run", cwd=project, env={"DIGEST_STATE__DATABASE": "blocker/digest.db"})
    assert state.returncode == 1 and "Traceback" not in state.stderr
    assert "blocker/digest.db: cannot make the state database's folder" in state.stderr
    assert not (project / "outbox").exists()


def read_only(path: Path) -> list[str]:
    """A command prefix: what follows runs with `path` bind-mounted read-only in a private
    mount namespace. Tests run as root, whom chmod does not stop; a read-only mount does."""
    script = 'mount --bind -o ro "$0" "$0" && exec "$@"'
    return ["unshare", "--map-root-user", "--mount", "sh", "-c", script, str(path)]


def read_only_available(tmp_path: Path) -> bool:
    probe = tmp_path / "probe"
    probe.mkdir()
    try:
        result = subprocess.run(
            [*read_only(probe), "sh", "-c", f"! touch {probe}/x"], capture_output=True, timeout=30
        )
    except OSError:
        return False
    return result.returncode == 0


def under_read_only(path: Path, project: Path, *args: str) -> subprocess.CompletedProcess[str]:
    environ = {k: v for k, v in os.environ.items() if not k.startswith("DIGEST_")}
    command = [*read_only(path), sys.executable, "-m", "digest.cli", *args]
    return subprocess.run(
        command, cwd=project, env=environ, capture_output=True, text=True, timeout=120
    )


def test_a_read_only_state_database_or_outbox_is_one_clear_line(
    project: Path, tmp_path: Path
) -> None:
    require(read_only_available(tmp_path), "a read-only bind mount (unshare --mount)")
    assert digest("run", cwd=project).returncode == 0  # state and outbox now exist
    before = sorted(p.name for p in (project / "outbox").iterdir())
    (project / "examples" / "sources" / "world.xml").write_text(
        (project / "examples" / "sources" / "world.xml")
        .read_text()
        .replace(
            "<item>", "<item><title>New</title><link>https://n.example/1</link></item><item>", 1
        )
    )
    run = under_read_only(project / "var", project, "run")
    assert run.returncode == 1, run.stdout + run.stderr
    line, *hint = run.stderr.splitlines()  # the error, and at most its hint
    assert line.startswith(f"error: {project / 'var' / 'digest.db'}: cannot open the state")
    assert len(hint) <= 1 and "Traceback" not in run.stderr
    schedule = under_read_only(project / "var", project, "schedule")
    assert schedule.returncode == 2 and schedule.stderr.startswith("error: state.database: ")
    outbox = under_read_only(project / "outbox", project, "run")
    assert outbox.returncode == 2, outbox.stderr
    assert outbox.stderr.startswith("error: delivery.outbox.dir: cannot write in ")
    assert "Read-only file system" in outbox.stderr and "Traceback" not in outbox.stderr
    assert sorted(p.name for p in (project / "outbox").iterdir()) == before  # nothing written
    shown = digest("status", "--json", cwd=project)
    assert [e["id"] for e in json.loads(shown.stdout)["editions"]] == [before[0]]
