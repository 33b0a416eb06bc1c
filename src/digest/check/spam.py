"""SpamAssassin score of a complete message via the `spamassassin` command (local tests only)."""

from __future__ import annotations

import re
import shutil
import subprocess
from dataclasses import dataclass

_SCORE = re.compile(r"^X-Spam-Status:.*?score=(-?\d+(?:\.\d+)?)", re.MULTILINE | re.DOTALL)
_RULE = re.compile(r"^\s*(-?\d+(?:\.\d+)?)\s+([A-Z0-9_]+)\s", re.MULTILINE)
TIMEOUT_SECONDS = 120.0


@dataclass(frozen=True)
class SpamReport:
    """The total score and each rule that fired with its points."""

    score: float
    rules: tuple[tuple[str, float], ...]


def spamassassin_available() -> bool:
    return shutil.which("spamassassin") is not None


def spam_report(raw: bytes) -> SpamReport:
    """Run `spamassassin -L -t` (no network tests) on the message; raise RuntimeError on failure."""
    try:
        done = subprocess.run(
            ["spamassassin", "-L", "-t"],
            input=raw,
            capture_output=True,
            timeout=TIMEOUT_SECONDS,
            check=False,
        )
    except (OSError, subprocess.TimeoutExpired) as exc:
        raise RuntimeError(f"spamassassin could not run: {exc}") from exc
    output = done.stdout.decode("utf-8", "replace")
    header_end = output.find("\n\n")
    headers = re.sub(r"\n[ \t]+", " ", output[: header_end if header_end >= 0 else len(output)])
    found = _SCORE.search(headers)
    if found is None:
        stderr = done.stderr.decode("utf-8", "replace").strip()
        raise RuntimeError(f"spamassassin gave no X-Spam-Status (exit {done.returncode}) {stderr}")
    report = output.split("Content analysis details:", 1)
    rules: tuple[tuple[str, float], ...] = ()
    if len(report) == 2:
        rules = tuple((name, float(points)) for points, name in _RULE.findall(report[1]))
    return SpamReport(score=float(found.group(1)), rules=rules)
