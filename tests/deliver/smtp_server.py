"""A real aiosmtpd server on 127.0.0.1 that records messages and misbehaves on cue.

Cues are in the recipient's local part: `bounce*` -> 550 5.1.1 at RCPT, `reject*` -> 554 at
DATA, `busy*` -> 451 at DATA for the first `busy_times` tries, `drop*` -> the connection is
closed at MAIL FROM for the first try. With `pipelining=True` it offers PIPELINING (RFC 2920)
in its EHLO answer. `accepted_at` keeps, per recipient, the monotonic
time at which the server first answered 250 to its DATA (the start of the exactly-once window).
Run as a script it serves until killed and appends one line per accepted message (the
recipient) to the file given, for kill-and-resume tests.
"""

from __future__ import annotations

import socket
import sys
import threading
import time
from collections import Counter
from collections.abc import Callable
from email import message_from_bytes, policy
from email.message import EmailMessage
from typing import Any

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP, Envelope, Session


class RecordingHandler:
    def __init__(
        self, busy_times: int = 1, log_path: str | None = None, pipelining: bool = False
    ) -> None:
        self.pipelining = pipelining  # offer PIPELINING (RFC 2920) in the EHLO answer
        self.messages: list[tuple[str, bytes]] = []
        self.busy_times = busy_times
        self.tries: Counter[str] = Counter()
        self.lock = threading.Lock()
        self.dropped = 0
        self.ehlos = 0
        self.accepted_at: dict[str, float] = {}
        self.log = open(log_path, "a", buffering=1) if log_path else None  # noqa: SIM115

    async def handle_EHLO(
        self,
        server: SMTP,
        session: Session,
        envelope: Envelope,
        hostname: str,
        responses: list[str],
    ) -> list[str]:
        session.host_name = hostname
        with self.lock:
            self.ehlos += 1
        if self.pipelining:  # aiosmtpd reads pipelined commands in order; it just never says so
            responses.insert(-1, "250-PIPELINING")
        return responses

    async def handle_MAIL(
        self, server: SMTP, session: Session, envelope: Envelope, address: str, options: Any
    ) -> str:
        envelope.mail_from = address
        return "250 OK"

    async def handle_RCPT(
        self, server: SMTP, session: Session, envelope: Envelope, address: str, options: Any
    ) -> str:
        local = address.split("@")[0].lower()
        if local.startswith("bounce"):
            return f"550 5.1.1 <{address}>: Recipient address rejected: User unknown"
        if local.startswith("drop"):
            with self.lock:
                self.tries["drop:" + address] += 1
                first = self.tries["drop:" + address] == 1
            if first:
                self.dropped += 1
                assert server.transport is not None
                server.transport.close()
                return "421 closing"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: SMTP, session: Session, envelope: Envelope) -> str:
        rcpt = envelope.rcpt_tos[0]
        local = rcpt.split("@")[0].lower()
        if local.startswith("reject"):
            return "554 5.7.1 Message rejected as spam"
        if local.startswith("busy"):
            with self.lock:
                self.tries[rcpt] += 1
                if self.tries[rcpt] <= self.busy_times:
                    return "451 4.3.0 Try again later"
        content = envelope.original_content or b""
        with self.lock:
            self.messages.append((rcpt, content))
            self.accepted_at.setdefault(rcpt, time.monotonic())
        if self.log:
            self.log.write(rcpt + "\n")
        return f"250 2.0.0 Ok: queued as Q{len(self.messages)}"

    def parsed(self) -> list[EmailMessage]:
        return [
            message_from_bytes(raw, policy=policy.default)  # type: ignore[misc]
            for _, raw in self.messages
        ]

    def recipients(self) -> Counter[str]:
        return Counter(rcpt for rcpt, _ in self.messages)


DOWN_FOR = 25.0


class Relay(RecordingHandler):
    """A real server that goes down (its listener closed: connection refused) after
    `down_after` accepted messages, or from the start, and comes back once the test's clock
    has moved DOWN_FOR seconds on. Nothing is accepted once it is going down."""

    def __init__(self, port: int, down_after: int | None = None) -> None:
        super().__init__()
        self.port = port
        self.down_after = down_after
        self.controller: Controller | None = None
        self.stopping: threading.Thread | None = None
        self.down_since: float | None = None
        self.outages = 0

    def up(self) -> None:
        self.controller = start(self, port=self.port)

    def down(self, now: float) -> None:
        """Close the listener from another thread (this may run on the server's own loop)."""
        self.down_since = now
        self.outages += 1
        controller, self.controller = self.controller, None
        if controller is not None:
            self.stopping = threading.Thread(target=controller.stop)
            self.stopping.start()

    def tick(self, now: float) -> None:
        """The test's clock moved: back up once the outage has lasted DOWN_FOR."""
        if self.down_since is not None and now - self.down_since >= DOWN_FOR:
            if self.stopping is not None:
                self.stopping.join()
            self.down_since = None
            self.up()

    async def handle_DATA(self, server: SMTP, session: Session, envelope: Envelope) -> str:
        if self.down_since is not None:
            return "421 4.3.2 Service shutting down"
        answer = await super().handle_DATA(server, session, envelope)
        if self.down_after is not None and len(self.messages) == self.down_after:
            self.down_after = None
            self.down(self.clock())
        return answer

    clock: Callable[[], float] = staticmethod(lambda: 0.0)  # set by the test


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def start(handler: RecordingHandler, port: int = 0, **kwargs: Any) -> Controller:
    """Start serving on 127.0.0.1 (a free port when `port` is 0); `.port` tells which."""
    controller = Controller(handler, hostname="127.0.0.1", port=port or free_port(), **kwargs)
    controller.start()
    return controller


if __name__ == "__main__":
    server = start(RecordingHandler(log_path=sys.argv[2]), port=int(sys.argv[1]))
    print("ready", flush=True)
    while True:
        time.sleep(3600)
