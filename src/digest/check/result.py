"""One line of the gate's table."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class CheckResult:
    """One line of the gate's table."""

    name: str
    ok: bool
    detail: str
    warning: bool = False
