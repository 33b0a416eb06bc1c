"""Run the `digest` command as a real subprocess, as an operator would.

`now=` runs it with the clock set to that moment (time-machine inside the child process), so a
test that looks for today's edition never depends on the day it runs.
"""

from __future__ import annotations

import os
import subprocess
import sys
from datetime import datetime
from pathlib import Path

# The child travels to argv[1] (ISO 8601), then runs the CLI with the remaining arguments.
_AT_TIME = (
    "import sys, time_machine\n"
    "from datetime import datetime\n"
    "from digest.cli import main\n"
    "moment = datetime.fromisoformat(sys.argv.pop(1))\n"
    "with time_machine.travel(moment, tick=True):\n"
    "    main()\n"
)


def digest(
    *args: str, cwd: Path, env: dict[str, str] | None = None, now: datetime | None = None
) -> subprocess.CompletedProcess[str]:
    environ = {k: v for k, v in os.environ.items() if not k.startswith("DIGEST_")}
    environ.update(env or {})
    command = [sys.executable, "-m", "digest.cli", *args]
    if now is not None:
        command = [sys.executable, "-c", _AT_TIME, now.isoformat(), *args]
    return subprocess.run(
        command,
        cwd=cwd,
        env=environ,
        capture_output=True,
        text=True,
        timeout=120,
    )
