"""A fast SMTP sink for the send benchmarks: accepts everything, counts every recipient.

aiosmtpd (the tests' server) reads DATA line by line in Python and would be the bottleneck of
any throughput figure; this sink scans each read for the end-of-data marker with bytes.find,
so a 42 KB message costs it a few reads. It speaks just enough SMTP for smtplib (EHLO with
PIPELINING and 8BITMIME, MAIL, RCPT, DATA, RSET, NOOP, QUIT) and runs in its own process so
that the sender and the sink do not share a GIL.

    python bench/smtp_sink.py        # prints "port N", then answers commands on stdin:
                                     # "count" -> one JSON line {"messages", "unique",
                                     # "duplicates", "bytes"}; "reset" zeroes the counts; EOF quits.
"""

from __future__ import annotations

import asyncio
import json
import sys
import threading
from collections import Counter

END = b"\r\n.\r\n"


class Tally:
    """What the sink accepted, shared by its connections (one event loop: no lock needed)."""

    def __init__(self) -> None:
        self.recipients: Counter[bytes] = Counter()
        self.messages = 0
        self.bytes = 0

    def summary(self) -> dict[str, int]:
        unique = len(self.recipients)
        return {
            "messages": self.messages,
            "unique": unique,
            "duplicates": sum(self.recipients.values()) - unique,
            "bytes": self.bytes,
        }


class SinkProtocol(asyncio.Protocol):
    def __init__(self, tally: Tally) -> None:
        self.tally = tally
        self.buffer = bytearray()
        self.in_data = False
        self.scanned = 0
        self.rcpts: list[bytes] = []

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        assert isinstance(transport, asyncio.Transport)
        self.transport = transport
        transport.write(b"220 sink ESMTP\r\n")

    def data_received(self, data: bytes) -> None:
        self.buffer += data
        replies: list[bytes] = []
        while True:
            if self.in_data:
                if self.buffer.startswith(b".\r\n"):
                    end = -2
                else:
                    end = self.buffer.find(END, max(0, self.scanned - 4))
                if end < 0:
                    self.scanned = len(self.buffer)
                    break
                self.tally.messages += 1
                self.tally.bytes += end + 2
                for rcpt in self.rcpts:
                    self.tally.recipients[rcpt] += 1
                self.rcpts = []
                del self.buffer[: end + 5]
                self.in_data = False
                self.scanned = 0
                replies.append(b"250 2.0.0 Ok: queued\r\n")
                continue
            line_end = self.buffer.find(b"\r\n")
            if line_end < 0:
                break
            line = bytes(self.buffer[:line_end])
            del self.buffer[: line_end + 2]
            verb = line[:4].upper()
            if verb == b"EHLO":
                replies.append(b"250-sink\r\n250-PIPELINING\r\n250-8BITMIME\r\n250 SIZE 0\r\n")
            elif verb == b"RCPT":
                self.rcpts.append(line.partition(b":")[2].strip().strip(b"<>").lower())
                replies.append(b"250 2.1.5 Ok\r\n")
            elif verb == b"DATA":
                self.in_data = True
                replies.append(b"354 End data with <CR><LF>.<CR><LF>\r\n")
            elif verb == b"QUIT":
                replies.append(b"221 2.0.0 Bye\r\n")
                self.transport.write(b"".join(replies))
                self.transport.close()
                return
            elif verb == b"RSET":
                self.rcpts = []
                replies.append(b"250 2.0.0 Ok\r\n")
            else:  # HELO, MAIL, NOOP and anything else
                replies.append(b"250 Ok\r\n")
        if replies:
            self.transport.write(b"".join(replies))


def main() -> None:
    tally = Tally()
    loop = asyncio.new_event_loop()
    server = loop.run_until_complete(
        loop.create_server(lambda: SinkProtocol(tally), "127.0.0.1", 0, backlog=64)
    )
    port = server.sockets[0].getsockname()[1]
    print(f"port {port}", flush=True)

    def control() -> None:
        for line in sys.stdin:
            command = line.strip()
            if command == "count":
                result = asyncio.run_coroutine_threadsafe(_summary(tally), loop).result()
                print(json.dumps(result), flush=True)
            elif command == "reset":
                asyncio.run_coroutine_threadsafe(_reset(tally), loop).result()
                print("{}", flush=True)
        loop.call_soon_threadsafe(loop.stop)

    threading.Thread(target=control, daemon=True).start()
    loop.run_forever()


async def _summary(tally: Tally) -> dict[str, int]:
    return tally.summary()


async def _reset(tally: Tally) -> None:
    tally.recipients.clear()
    tally.messages = 0
    tally.bytes = 0


if __name__ == "__main__":
    main()
