"""Bounded, polite HTTP fetching: global and per-host limits, size cap, retries on transients."""

from __future__ import annotations

import asyncio
import ssl
import time
from collections.abc import AsyncIterator, Callable
from contextlib import AsyncExitStack, asynccontextmanager
from dataclasses import dataclass
from typing import Protocol
from urllib.parse import urlsplit

import httpx

from digest.errors import SourceError
from digest.gather.settings import FetchSettings

__all__ = ["Fetched", "Fetcher", "HttpCache", "MemoryCache", "new_client"]

TRANSIENT_STATUS = frozenset({408, 425, 429, 500, 502, 503, 504})
MAX_RETRY_AFTER = 30.0
# Connections kept by each slot's client (see Fetcher.slotted): enough for a redirect to another
# host or a few sources on one site, few enough that httpcore's per-request scan stays cheap.
SLOT_CONNECTIONS = 2


class HttpCache(Protocol):
    """Stored validators for conditional GET (implemented by the state module)."""

    def validators(self, url: str) -> tuple[str | None, str | None]: ...

    def store_validators(self, url: str, etag: str | None, last_modified: str | None) -> None: ...


class MemoryCache:
    """An HttpCache kept in memory: for one-off runs, tests and benchmarks."""

    def __init__(self) -> None:
        self.stored: dict[str, tuple[str | None, str | None]] = {}

    def validators(self, url: str) -> tuple[str | None, str | None]:
        return self.stored.get(url, (None, None))

    def store_validators(self, url: str, etag: str | None, last_modified: str | None) -> None:
        self.stored[url] = (etag, last_modified)


@dataclass(frozen=True)
class Fetched:
    """A response body (never larger than the cap), or `not_modified` for a 304."""

    url: str
    body: bytes
    content_type: str | None
    not_modified: bool = False
    etag: str | None = None
    last_modified: str | None = None


class _Transient(Exception):
    def __init__(self, reason: str, retry_after: float | None = None) -> None:
        super().__init__(reason)
        self.reason = reason
        self.retry_after = retry_after


_SSL_CONTEXT: ssl.SSLContext | None = None


def _ssl_context() -> ssl.SSLContext:
    """One verifying SSL context for every client: building one costs ~50 ms."""
    global _SSL_CONTEXT
    if _SSL_CONTEXT is None:
        _SSL_CONTEXT = httpx.create_ssl_context()
    return _SSL_CONTEXT


def new_client(
    settings: FetchSettings,
    transport: httpx.AsyncBaseTransport | None = None,
    *,
    max_connections: int | None = None,
) -> httpx.AsyncClient:
    """An AsyncClient with the run's User-Agent, redirect cap and connection pool size."""
    connections = max_connections or settings.concurrency
    return httpx.AsyncClient(
        headers={"User-Agent": settings.user_agent, "Accept-Encoding": "gzip, deflate"},
        follow_redirects=True,
        max_redirects=settings.max_redirects,
        timeout=httpx.Timeout(settings.timeout),
        limits=httpx.Limits(max_connections=connections, max_keepalive_connections=connections),
        verify=_ssl_context(),
        transport=transport,
    )


def _retry_after(response: httpx.Response) -> float | None:
    value = response.headers.get("retry-after", "")
    try:
        return min(float(value), MAX_RETRY_AFTER)
    except ValueError:
        return None


