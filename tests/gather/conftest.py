"""A real HTTP server on 127.0.0.1 whose routes tests script, counting hits and concurrency."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

Reply = tuple[int, dict[str, str], bytes]
Route = Callable[[BaseHTTPRequestHandler, int], Reply]


@dataclass
class Server:
    base: str
    routes: dict[str, Route] = field(default_factory=dict)
    hits: dict[str, int] = field(default_factory=dict)
    headers: list[dict[str, str]] = field(default_factory=list)
    active: int = 0
    max_active: int = 0
    lock: threading.Lock = field(default_factory=threading.Lock)

    def url(self, path: str) -> str:
        return self.base + path


@pytest.fixture
def server() -> Iterator[Server]:
    state = Server(base="")

    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args: object) -> None:
            pass

        def do_GET(self) -> None:
            with state.lock:
                state.hits[self.path] = state.hits.get(self.path, 0) + 1
                state.headers.append(dict(self.headers.items()))
                state.active += 1
                state.max_active = max(state.max_active, state.active)
                count = state.hits[self.path]
            try:
                route = state.routes.get(self.path)
                status, headers, body = route(self, count) if route else (404, {}, b"nope")
            finally:
                # Counted out before the answer is written: once the client has read it, it may
                # start its next request before this thread would get past the write.
                with state.lock:
                    state.active -= 1
            try:
                self.send_response(status)
                for name, value in headers.items():
                    self.send_header(name, value)
                if "Content-Length" not in headers and status != 304:
                    self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                if status != 304:
                    self.wfile.write(body)
            except (BrokenPipeError, ConnectionResetError):
                pass

    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    httpd.daemon_threads = True
    state.base = f"http://127.0.0.1:{httpd.server_address[1]}"
    thread = threading.Thread(target=httpd.serve_forever, args=(0.02,), daemon=True)
    thread.start()
    yield state
    httpd.shutdown()
    httpd.server_close()


def slow(seconds: float, reply: Reply) -> Route:
    def route(handler: BaseHTTPRequestHandler, count: int) -> Reply:
        time.sleep(seconds)
        return reply

    return route
