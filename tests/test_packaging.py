"""The wheel carries everything digest needs and runs outside the repository.

Builds the wheel from this checkout, installs it into a fresh virtual environment in a temporary
folder, then runs `digest init` and `digest run` there as a new user would and parses the .eml
it wrote. The new environment gets digest only from the wheel; its third-party dependencies are
borrowed from the test environment through a path file (a plain path entry, so the editable
install's own hook there is not run), which keeps the test off the package registry.
"""

from __future__ import annotations

import email
import email.policy
import os
import subprocess
import sys
import sysconfig
import zipfile
from email.message import EmailMessage
from pathlib import Path

import pytest

from tests.conftest import REPO

SRC = REPO / "src" / "digest"


def run(*command: str | Path, cwd: Path) -> subprocess.CompletedProcess[str]:
    environ = {k: v for k, v in os.environ.items() if not k.startswith(("DIGEST_", "PYTHON"))}
    return subprocess.run(
        [str(part) for part in command],
        cwd=cwd,
        env=environ,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("wheel")
    built = run(
        sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation",
        "--quiet", "-w", out, REPO, cwd=out,
    )  # fmt: skip
    assert built.returncode == 0, built.stderr
    (found,) = out.glob("digest-*.whl")
    return found


@pytest.fixture(scope="module")
def installed(wheel: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A fresh venv outside the repository with the wheel installed; returns its bin folder."""
    venv = tmp_path_factory.mktemp("venv")
    made = run(sys.executable, "-m", "venv", "--without-pip", venv, cwd=venv)
    assert made.returncode == 0, made.stderr
    python = venv / "bin" / "python"
    purelib = run(
        python, "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])", cwd=venv
    )
    deps = {sysconfig.get_paths()["purelib"], sysconfig.get_paths()["platlib"]}
    (Path(purelib.stdout.strip()) / "borrowed-deps.pth").write_text("\n".join(sorted(deps)) + "\n")
    install = run(
        sys.executable, "-m", "pip", "--python", python, "install", "--no-deps", "--no-index",
        "--quiet", wheel, cwd=venv,
    )  # fmt: skip
    assert install.returncode == 0, install.stderr
    return venv / "bin"


def test_wheel_holds_every_package_and_its_data(wheel: Path) -> None:
    names = set(zipfile.ZipFile(wheel).namelist())
    packages = {init.parent.relative_to(SRC.parent).as_posix() for init in SRC.rglob("__init__.py")}
    for package in packages:
        assert f"{package}/__init__.py" in names, package
    templates = REPO / "templates" / "email"
    for template in templates.rglob("*.j2"):
        assert f"digest/render/email_templates/{template.relative_to(templates)}" in names
    for data in SRC.glob("**/*"):
        if data.is_file() and data.suffix in (".json", ".html", ".css", ".typed"):
            assert f"digest/{data.relative_to(SRC).as_posix()}" in names
    assert "digest/cli/starter/config.toml" in names
    assert "digest/cli/starter/subscribers/subscribers.csv" in names
    assert not any(name.startswith(("tests/", "digest/cli/starter/tests")) for name in names)


def test_init_then_run_outside_the_repository(installed: Path, tmp_path: Path) -> None:
    where = run(installed / "python", "-c", "import digest; print(digest.__file__)", cwd=tmp_path)
    assert where.returncode == 0, where.stderr
    assert Path(where.stdout.strip()).is_relative_to(installed.parent), where.stdout
    created = run(installed / "digest", "init", "news", cwd=tmp_path)
    assert created.returncode == 0, created.stderr
    news = tmp_path / "news"
    assert (news / "config.toml").read_text() == (REPO / "config.toml").read_text()
    ran = run(installed / "digest", "run", cwd=news)
    assert ran.returncode == 0, ran.stderr + ran.stdout
    assert "sent to 3 recipient(s)" in ran.stdout
    sent = sorted((news / "outbox").glob("*.eml"))
    assert len(sent) == 3
    message = email.message_from_bytes(sent[0].read_bytes(), policy=email.policy.default)
    assert isinstance(message, EmailMessage)
    assert message.get_content_type() == "multipart/alternative"
    assert message["List-Unsubscribe"] and message["Subject"]
    html = message.get_body(("html",))
    text = message.get_body(("plain",))
    assert html is not None and text is not None
    assert "Rosenberg" in html.get_content() and "Rosenberg" in text.get_content()


def test_init_refuses_a_folder_with_files(installed: Path, tmp_path: Path) -> None:
    (tmp_path / "news").mkdir()
    (tmp_path / "news" / "notes.txt").write_text("mine")
    refused = run(installed / "digest", "init", "news", cwd=tmp_path)
    assert refused.returncode == 2
    assert "already exists and is not an empty folder" in refused.stderr
    assert "Traceback" not in refused.stderr
    assert sorted(p.name for p in (tmp_path / "news").iterdir()) == ["notes.txt"]
