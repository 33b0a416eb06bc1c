"""Shared test helpers.

Real parts (Chromium, SpamAssassin, an SMTP server) are required in CI: with
DIGEST_REQUIRE_REAL_PARTS=1 (set by .ci/run) a missing part fails the test instead of skipping it.
"""

from __future__ import annotations

import importlib.util
import os
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

if TYPE_CHECKING:
    from tests.pg_server import PostgresServer

DATA = Path(__file__).parent / "data"
REPO = Path(__file__).resolve().parent.parent


def require(available: bool, what: str) -> None:
    """Skip locally, fail in CI, when a real part the test needs is missing."""
    if available:
        return
    if os.environ.get("DIGEST_REQUIRE_REAL_PARTS") == "1":
        pytest.fail(f"{what} is required here (DIGEST_REQUIRE_REAL_PARTS=1) but is missing")
    pytest.skip(f"{what} is not available")


@pytest.fixture
def data_dir() -> Path:
    return DATA


@pytest.fixture
def repo_root() -> Path:
    return REPO


@pytest.fixture
def project(tmp_path: Path) -> Path:
    """A copy of the embedded default (config.toml, bundled sources, subscribers) to run in."""
    shutil.copy(REPO / "config.toml", tmp_path / "config.toml")
    for name in ("examples", "subscribers"):
        shutil.copytree(REPO / name, tmp_path / name)
    return tmp_path


@pytest.fixture(scope="session")
def postgres_server() -> Iterator[PostgresServer]:
    """One real PostgreSQL for the whole session (tests/pg_server.py), stopped at its end."""
    require(importlib.util.find_spec("psycopg") is not None, "psycopg (the test extra)")
    from tests import pg_server  # imports psycopg: only once a test asks for PostgreSQL

    bin_dir = pg_server.find_bin_dir()
    require(bin_dir is not None, "PostgreSQL (Debian's postgresql package)")
    assert bin_dir is not None
    server = pg_server.start(bin_dir)
    yield server
    server.stop()


@pytest.fixture
def postgres_url(postgres_server: PostgresServer) -> Iterator[str]:
    """A fresh, empty database owned by `digest`, dropped after the test.

    The URL names the role but carries no password: take it from `pg_env`.
    """
    name = postgres_server.create_database()
    yield postgres_server.url(name)
    postgres_server.drop_database(name)


@pytest.fixture
def pg_env(postgres_server: PostgresServer, monkeypatch: pytest.MonkeyPatch) -> dict[str, str]:
    """DIGEST_DATABASE_PASSWORD set for this test; returns the environment for subprocesses."""
    from tests.pg_server import PASSWORD, PASSWORD_ENV

    monkeypatch.setenv(PASSWORD_ENV, PASSWORD)
    return dict(os.environ)
