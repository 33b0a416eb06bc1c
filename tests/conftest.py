"""Shared test helpers.

Real parts (Chromium, SpamAssassin, an SMTP server) are required in CI: with
DIGEST_REQUIRE_REAL_PARTS=1 (set by .ci/run) a missing part fails the test instead of skipping it.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

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
