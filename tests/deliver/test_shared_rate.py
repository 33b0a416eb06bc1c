"""`[delivery] rate_per_second` is the total of every sender on a PostgreSQL database: their
limiters book time from one pace kept in the database, on a clock the test moves."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from digest.deliver.send import RateLimiter
from digest.state import MIGRATIONS
from digest.state.db import Database
from digest.state.ledger import Ledger


class Clock:
    """The senders' shared clock; a sleep moves it and is remembered."""

    def __init__(self) -> None:
        self.now = 1000.0
        self.slept: list[float] = []

    def sleep(self, seconds: float) -> None:
        self.slept.append(round(seconds, 6))
        self.now += seconds


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def sender(postgres_url: str, pg_env: dict[str, str], clock: Clock) -> Callable[[], RateLimiter]:
    """A new sender's limiter at 10 messages/s, with its own connection to the database."""

    def make() -> RateLimiter:
        ledger = Ledger(Database.open(postgres_url, MIGRATIONS))
        return RateLimiter(
            10.0, lambda: clock.now, clock.sleep, ledger.reserve_pace, ledger.return_pace
        )

    return make


def test_senders_on_one_database_share_one_rate(
    sender: Callable[[], RateLimiter], clock: Clock
) -> None:
    first, second = sender(), sender()
    first.wait(10)  # 10 messages at 10/s: the next booking starts a second later
    second.wait(10)
    first.wait(5)
    assert clock.slept == [1.0, 1.0]
    clock.now += 60.0  # an idle minute is not saved up for a burst
    second.wait(20)
    first.wait(1)
    assert clock.slept == [1.0, 1.0, 2.0]


def test_a_booking_not_used_is_given_back_unless_someone_booked_after_it(
    sender: Callable[[], RateLimiter], clock: Clock
) -> None:
    first, second = sender(), sender()
    first.wait(10)  # books 1000.0-1001.0, claims only 4
    first.refund(6)  # the rest is free again: the next turn starts at 1000.4
    second.wait(10)
    assert clock.slept == [0.4]
    second.refund(10)  # nothing was booked after it: all given back
    first.wait(1)
    assert clock.slept == [0.4]  # 1000.4 is now, no wait
    second.wait(5)  # booked after first's
    first.refund(1)  # too late to give back: second's turn must not move
    first.wait(1)
    assert clock.slept == [0.4, 0.1, 0.5]
