"""gather_sources end to end vs a sequential fetch-then-parse loop, and a run of all 304s.

Usage: python bench/bench_gather.py [N_FEEDS] [--skip-loop]   (default 500 feeds)
A local server on 127.0.0.1 (its own process) answers every request after 50 ms, serving the
real feeds of tests/data/gather/feeds/real in turn, with ETags. Prints the ratios:
targets are >= 10x for gather vs the loop, >= 5x for the 304 run vs the first run.
"""

from __future__ import annotations

import hashlib
import multiprocessing
import sys
import tempfile
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import feedparser
import httpx

from digest.gather import FetchSettings, gather_sources
from digest.models import SourceConfig

LATENCY = 0.05
FEEDS = sorted((Path(__file__).resolve().parent.parent / "tests/data/gather/feeds/real").glob("*"))
FEEDS = [p for p in FEEDS if p.suffix in (".xml", ".json")]


def serve(port_out: multiprocessing.connection.Connection) -> None:
    bodies = [p.read_bytes() for p in FEEDS]
    tags = [f'"{hashlib.sha1(b).hexdigest()[:16]}"' for b in bodies]

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, *args: object) -> None:
            pass

        def do_GET(self) -> None:
            time.sleep(LATENCY)
            index = int(self.path.rsplit("/", 1)[-1]) % len(bodies)
            if self.headers.get("If-None-Match") == tags[index]:
                self.send_response(304)
                self.send_header("ETag", tags[index])
                self.end_headers()
                return
            body = bodies[index]
            self.send_response(200)
            kind = "application/feed+json" if body.lstrip().startswith(b"{") else "text/xml"
            self.send_header("Content-Type", kind)
            self.send_header("ETag", tags[index])
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

    ThreadingHTTPServer.request_queue_size = 256
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    httpd.daemon_threads = True
    port_out.send(httpd.server_address[1])
    httpd.serve_forever()


class MemoryCache:
    def __init__(self) -> None:
        self.stored: dict[str, tuple[str | None, str | None]] = {}

    def validators(self, url: str) -> tuple[str | None, str | None]:
        return self.stored.get(url, (None, None))

    def store_validators(self, url: str, etag: str | None, last_modified: str | None) -> None:
        self.stored[url] = (etag, last_modified)


def sequential(urls: list[str]) -> int:
    entries = 0
    with httpx.Client() as client:
        for url in urls:
            entries += len(feedparser.parse(client.get(url).content).entries)
    return entries


def timed(label: str, func: object) -> float:
    started = time.perf_counter()
    result = func()  # type: ignore[operator]
    seconds = time.perf_counter() - started
    print(f"{label:<44} {seconds:7.2f} s   {result}")
    return seconds


def main() -> None:
    args = [a for a in sys.argv[1:] if not a.startswith("--")]
    n = int(args[0]) if args else 500
    receive, send = multiprocessing.Pipe(duplex=False)
    server = multiprocessing.Process(target=serve, args=(send,), daemon=True)
    server.start()
    port = receive.recv()
    urls = [f"http://127.0.0.1:{port}/feed/{i}" for i in range(n)]
    sources = [SourceConfig(name=f"feed{i}", url=u, kind="feed") for i, u in enumerate(urls)]
    base = Path(tempfile.gettempdir())
    settings = FetchSettings(per_host=20)  # one local host stands in for 500 different hosts
    print(f"{n} feeds ({len(FEEDS)} distinct real feeds), {LATENCY * 1000:.0f} ms per response")

    def run(cache: MemoryCache, workers: int = 0) -> str:
        result = gather_sources(
            sources,
            base_dir=base,
            cache=cache,
            settings=FetchSettings(per_host=settings.per_host, parse_workers=workers),
        )
        statuses = {s.status for s in result.statuses}
        return f"{len(result.articles)} articles, statuses {sorted(statuses)}"

    if "--skip-loop" in sys.argv:  # for quick iterations only: no ratio against the loop
        loop = float("nan")
    else:
        loop = timed("sequential httpx + feedparser loop", lambda: f"{sequential(urls)} entries")
    single = timed("gather_sources, parsing in-process", lambda: run(MemoryCache(), 1))
    cache = MemoryCache()
    first = timed("gather_sources, first run (parse pool)", lambda: run(cache))
    second = timed("gather_sources, second run (all 304)", lambda: run(cache))
    print(f"speed-up vs loop, in-process parsing: {loop / single:5.1f}x")
    print(f"speed-up vs loop, parse pool:         {loop / first:5.1f}x   (target >= 10x)")
    print(f"304 run vs first run:                 {first / second:5.1f}x   (target >= 5x)")
    server.terminate()


if __name__ == "__main__":
    main()
