"""Fetching against a real local HTTP server: 304, caps, redirects, timeouts, retries, limits."""

from __future__ import annotations

import gzip
from http.server import BaseHTTPRequestHandler
from pathlib import Path

import httpx
import pytest

from digest.gather import FetchSettings, gather_sources
from digest.gather.fetch import MemoryCache
from digest.gather.gather import gather_async
from digest.models import SourceConfig

from .conftest import Reply, Route, Server, slow

RSS = b"""<?xml version="1.0" encoding="utf-8"?>
<rss version="2.0"><channel><title>T</title><link>https://example.com/</link>
<item><title>First story</title><link>https://example.com/a?utm_source=rss</link>
<description>&lt;p&gt;Body of the first story.&lt;/p&gt;</description>
<pubDate>Tue, 18 Mar 2025 10:00:00 +0000</pubDate></item>
</channel></rss>"""
FAST = FetchSettings(timeout=2.0, retries=2, retry_backoff=0.01)


def feed(url: str, name: str = "feed") -> SourceConfig:
    return SourceConfig(name=name, url=url, kind="feed")


def conditional(handler: BaseHTTPRequestHandler, count: int) -> Reply:
    if handler.headers.get("If-None-Match") == '"v1"':
        return 304, {"ETag": '"v1"'}, b""
    headers = {"ETag": '"v1"', "Last-Modified": "Tue, 18 Mar 2025 10:00:00 GMT"}
    return 200, {**headers, "Content-Type": "application/rss+xml"}, RSS


def test_second_run_is_304_and_costs_no_parsing(server: Server, tmp_path: Path) -> None:
    server.routes["/f"] = conditional
    cache = MemoryCache()
    first = gather_sources([feed(server.url("/f"))], base_dir=tmp_path, cache=cache, settings=FAST)
    assert [a.url for a in first.articles] == ["https://example.com/a"]
    assert first.statuses[0].status == "ok"
    assert cache.stored[server.url("/f")] == ('"v1"', "Tue, 18 Mar 2025 10:00:00 GMT")

    second = gather_sources([feed(server.url("/f"))], base_dir=tmp_path, cache=cache, settings=FAST)
    assert second.articles == ()
    assert second.statuses[0].status == "not-modified"
    assert server.headers[-1]["If-Modified-Since"] == "Tue, 18 Mar 2025 10:00:00 GMT"
    assert second.problems == ()


def test_user_agent_is_sent(server: Server, tmp_path: Path) -> None:
    server.routes["/f"] = lambda h, n: (200, {}, RSS)
    gather_sources([feed(server.url("/f"))], base_dir=tmp_path, settings=FAST)
    assert server.headers[0]["User-Agent"] == FetchSettings().user_agent


def test_response_over_the_cap_is_a_problem(server: Server, tmp_path: Path) -> None:
    server.routes["/big"] = lambda h, n: (200, {}, RSS + b" " * 5000)
    settings = FetchSettings(max_bytes=2000, retries=0)
    result = gather_sources([feed(server.url("/big"), "big")], base_dir=tmp_path, settings=settings)
    assert result.statuses[0].status == "error"
    assert "too large" in (result.problems[0].message)
    assert result.problems[0].subject == "big"


def test_decompressed_size_is_capped_too(server: Server, tmp_path: Path) -> None:
    bomb = gzip.compress(b"<rss>" + b" " * 3_000_000)
    server.routes["/bomb"] = lambda h, n: (200, {"Content-Encoding": "gzip"}, bomb)
    settings = FetchSettings(max_bytes=100_000, retries=0)
    result = gather_sources([feed(server.url("/bomb"))], base_dir=tmp_path, settings=settings)
    assert len(bomb) < 100_000
    assert "too large" in result.problems[0].message


def test_redirects_are_capped(server: Server, tmp_path: Path) -> None:
    def hop(target: str) -> Route:
        return lambda handler, count: (302, {"Location": target}, b"")

    for i in range(6):
        server.routes[f"/r{i}"] = hop(f"/r{i + 1}")
    server.routes["/r6"] = lambda h, n: (200, {}, RSS)
    settings = FetchSettings(max_redirects=3, retries=0)
    result = gather_sources([feed(server.url("/r0"))], base_dir=tmp_path, settings=settings)
    assert "too many redirects" in result.problems[0].message
    ok = gather_sources([feed(server.url("/r4"))], base_dir=tmp_path, settings=settings)
    assert ok.statuses[0].status == "ok"


