"""SIGTERM and SIGINT as a stop request: the work in flight finishes, nothing is cut in half.

systemd and container runtimes stop a service with SIGTERM; a person presses Ctrl-C. Either
one sets the request, which the send loop and the scheduler look at between messages and
between jobs; a second signal while stopping raises KeyboardInterrupt (exit 130), for the
impatient. The handler only sets an attribute: taking a lock inside a signal handler can
deadlock the thread it interrupted.
"""

from __future__ import annotations

import signal
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from types import FrameType

SIGNALS = (signal.SIGTERM, signal.SIGINT)
POLL = 0.1  # seconds between looks at the request in `sleep`


class StopRequest:
    """Why a stop was asked for ("SIGTERM"), or None; callable, as the stages expect."""

    def __init__(self) -> None:
        self.reason: str | None = None

    def __call__(self) -> str | None:
        return self.reason

    def request(self, reason: str) -> None:
        self.reason = reason

    def sleep(self, seconds: float) -> None:
        """Sleep, waking early when a stop is asked for."""
        end = time.monotonic() + seconds
        while self.reason is None and (left := end - time.monotonic()) > 0:
            time.sleep(min(POLL, left))


@contextmanager
def stop_on_signals() -> Iterator[StopRequest]:
    """A StopRequest set by SIGTERM or SIGINT for the duration of the block."""
    stop = StopRequest()
    if threading.current_thread() is not threading.main_thread():
        yield stop  # signals are delivered to the main thread only
        return

    def handler(signum: int, frame: FrameType | None) -> None:
        if stop.reason is not None:
            raise KeyboardInterrupt
        stop.request(signal.Signals(signum).name)

    previous = {number: signal.signal(number, handler) for number in SIGNALS}
    try:
        yield stop
    finally:
        for number, old in previous.items():
            signal.signal(number, old)
