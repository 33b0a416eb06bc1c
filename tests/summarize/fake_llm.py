"""Stand-ins that count summarizer calls: `offline_counter` wraps the offline summarizer, and
a local OpenAI-compatible server for the LLM summarizer's tests: a real HTTP server on
127.0.0.1 (port 0) that counts calls and the most it had in flight at once, and answers as told.

Modes: "good" (a valid answer whose points name the call, so two calls never agree), "garbage"
(prose, not JSON), "500" (always fails), a fixed answer (a dict), or a script of HTTP statuses
for the next calls (`fail_next`: 429 with Retry-After, 503, ...). `hold_until` keeps each
answer back until that many calls are in flight at once (or every expected call has come), so
a test sees the concurrency a client reaches without timing anything; `delay` answers slowly
(for the bench); mode "stall" answers only when released (after the client gave up: the
timeout test).
"""

from __future__ import annotations

import json
import re
import threading
import time
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest

from digest.models import Article, Summary
from digest.summarize import ExtractiveSummarizer

WAIT_LIMIT = 60.0  # a broken client must fail the test, not hang it
TITLE = re.compile(r"^Title: (.*)$", re.M)


def offline_counter(monkeypatch: pytest.MonkeyPatch) -> Counter[str]:
    """Count the offline summarizer's calls from now on: article key -> calls."""
    counted: Counter[str] = Counter()
    original = ExtractiveSummarizer.summarize

    def counting(self: ExtractiveSummarizer, article: Article) -> Summary:
        counted[article.key] += 1
        return original(self, article)

    monkeypatch.setattr(ExtractiveSummarizer, "summarize", counting)
    return counted


class FakeLLM:
    def __init__(self) -> None:
        self.mode: str | dict[str, Any] = "good"
        self.calls = 0
        self.in_flight = 0
        self.peak = 0
        self.requests: list[dict[str, Any]] = []
        self.script: list[tuple[int, dict[str, str]]] = []  # (status, headers) for next calls
        self.hold_until: tuple[int, int] | None = None  # (in flight, expected calls)
        self.delay = 0.0
        self.released = threading.Event()  # what a "stall" answer waits for
        self.lock = threading.Condition()
        self.url = ""

    def reset(self) -> None:
        with self.lock:
            self.mode, self.calls, self.in_flight, self.peak = "good", 0, 0, 0
            self.requests.clear()
            self.script.clear()
            self.hold_until, self.delay = None, 0.0
            self.released.set()
            self.released = threading.Event()

    def fail_next(self, *replies: tuple[int, dict[str, str]]) -> None:
        """The next calls answer these statuses and headers, in turn."""
        self.script.extend(replies)

    def enter(self, body: dict[str, Any], auth: str | None, path: str) -> tuple[int, int, Any]:
        """Count a call in; (its number, the scripted status or 200, its headers)."""
        with self.lock:
            self.calls += 1
            self.in_flight += 1
            self.peak = max(self.peak, self.in_flight)
            self.requests.append({"path": path, "auth": auth, **body})
            number = self.calls
            status, headers = self.script.pop(0) if self.script else (200, {})
            self.lock.notify_all()
            if self.hold_until is not None:
                target, expected = self.hold_until
                self.lock.wait_for(
                    lambda: self.peak >= target or self.calls >= expected, WAIT_LIMIT
                )
        return number, status, headers

    def leave(self) -> None:
        with self.lock:
            self.in_flight -= 1

    def content(self, number: int, body: dict[str, Any]) -> str:
        if isinstance(self.mode, dict):
            return json.dumps(self.mode)
        if self.mode == "garbage":
            return "Sure! Here is a summary: the budget passed."
        found = TITLE.search(body["messages"][1]["content"])
        title = found[1] if found else "Untitled"
        points = [
            f"The fake model wrote this first point in call {number}.",
            f"Its second point counts {len(title)} characters in the title.",
        ]
        return json.dumps({"headline": title, "section": None, "key_points": points})


def _handler(fake: FakeLLM) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args: object) -> None:
            return

        def do_POST(self) -> None:
            body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
            number, status, headers = fake.enter(body, self.headers.get("Authorization"), self.path)
            try:
                if fake.delay:
                    time.sleep(fake.delay)  # the bench's slow model, never a test's
                if fake.mode == "stall":
                    fake.released.wait(WAIT_LIMIT)
                if fake.mode == "500":
                    status = 500
                payload = b""
                if status == 200:
                    message = {"role": "assistant", "content": fake.content(number, body)}
                    payload = json.dumps({"choices": [{"message": message}]}).encode()
                    headers = {"Content-Type": "application/json"}
            finally:
                fake.leave()  # counted out before answering: the client's next call may follow
            self.send_response(status)
            for name, value in headers.items():
                self.send_header(name, value)
            self.send_header("Content-Length", str(len(payload)))
            self.end_headers()
            self.wfile.write(payload)

    return Handler


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    request_queue_size = 128  # every client connection accepted at once, none waiting in SYN


@contextmanager
def serving() -> Iterator[FakeLLM]:
    """A FakeLLM listening on 127.0.0.1; its `url` is the base URL ending in /v1."""
    fake = FakeLLM()
    httpd = _Server(("127.0.0.1", 0), _handler(fake))
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    fake.url = f"http://127.0.0.1:{httpd.server_address[1]}/v1"
    try:
        yield fake
    finally:
        fake.released.set()
        httpd.shutdown()
        httpd.server_close()
