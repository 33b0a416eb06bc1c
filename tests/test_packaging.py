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
import pwd
import shutil
import subprocess
import sys
import sysconfig
import tempfile
import zipfile
from email.message import EmailMessage
from pathlib import Path

import pytest

from tests.conftest import REPO

SRC = REPO / "src" / "digest"


def run(
    *command: str | Path, cwd: Path, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    environ = {k: v for k, v in os.environ.items() if not k.startswith(("DIGEST_", "PYTHON"))}
    environ.update(env or {})
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
    assert "Warning:" not in built.stderr, built.stderr  # setuptools' warnings end "...Warning:"
    (found,) = out.glob("digest_newsletter-*.whl")
    return found


def new_venv(venv: Path) -> Path:
    """A venv without digest that borrows the test environment's third-party packages."""
    made = run(sys.executable, "-m", "venv", "--without-pip", venv, cwd=venv.parent)
    assert made.returncode == 0, made.stderr
    python = venv / "bin" / "python"
    purelib = run(
        python, "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])", cwd=venv
    )
    deps = {sysconfig.get_paths()["purelib"], sysconfig.get_paths()["platlib"]}
    (Path(purelib.stdout.strip()) / "borrowed-deps.pth").write_text("\n".join(sorted(deps)) + "\n")
    return venv / "bin"


def pip_install(bin_folder: Path, *args: str | Path) -> None:
    done = run(
        sys.executable, "-m", "pip", "--python", bin_folder / "python", "install", "--no-deps",
        "--no-index", "--quiet", *args, cwd=bin_folder,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr


@pytest.fixture(scope="module")
def installed(wheel: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A fresh venv outside the repository with the wheel installed; returns its bin folder."""
    bin_folder = new_venv(tmp_path_factory.mktemp("venv") / "env")
    pip_install(bin_folder, wheel)
    return bin_folder


def test_editable_install_prints_no_build_warnings(tmp_path: Path) -> None:
    """What `make run` builds first: a newcomer's first screen has no page of warnings."""
    build = (
        "import sys; from setuptools import build_meta as backend; "
        "backend.build_editable(sys.argv[1])"
    )
    built = run(sys.executable, "-c", build, tmp_path, cwd=REPO)
    assert built.returncode == 0, built.stderr
    assert "Warning" not in built.stderr + built.stdout, built.stderr
    shutil.rmtree(REPO / "build", ignore_errors=True)


def git(folder: Path, *args: str) -> None:
    done = run(
        "git", "-c", "user.name=Release", "-c", "user.email=release@example.com",
        "-c", "commit.gpgsign=false", *args, cwd=folder,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr


def build_wheel(source: Path, out: Path) -> Path:
    built = run(
        sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation",
        "--quiet", "-w", out, source, cwd=source,
    )  # fmt: skip
    assert built.returncode == 0, built.stderr
    (found,) = out.glob("digest_newsletter-*.whl")
    return found


def test_upgrading_to_a_newer_commit_installs_its_code(tmp_path: Path) -> None:
    """Two wheels from two commits: a release tag, then a change after it."""
    source = tmp_path / "source"
    listed = run("git", "ls-files", "-z", "--cached", "--others", "--exclude-standard", cwd=REPO)
    for name in filter(None, listed.stdout.split("\0")):
        if (REPO / name).is_symlink() or (REPO / name).is_file():
            (source / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(REPO / name, source / name, follow_symlinks=False)
    git(source, "init", "--quiet")
    git(source, "add", "--all")
    git(source, "commit", "--quiet", "-m", "release")
    git(source, "tag", "v1.2.0")
    older = build_wheel(source, tmp_path / "older")
    app = source / "src" / "digest" / "cli" / "app.py"
    app.write_text(app.read_text().replace("exactly once.", "exactly once, now upgraded."))
    git(source, "commit", "--quiet", "-am", "a change after the release")
    newer = build_wheel(source, tmp_path / "newer")

    bin_folder = new_venv(tmp_path / "env")
    pip_install(bin_folder, older)
    before = run(bin_folder / "digest", "--version", cwd=tmp_path)
    assert before.stdout.strip() == "digest, version 1.2.0", before.stdout + before.stderr
    pip_install(bin_folder, "--upgrade", newer)
    after = run(bin_folder / "digest", "--version", cwd=tmp_path)
    assert after.stdout.startswith("digest, version 1.2.1.dev1+"), after.stdout + after.stderr
    assert "now upgraded" in run(bin_folder / "digest", "--help", cwd=tmp_path).stdout


def test_wheel_holds_every_package_and_its_data(wheel: Path) -> None:
    names = set(zipfile.ZipFile(wheel).namelist())
    packages = {init.parent.relative_to(SRC.parent).as_posix() for init in SRC.rglob("__init__.py")}
    for package in packages:
        assert f"{package}/__init__.py" in names, package
    templates = REPO / "templates" / "email"
    for template in templates.rglob("*.j2"):
        assert f"digest/render/email_templates/{template.relative_to(templates)}" in names
    for data in SRC.glob("**/*"):
        if data.is_file() and data.suffix in (".json", ".html", ".css", ".atom", ".typed"):
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


def documented_service_steps() -> list[str]:
    """The command lines of docs/operating.md's "Run it as a service", as written there."""
    text = (REPO / "docs" / "operating.md").read_text()
    block = text.split("<!-- service-steps -->")[1].split("<!-- /service-steps -->")[0]
    return [line.strip() for line in block.splitlines() if line.strip()]


def test_the_documented_service_steps_work_for_an_unprivileged_account(wheel: Path) -> None:
    """The docs' steps with their paths moved into a temporary folder: the service account's
    commands run as that account (`nobody` when the tests run as root, else the tester)."""
    steps = documented_service_steps()
    assert "sudo digest init --owner digest /etc/digest" in steps
    assert "sudo install -d -m 0750 -o digest -g digest /var/lib/digest" in steps
    as_account = "sudo -u digest DIGEST_STATE__DATABASE=/var/lib/digest/digest.db digest"
    assert f"{as_account} --config /etc/digest/config.toml run --dry-run" in steps
    assert f"{as_account} --config /etc/digest/config.toml status" in steps
    assert any("/etc/digest/deploy/digest.service /etc/systemd/system/" in s for s in steps)

    if os.geteuid() == 0:
        account = pwd.getpwnam("nobody")
        become = ["setpriv", f"--reuid={account.pw_uid}", f"--regid={account.pw_gid}"]
        become.append("--clear-groups")
    else:
        account, become = pwd.getpwuid(os.getuid()), []
    # Outside pytest's own temporary folder, which is closed to other accounts.
    root = Path(tempfile.mkdtemp(prefix="digest-service-"))
    try:
        root.chmod(0o755)
        bin_folder = new_venv(root / "env")
        pip_install(bin_folder, wheel)
        etc, var = root / "etc-digest", root / "var-lib-digest"
        made = run(bin_folder / "digest", "init", "--owner", account.pw_name, etc, cwd=root)
        assert made.returncode == 0, made.stderr
        var.mkdir(mode=0o750)
        os.chown(var, account.pw_uid, account.pw_gid)
        unit = (etc / "deploy" / "digest.service").read_text()
        assert "StartLimitIntervalSec=0" in unit and "RestartPreventExitStatus" not in unit
        environ = {"DIGEST_STATE__DATABASE": str(var / "digest.db")}
        config = etc / "config.toml"
        dry = run(*become, bin_folder / "digest", "--config", config, "run", "--dry-run",
                  cwd=var, env=environ)  # fmt: skip
        assert dry.returncode == 0, dry.stderr
        assert "would send to 3 recipient(s)" in dry.stdout
        assert list(var.iterdir()) == []  # a dry run writes nothing
        shown = run(*become, bin_folder / "digest", "--config", config, "status",
                    cwd=var, env=environ)  # fmt: skip
        assert shown.returncode == 0, shown.stderr
        assert "never gathered" in shown.stdout
        assert (var / "digest.db").stat().st_uid == account.pw_uid
    finally:
        shutil.rmtree(root, ignore_errors=True)