class Fetcher:
    """GETs URLs within the settings' limits; a failure raises SourceError with the reason.

    Built on one client, every request shares that client's connection pool. httpcore scans its
    whole pool, with two system calls per idle connection, several times per request, so a
    pool of 20 costs more CPU than parsing the feed; `Fetcher.slotted` instead gives each
    request in flight a small client of its own.
    """

    def __init__(self, client: httpx.AsyncClient, settings: FetchSettings) -> None:
        self._settings = settings
        self._all = asyncio.Semaphore(settings.concurrency)
        self._hosts: dict[str, asyncio.Semaphore] = {}
        self._shared: httpx.AsyncClient | None = client
        self._free: list[httpx.AsyncClient] = []
        self._make: Callable[[], httpx.AsyncClient] | None = None
        self.began: dict[str, float] = {}  # perf_counter when each URL first got a slot

    @classmethod
    @asynccontextmanager
    async def slotted(
        cls, settings: FetchSettings, transport: httpx.AsyncBaseTransport | None = None
    ) -> AsyncIterator[Fetcher]:
        """A Fetcher with one client per request in flight, made on demand, all closed after."""
        async with AsyncExitStack() as stack:

            def make() -> httpx.AsyncClient:
                client = new_client(settings, transport, max_connections=SLOT_CONNECTIONS)
                stack.push_async_callback(client.aclose)
                return client

            first = make()
            fetcher = cls(first, settings)
            fetcher._free, fetcher._shared, fetcher._make = [first], None, make
            yield fetcher

    def _host(self, url: str) -> asyncio.Semaphore:
        host = (urlsplit(url).hostname or "").lower()
        if host not in self._hosts:
            self._hosts[host] = asyncio.Semaphore(self._settings.per_host)
        return self._hosts[host]

    @asynccontextmanager
    async def _client(self) -> AsyncIterator[httpx.AsyncClient]:
        """The shared client, or a free slot's (the last one used: its connections are warm)."""
        if self._shared is not None:
            yield self._shared
            return
        assert self._make is not None
        client = self._free.pop() if self._free else self._make()
        try:
            yield client
        finally:
            self._free.append(client)

    async def fetch(
        self, url: str, *, etag: str | None = None, last_modified: str | None = None
    ) -> Fetched:
        """GET with conditional headers; transient failures are retried with backoff."""
        headers = {}
        if etag:
            headers["If-None-Match"] = etag
        if last_modified:
            headers["If-Modified-Since"] = last_modified
        attempt = 0
        while True:
            try:
                return await self._once(url, headers)
            except _Transient as exc:
                if attempt >= self._settings.retries:
                    tries = f" after {attempt + 1} attempts" if attempt else ""
                    raise SourceError(f"{exc.reason}{tries}") from None
                delay = self._settings.retry_backoff * 2**attempt
                await asyncio.sleep(max(delay, exc.retry_after or 0.0))
                attempt += 1

    async def _once(self, url: str, headers: dict[str, str]) -> Fetched:
        limit = self._settings.max_bytes
        async with self._all, self._host(url), self._client() as client:
            self.began.setdefault(url, time.perf_counter())
            try:
                async with asyncio.timeout(self._settings.timeout):
                    async with client.stream("GET", url, headers=headers) as response:
                        status = response.status_code
                        if status == 304:
                            await response.aread()  # the (empty) end, so the connection stays open
                            return Fetched(str(response.url), b"", None, not_modified=True)
                        if status in TRANSIENT_STATUS:
                            raise _Transient(f"HTTP {status}", _retry_after(response))
                        if status >= 400:
                            raise SourceError(f"HTTP {status} {response.reason_phrase}".strip())
                        declared = response.headers.get("content-length", "")
                        if declared.isdigit() and int(declared) > limit:
                            raise SourceError(f"response too large: {declared} bytes > {limit}")
                        chunks: list[bytes] = []
                        size = 0
                        async for chunk in response.aiter_bytes():
                            size += len(chunk)
                            if size > limit:
                                raise SourceError(f"response too large: over {limit} bytes")
                            chunks.append(chunk)
                        return Fetched(
                            url=str(response.url),
                            body=b"".join(chunks),
                            content_type=response.headers.get("content-type"),
                            etag=response.headers.get("etag"),
                            last_modified=response.headers.get("last-modified"),
                        )
            except TimeoutError:
                raise _Transient(f"timed out after {self._settings.timeout:g} s") from None
            except httpx.TooManyRedirects:
                raise SourceError(
                    f"too many redirects (more than {self._settings.max_redirects})"
                ) from None
            except (httpx.UnsupportedProtocol, httpx.InvalidURL) as exc:
                raise SourceError(f"bad URL: {exc}") from None
            except httpx.DecodingError as exc:
                raise SourceError(f"bad content encoding: {exc}") from None
            except httpx.TransportError as exc:
                raise _Transient(f"{type(exc).__name__}: {exc}".rstrip(": ")) from None
