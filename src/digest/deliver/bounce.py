"""Which permanent failures are hard bounces (the address does not exist or refuses mail)."""

from __future__ import annotations

import re

_HARD = re.compile(
    r"\b5\.1\.[0-9]{1,3}\b|user unknown|unknown user|no such user|does not exist"
    r"|inactive recipient|recipient address rejected|invalid recipient|mailbox not found",
    re.IGNORECASE,
)

HARD_BOUNCE = "hard bounce"
REJECTED = "rejected"


def failure_kind(error: str) -> str:
    """The short reason for a permanent failure: "hard bounce" (suppress) or "rejected"."""
    return HARD_BOUNCE if _HARD.search(error) else REJECTED
