"""The send's circuit breaker: a failure streak pauses the send; a probe resumes it.

Closed: claims go out as usual, each answer counted. `threshold` failed attempts in a row (no
success between them) open it: no claim for a pause (exponential from `base` to `cap`, with
jitter, longer at each trip in a row). Then half-open: one message goes, alone (the probe). Its
success closes the breaker and the send goes on at full speed; its failure opens it again for a
longer pause. A pause never fails anyone: recipients stay pending, each with its own retry time,
until the edition's retry window ends (`send.SendSettings.retry_hours`).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass


@dataclass
class Breaker:
    threshold: int
    base: float
    cap: float
    jitter: Callable[[], float]
    failures: int = 0  # failed attempts in a row
    trips: int = 0  # openings since the last success
    open_until: float | None = None  # when the pause ends (send clock); None: closed
    paused: float = 0.0  # seconds of pause this run has waited through

    def closed(self) -> bool:
        return self.open_until is None

    def due(self, now: float) -> bool:
        """The pause is over: a probe may go."""
        return self.open_until is not None and now >= self.open_until

    def success(self) -> bool:
        """A message went out; True when that ended a pause (the probe's success)."""
        resumed = self.open_until is not None
        self.failures, self.trips, self.open_until = 0, 0, None
        return resumed

    def failure(self, now: float) -> float | None:
        """A failed attempt; the pause it starts, in seconds, when it opens the breaker."""
        self.failures += 1
        probe_failed = self.open_until is not None and now >= self.open_until
        if self.open_until is not None and not probe_failed:
            return None  # already open: answers still arriving from before the pause
        if not probe_failed and self.failures < self.threshold:
            return None
        self.trips += 1
        step = min(self.cap, self.base * 2 ** (self.trips - 1))
        pause = float(step * (0.5 + self.jitter() / 2))
        self.open_until = now + pause
        return pause
