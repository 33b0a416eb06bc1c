"""Messages print exactly as written: words in square brackets are text, never rich markup."""

from __future__ import annotations

from pathlib import Path

import pytest

from digest.cli.output import print_report
from digest.models import Problem, RunReport
from tests.cli.runner import digest


def add_to_config(project: Path, before: str, text: str) -> None:
    """Insert `text` into the project's config.toml just before the line `before`."""
    config = project / "config.toml"
    content = config.read_text()
    assert f"\n{before}\n" in content
    config.write_text(content.replace(f"\n{before}\n", f"\n{text}{before}\n", 1))


def test_config_hint_keeps_the_table_name(project: Path) -> None:
    config = project / "config.toml"
    config.write_text(config.read_text().replace("[render]\n", '[render]\ncolour = "red"\n', 1))
    result = digest("run", cwd=project)
    assert result.returncode == 2
    assert "render.colour: unknown key" in result.stderr
    assert "known keys in [render]: brand_color" in result.stderr


def test_state_hint_keeps_the_table_name(project: Path) -> None:
    (project / "var" / "folder.db").mkdir(parents=True)
    result = digest("status", cwd=project, env={"DIGEST_STATE__DATABASE": "var/folder.db"})
    assert result.returncode == 1
    assert "check the [state] database path" in result.stderr


def test_problems_and_paths_keep_brackets(project: Path) -> None:
    (project / "examples" / "sources" / "broken.xml").write_text("not a feed [at all]\n")
    add_to_config(
        project,
        "[summarize]",
        '[[sources]]\nname = "Broken [beta]"\nurl = "examples/sources/broken.xml"\n'
        'kind = "feed"\n\n',
    )
    result = digest("run", cwd=project, env={"DIGEST_DELIVERY__OUTBOX__DIR": "out[box]"})
    assert result.returncode == 0, result.stderr
    assert "Broken [beta]" in result.stderr
    assert f"messages: {project / 'out[box]'}/" in result.stdout


def test_subject_keeps_brackets(project: Path) -> None:
    env = {"DIGEST_COMPOSE__SUBJECT_TEMPLATE": "[Digest] {top_headline}"}
    result = digest("check", cwd=project, env=env)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "Quality gate: [Digest] Rosenberg" in result.stdout


def test_report_notes_and_problems_print_as_written(capsys: pytest.CaptureFixture[str]) -> None:
    problem = Problem("gather", "Feed [beta]", "[bold]not[/bold] a feed")
    print_report(RunReport(None, 0, 0, 0, 0, (problem,), notes=("see [state] database",)))
    out, err = capsys.readouterr()
    assert out == "see [state] database\n"
    assert "Feed [beta]" in err and "[bold]not[/bold] a feed" in err


def test_progress_bars_show_sources_then_messages_with_a_rate() -> None:
    import io

    from rich.console import Console

    from digest.cli.output import progress_bars

    screen = io.StringIO()
    terminal = Console(file=screen, force_terminal=True, width=100)
    with progress_bars(terminal) as bars:
        for done in range(1, 5):
            bars.gather(done, 4)
        bars.send(0, 3)
        bars.send(3, 3)
        terminal.print("")  # a refresh while both bars are live
    shown = screen.getvalue()
    assert "gathering sources" in shown and "4/4" in shown
    assert "sending" in shown and "3/3" in shown


def test_no_bars_when_stderr_is_not_a_terminal() -> None:
    import io

    from rich.console import Console

    from digest.cli.output import progress_bars

    screen = io.StringIO()
    with progress_bars(Console(file=screen, force_terminal=False)) as bars:
        bars.gather(1, 1)
        bars.send(1, 1)
    assert screen.getvalue() == ""
