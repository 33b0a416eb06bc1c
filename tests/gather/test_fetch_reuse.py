"""Connection reuse across conditional GETs, the per-request client slots, and the parse pool."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from digest.gather import FetchSettings, gather_sources
from digest.gather.fetch import MemoryCache
from digest.gather.gather import start_parse_pool
from digest.models import SourceConfig

RSS = (
    b'<?xml version="1.0" encoding="UTF-8"?><rss version="2.0"><channel><title>t</title>'
    b"<item><title>One story</title><link>http://example.com/one</link>"
    b"<description>&lt;p&gt;Body text.&lt;/p&gt;</description></item></channel></rss>"
)


@pytest.fixture
def keepalive_server() -> Iterator[tuple[str, set[int]]]:
    """HTTP/1.1 with keep-alive and ETags; records each client port (one per connection)."""
    ports: set[int] = set()

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, *args: object) -> None:
            pass

        def do_GET(self) -> None:
            ports.add(self.client_address[1])
            if self.headers.get("If-None-Match") == '"v1"':
                self.send_response(304)
                self.send_header("ETag", '"v1"')
                self.end_headers()
                return
            self.send_response(200)
            self.send_header("ETag", '"v1"')
            self.send_header("Content-Type", "application/rss+xml")
            self.send_header("Content-Length", str(len(RSS)))
            self.end_headers()
            self.wfile.write(RSS)

    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    httpd.daemon_threads = True
    thread = threading.Thread(target=httpd.serve_forever, args=(0.02,), daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}", ports
    httpd.shutdown()
    httpd.server_close()


def test_not_modified_responses_keep_their_connections_open(
    keepalive_server: tuple[str, set[int]], tmp_path: Path
) -> None:
    base, ports = keepalive_server
    sources = [SourceConfig(name=f"f{i}", url=f"{base}/f{i}", kind="feed") for i in range(30)]
    settings = FetchSettings(concurrency=3, per_host=3, parse_workers=1)
    cache = MemoryCache()
    first = gather_sources(sources, base_dir=tmp_path, cache=cache, settings=settings)
    assert {s.status for s in first.statuses} == {"ok"}
    assert len(ports) <= 3  # one connection per slot, reused from request to request
    ports.clear()
    second = gather_sources(sources, base_dir=tmp_path, cache=cache, settings=settings)
    assert {s.status for s in second.statuses} == {"not-modified"}
    assert len(ports) <= 3  # a 304 read to its end leaves the connection reusable


def _wait_for_other_threads() -> None:
    for thread in threading.enumerate():
        if thread is not threading.main_thread():
            thread.join(timeout=2)


def test_parse_pool_gives_the_same_articles_as_in_process_parsing(tmp_path: Path) -> None:
    feeds = Path(__file__).resolve().parent.parent / "data" / "gather" / "feeds" / "real"
    sources = [
        SourceConfig(name=p.stem, url=str(p), kind="feed") for p in sorted(feeds.glob("*.xml"))
    ]
    _wait_for_other_threads()
    pool = start_parse_pool(2)
    assert pool is not None  # single-threaded now, so the run below forks its workers too
    pool.shutdown()
    pooled = gather_sources(sources, base_dir=tmp_path, settings=FetchSettings(parse_workers=2))
    inline = gather_sources(sources, base_dir=tmp_path, settings=FetchSettings(parse_workers=1))
    assert len(pooled.articles) > 300
    assert pooled.articles == inline.articles
    assert pooled.problems == inline.problems


def test_no_parse_pool_is_forked_while_other_threads_run() -> None:
    stop = threading.Event()
    other = threading.Thread(target=stop.wait)
    other.start()
    try:
        assert start_parse_pool(2) is None
    finally:
        stop.set()
        other.join()
    assert start_parse_pool(1) is None
