"""doiuse-email (npm) on the rendered editions: nothing that is not on the reviewed allow-list.

doiuse-email checks an email's HTML and CSS against the caniemail data it ships with. .ci/run
installs it with `npm ci` from tests/render/doiuse/ (package.json + lockfile) into
test-artifacts/doiuse/; locally, run the same two lines from .ci/run. Findings are compared as
(feature, client) pairs with tests/render/doiuse/allowed.toml, which says why each is accepted.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import tomllib
from pathlib import Path

import pytest

from tests.conftest import REPO, require
from tests.render.sample import edition_html

HERE = Path(__file__).parent / "doiuse"
CLI = REPO / "test-artifacts" / "doiuse" / "node_modules" / "doiuse-email" / "bin" / "cli.js"
CLIENTS = "gmail.*,apple-mail.*,outlook.*,yahoo.*,samsung-email.*"
EDITIONS = ("sample", "compact", "thirty")
_FINDING = re.compile(r"`(.+)` is not supported by `(.+)`")
# What a reader would notice: never accepted, whatever the allow-list says.
NEVER = frozenset({"Local anchors", "display:flex", "display:grid", "position", "float"})


def _allowed() -> dict[tuple[str, str], str]:
    data = tomllib.loads((HERE / "allowed.toml").read_text(encoding="utf-8"))
    pairs = {}
    for entry in data["allowed"]:
        assert entry["reason"].strip(), entry["feature"]
        for client in entry["clients"]:
            pairs[entry["feature"], client] = entry["reason"]
    return pairs


def _findings(html: str, folder: Path, name: str) -> set[tuple[str, str]]:
    path = folder / f"{name}.html"
    path.write_text(html, encoding="utf-8")
    done = subprocess.run(
        ["node", str(CLI), "--email-clients", CLIENTS, str(path)],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    report = json.loads(done.stdout)
    pairs = set()
    for error in report.get("errors", []):
        found = _FINDING.fullmatch(error)
        assert found, error
        pairs.add((found[1], found[2]))
    return pairs


@pytest.fixture(scope="module")
def findings(tmp_path_factory: pytest.TempPathFactory) -> dict[str, set[tuple[str, str]]]:
    require(shutil.which("node") is not None and CLI.is_file(), "node and doiuse-email (npm ci)")
    folder = tmp_path_factory.mktemp("doiuse")
    return {name: _findings(edition_html(name), folder, name) for name in EDITIONS}


@pytest.mark.parametrize("edition", EDITIONS)
def test_no_finding_outside_the_allow_list(
    findings: dict[str, set[tuple[str, str]]], edition: str
) -> None:
    new = sorted(findings[edition] - set(_allowed()))
    assert not new, f"doiuse-email findings not on tests/render/doiuse/allowed.toml: {new}"


def test_nothing_a_reader_feels_and_no_stale_entry(
    findings: dict[str, set[tuple[str, str]]],
) -> None:
    seen = set().union(*findings.values())
    assert not {feature for feature, _ in seen} & NEVER
    assert not {feature for feature, _ in _allowed()} & NEVER
    stale = sorted(set(_allowed()) - seen)
    assert not stale, f"allowed.toml lists pairs no edition produces any more: {stale}"
