"""gather_sources end to end vs a sequential fetch-then-parse loop, and a run of all 304s.

Usage: python bench/bench_gather.py [N_FEEDS] [--skip-loop]   (default 500 feeds)
A local server on 127.0.0.1 (its own process) answers every request after 50 ms, serving the
real feeds of tests/data/gather/feeds/real in turn, with ETags. Each gather configuration runs
REPEATS times (a first run, then a second run with the same cache: all 304) and the medians
give the ratios: targets are >= 10x for gather vs the loop, >= 5x for the 304 run vs the first.
The machine is shared, so the load average is printed at the start and the end.
"""

from __future__ import annotations

import contextlib
import hashlib
import multiprocessing
import os
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import feedparser
import httpx

from digest.errors import SourceError
from digest.gather import FetchSettings, gather_sources
from digest.gather.feeds import parse_feed
from digest.gather.fetch import MemoryCache
from digest.models import SourceConfig

LATENCY = 0.05
REPEATS = 3
FEEDS = sorted((Path(__file__).resolve().parent.parent / "tests/data/gather/feeds/real").glob("*"))
FEEDS = [p for p in FEEDS if p.suffix in (".xml", ".json")]


def serve(port_out: multiprocessing.connection.Connection) -> None:
    bodies = [p.read_bytes() for p in FEEDS]
    tags = [f'"{hashlib.sha1(b).hexdigest()[:16]}"' for b in bodies]

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"
        # Headers and body go out as separate writes: with Nagle's algorithm the body waits
        # for the client's delayed ACK of the headers (40 ms on Linux), and "50 ms" became ~92.
        disable_nagle_algorithm = True

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


def sequential(urls: list[str]) -> int:
    """The baseline the issue names: one GET after another, feedparser on the bytes.

    It does less than gather_sources (no sanitising, no cleaning, no article building)."""
    entries = 0
    with httpx.Client() as client:
        for url in urls:
            entries += len(feedparser.parse(client.get(url).content).entries)
    return entries


def parse_cpu_per_feed(feeds: int = 200) -> float:
    """CPU seconds per feed of parse_feed alone (the real feeds in turn, as served)."""
    bodies = [p.read_bytes() for p in FEEDS]
    source = SourceConfig(name="bench", url="http://127.0.0.1/feed", kind="feed")
    started = 0.0
    for i in range(-len(bodies), feeds):  # one pass to warm up, then the timed feeds
        if i == 0:
            started = time.process_time()
        body = bodies[i % len(bodies)]
        kind = "application/feed+json" if body.lstrip().startswith(b"{") else "text/xml"
        with contextlib.suppress(SourceError):  # the ill-formed feed costs its parse too
            parse_feed(body, url="http://127.0.0.1/feed", content_type=kind, source=source)
    return (time.process_time() - started) / feeds


def timed(func: Callable[[], str]) -> tuple[float, str]:
    started = time.perf_counter()
    result = func()
    return time.perf_counter() - started, result


def load() -> str:
    one, five, _ = os.getloadavg()
    return f"load average {one:.2f} (5 min {five:.2f}) on {os.cpu_count()} cores"


def main() -> None:
    args = [a for a in sys.argv[1:] if not a.startswith("--")]
    n = int(args[0]) if args else 500
    parse_cpu = parse_cpu_per_feed()  # before the server process starts and competes
    receive, send = multiprocessing.Pipe(duplex=False)
    server = multiprocessing.Process(target=serve, args=(send,), daemon=True)
    server.start()
    port = receive.recv()
    urls = [f"http://127.0.0.1:{port}/feed/{i}" for i in range(n)]
    sources = [SourceConfig(name=f"feed{i}", url=u, kind="feed") for i, u in enumerate(urls)]
    base = Path(tempfile.gettempdir())
    print(f"{n} feeds ({len(FEEDS)} distinct real feeds), {LATENCY * 1000:.0f} ms per response")
    print(f"start: {load()}")
    print(f"parse_feed alone: {parse_cpu * 1000:.2f} ms of CPU per feed")

    def run(settings: FetchSettings, cache: MemoryCache) -> str:
        result = gather_sources(sources, base_dir=base, cache=cache, settings=settings)
        statuses = {s.status for s in result.statuses}
        return f"{len(result.articles)} articles, statuses {sorted(statuses)}"

    if "--skip-loop" in sys.argv:  # for quick iterations only: no ratio against the loop
        loop = float("nan")
    else:
        loop, found = timed(lambda: f"{sequential(urls)} entries")
        print(f"{'sequential httpx + feedparser loop':<52} {loop:6.2f} s   {found}")

    # One local host stands in for 500 different hosts, so per_host is raised to the overall
    # limit; everything else is the operator's default (concurrency 20, a process per core).
    configs = {
        "default (concurrency 20)": FetchSettings(per_host=20),
        "concurrency 50": FetchSettings(concurrency=50, per_host=50),
        "default, in one process": FetchSettings(per_host=20, parse_workers=1),
    }
    medians: dict[str, tuple[float, float]] = {}
    for label, settings in configs.items():
        firsts, seconds = [], []
        for _ in range(REPEATS):
            cache = MemoryCache()
            first, found = timed(lambda: run(settings, cache))  # noqa: B023
            second, again = timed(lambda: run(settings, cache))  # noqa: B023
            firsts.append(first)
            seconds.append(second)
        medians[label] = (statistics.median(firsts), statistics.median(seconds))
        print(f"gather_sources, {label}, first run {' '.join(f'{t:.2f}' for t in firsts)} s")
        print(f"  {found}")
        print(f"gather_sources, {label}, all-304 run {' '.join(f'{t:.2f}' for t in seconds)} s")
        print(f"  {again}")
    print(f"end: {load()}")
    print(f"medians of {REPEATS} runs:")
    for label, (first, second) in medians.items():
        print(
            f"  {label:<30} first {first:5.2f} s: {loop / first:5.1f}x the loop (target >= 10x);"
            f" all-304 {second:5.2f} s: {first / second:4.1f}x faster (target >= 5x)"
        )
    server.terminate()


if __name__ == "__main__":
    main()
