"""Run the `digest` command as a real subprocess, as an operator would.

`now=` runs it with the clock set to that moment (time-machine inside the child process), so a
test that looks for today's edition never depends on the day it runs. `start` runs one in the
background (a scheduler, a long send) for a test that signals it.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable
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


class Child:
    """`digest ...` running in the background, its stderr lines collected as they come."""

    def __init__(self, process: subprocess.Popen[str]) -> None:
        self.process = process
        self.lines: list[str] = []
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()

    def _read(self) -> None:
        assert self.process.stderr is not None
        for line in self.process.stderr:
            self.lines.append(line.rstrip("\n"))

    @property
    def log(self) -> str:
        return "\n".join(self.lines)

    def wait_for(self, done: Callable[[], bool], what: str, timeout: float = 90.0) -> None:
        """Poll until `done()` (the child's effect, not a time) or fail saying what is missing."""
        deadline = time.monotonic() + timeout
        while not done():
            if self.process.poll() is not None:
                raise AssertionError(
                    f"digest exited {self.process.returncode} before {what}:\n{self.log}"
                )
            if time.monotonic() > deadline:
                raise AssertionError(f"no {what} after {timeout:.0f} s:\n{self.log}")
            time.sleep(0.05)

    def stop(self, signum: int = signal.SIGTERM, timeout: float = 30.0) -> int:
        """Send `signum` and wait for the exit code (the timeout only guards a hung child)."""
        self.process.send_signal(signum)
        code = self.process.wait(timeout=timeout)
        self._reader.join(timeout=5)
        return code


def start(
    *args: str, cwd: Path, env: dict[str, str] | None = None, now: datetime | None = None
) -> Child:
    """`digest ARGS` started in the background (at `now`, the clock ticking from there)."""
    environ = {k: v for k, v in os.environ.items() if not k.startswith("DIGEST_")}
    environ.update(env or {})
    command = [sys.executable, "-m", "digest.cli", *args]
    if now is not None:
        command = [sys.executable, "-c", _AT_TIME, now.isoformat(), *args]
    process = subprocess.Popen(
        command,
        cwd=cwd,
        env=environ,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    return Child(process)