def test_slow_server_times_out(server: Server, tmp_path: Path) -> None:
    server.routes["/slow"] = slow(1.5, (200, {}, RSS))
    settings = FetchSettings(timeout=0.3, retries=0)
    result = gather_sources([feed(server.url("/slow"))], base_dir=tmp_path, settings=settings)
    assert "timed out" in result.problems[0].message
    assert result.statuses[0].seconds < 1.2


def test_500_is_retried_then_succeeds(server: Server, tmp_path: Path) -> None:
    server.routes["/flaky"] = lambda h, n: (500, {}, b"oops") if n < 3 else (200, {}, RSS)
    result = gather_sources([feed(server.url("/flaky"))], base_dir=tmp_path, settings=FAST)
    assert result.statuses[0].status == "ok"
    assert server.hits["/flaky"] == 3


def test_500_gives_up_after_the_retries(server: Server, tmp_path: Path) -> None:
    server.routes["/down"] = lambda h, n: (503, {}, b"down")
    result = gather_sources([feed(server.url("/down"))], base_dir=tmp_path, settings=FAST)
    assert server.hits["/down"] == 3
    assert "HTTP 503 after 3 attempts" in result.problems[0].message


def test_404_is_not_retried(server: Server, tmp_path: Path) -> None:
    result = gather_sources([feed(server.url("/missing"))], base_dir=tmp_path, settings=FAST)
    assert server.hits["/missing"] == 1
    assert result.problems[0].message.startswith("HTTP 404")


def test_per_host_limit_holds(server: Server, tmp_path: Path) -> None:
    for i in range(8):
        server.routes[f"/p{i}"] = slow(0.15, (200, {}, RSS.replace(b"/a?", f"/{i}?".encode())))
    settings = FetchSettings(per_host=2, concurrency=10)
    sources = [feed(server.url(f"/p{i}"), f"p{i}") for i in range(8)]
    result = gather_sources(sources, base_dir=tmp_path, settings=settings)
    assert sum(s.articles for s in result.statuses) == 8
    assert server.max_active == 2


def test_one_bad_source_does_not_stop_the_others(server: Server, tmp_path: Path) -> None:
    server.routes["/good"] = lambda h, n: (200, {}, RSS)
    server.routes["/junk"] = lambda h, n: (200, {}, b"\x00\x01 not a feed at all")
    sources = [
        feed(server.url("/junk"), "junk"),
        feed("no/such/file.xml", "missing"),
        feed("ftp://example.com/x", "ftp"),
        feed(server.url("/good"), "good"),
    ]
    result = gather_sources(sources, base_dir=tmp_path, settings=FAST)
    assert [s.status for s in result.statuses] == ["error", "error", "error", "ok"]
    assert {p.subject for p in result.problems} == {"junk", "missing", "ftp"}
    assert "cannot read" in result.problems[1].message


def test_tracking_variants_across_feeds_are_one_article(server: Server, tmp_path: Path) -> None:
    server.routes["/one"] = lambda h, n: (200, {}, RSS)
    server.routes["/two"] = lambda h, n: (200, {}, RSS.replace(b"utm_source=rss", b"fbclid=1"))
    sources = [feed(server.url("/one"), "one"), feed(server.url("/two"), "two")]
    result = gather_sources(sources, base_dir=tmp_path, settings=FAST)
    assert [(a.url, a.source) for a in result.articles] == [("https://example.com/a", "one")]


@pytest.mark.parametrize("status", [429, 502])
def test_mock_transport_transient_statuses_retry(status: int, tmp_path: Path) -> None:
    calls: list[str] = []

    def handler(request: httpx.Request) -> httpx.Response:
        calls.append(str(request.url))
        if len(calls) == 1:
            return httpx.Response(status, headers={"Retry-After": "0"})
        return httpx.Response(200, content=RSS)

    import asyncio

    result = asyncio.run(
        gather_async(
            [feed("https://feeds.example/x")],
            base_dir=tmp_path,
            settings=FAST,
            transport=httpx.MockTransport(handler),
        )
    )
    assert len(calls) == 2
    assert result.statuses[0].status == "ok"
