"""Every state test runs on both backends: a SQLite file, and a fresh database on the real
PostgreSQL the session starts (tests/pg_server.py)."""

from __future__ import annotations

from pathlib import Path

import pytest


@pytest.fixture(params=["sqlite", "postgresql"])
def database(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """What `[state] database` would say: a file path, or a URL (password in the env)."""
    if request.param == "sqlite":
        return str(tmp_path / "var" / "digest.db")
    request.getfixturevalue("pg_env")
    url: str = request.getfixturevalue("postgres_url")
    return url
