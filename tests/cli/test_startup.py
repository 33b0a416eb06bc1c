"""Starting the CLI loads no heavy library: each command imports what it needs when it runs."""

from __future__ import annotations

import subprocess
import sys

HEAVY = (
    "trafilatura",
    "feedparser",
    "starlette",
    "uvicorn",
    "dkim",
    "httpx",
    "mjml",
    "apscheduler",
    "lxml",
    "jinja2",
    "email_validator",
)


def test_importing_the_cli_loads_no_heavy_library() -> None:
    code = f"import sys, digest.cli.app; print(sorted(m for m in {HEAVY!r} if m in sys.modules))"
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=60
    )
    assert result.stdout.strip() == "[]"
