"""A real HTTP server on a free port of 127.0.0.1 serving article pages for "Add a story by
URL": the Europa article of tests/data/web, a PDF, a page without article text, a page over
the size cap, and a listener that never answers (a timeout)."""

from __future__ import annotations

import gzip
import socket
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from tests.conftest import REPO

EUROPA_FILE = REPO / "tests" / "data" / "web" / "europa-plumes.html.gz"
EUROPA_URL = (  # the page's canonical URL: the article's key
    "https://www.sciencealert.com/nasa-finds-water-plumes-above-the-surface-of-jupiter-s-icy-moon-europa"
)
EUROPA_TITLE = (
    "NASA Just Confirmed There Are Water Plumes Above The Surface of Jupiter's Moon Europa"
)
EMPTY = b"<!doctype html><html><head><title>Menu</title></head><body><nav>Home</nav></body></html>"


def routes() -> dict[str, tuple[str, bytes]]:
    return {
        "/europa": ("text/html; charset=utf-8", gzip.decompress(EUROPA_FILE.read_bytes())),
        "/report.pdf": ("application/pdf", b"%PDF-1.4 not a page"),
        "/empty": ("text/html", EMPTY),
        "/huge": ("text/html", b"<p>" + b"x" * 200_000 + b"</p>"),
    }


@contextmanager
def article_server() -> Iterator[str]:
    """The server's base URL (http://127.0.0.1:PORT) while the block runs."""
    pages = routes()

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            found = pages.get(self.path)
            if found is None:
                self.send_error(404)
                return
            kind, body = found
            self.send_response(200)
            self.send_header("Content-Type", kind)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, format: str, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=10)


@contextmanager
def silent_server() -> Iterator[str]:
    """A listener that takes connections and never answers: every request times out."""
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen()
    try:
        yield f"http://127.0.0.1:{listener.getsockname()[1]}/never"
    finally:
        listener.close()


def closed_port() -> str:
    """A URL on a loopback port nothing listens on."""
    probe = socket.socket()
    probe.bind(("127.0.0.1", 0))
    port = probe.getsockname()[1]
    probe.close()
    return f"http://127.0.0.1:{port}/gone"
