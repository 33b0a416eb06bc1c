"""One scheduler per state database: an flock beside a SQLite file, an advisory lock in
PostgreSQL (so processes on different hosts exclude each other too)."""

from __future__ import annotations

import pytest

from digest.errors import StateError
from digest.state import exclusive


def test_a_second_holder_is_refused_until_the_first_lets_go(database: str) -> None:
    with exclusive(database, "schedule", "a scheduler"):
        with (
            pytest.raises(StateError, match="a scheduler is already running"),
            exclusive(database, "schedule", "a scheduler"),
        ):
            pass
        with exclusive(database, "send", "another send"):
            pass  # another name is another lock
    with exclusive(database, "schedule", "a scheduler"):
        pass
