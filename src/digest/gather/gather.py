"""gather_sources: every configured source to Articles, concurrently; failures become data."""

from __future__ import annotations

import asyncio
import hashlib
import multiprocessing as mp
import os
import threading
import time
from collections.abc import Callable, Sequence
from concurrent.futures import Executor, ProcessPoolExecutor
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Literal

import httpx

from digest.errors import DigestError, SourceError
from digest.gather.feeds import parse_feed
from digest.gather.fetch import Fetched, Fetcher, HttpCache
from digest.gather.settings import FetchSettings
from digest.models import Article, Problem, SourceConfig

__all__ = ["GatherResult", "SourceStatus", "gather_async", "gather_sources"]

POOL_THRESHOLD = 40  # feeds in a run before a process pool pays for its start-up


@dataclass(frozen=True)
class SourceStatus:
    """What happened to one source, for the `digest gather` table."""

    name: str
    status: Literal["ok", "not-modified", "error"]
    articles: int
    error: str | None = None
    seconds: float = 0.0


@dataclass(frozen=True)
class GatherResult:
    """Deduplicated articles of all sources, one status per source, and the problems."""

    articles: tuple[Article, ...]
    statuses: tuple[SourceStatus, ...]
    problems: tuple[Problem, ...]


def gather_sources(
    sources: Sequence[SourceConfig],
    *,
    base_dir: Path,
    cache: HttpCache | None = None,
    settings: FetchSettings = FetchSettings(),  # noqa: B008 (frozen, so a safe default)
    progress: Callable[[int, int], None] | None = None,
) -> GatherResult:
    """Gather every source (sync entry point); never raises for one bad source.

    progress(done, total) is called as each source finishes, for a live progress bar.
    """
    return asyncio.run(
        gather_async(sources, base_dir=base_dir, cache=cache, settings=settings, progress=progress)
    )


def _extract_page(fetched: Fetched, *, source: str) -> Article:
    """digest.gather.page's: trafilatura and its dependencies take ~0.1 s to import, so only a
    run with pages or full-text feeds pays for them."""
    from digest.gather.page import extract_page as extract

    return extract(fetched.body, url=fetched.url, source=source, content_type=fetched.content_type)


def _is_http(url: str) -> bool:
    return url.lower().startswith(("http://", "https://"))


def _pool_size(settings: FetchSettings, feeds: int) -> int:
    if settings.parse_workers:
        return settings.parse_workers
    return _cpus() if feeds >= POOL_THRESHOLD else 1


def _cpus() -> int:
    try:
        return len(os.sched_getaffinity(0))  # the cores this process may use, not the machine's
    except AttributeError:
        return os.cpu_count() or 1


def start_parse_pool(workers: int) -> Executor | None:
    """Fork the parse workers now, before the run starts any thread; None to parse in-process.

    fork costs ~25 ms where spawn would re-import everything in each worker; forking a process
    whose other threads may hold locks is unsafe, so with other threads alive there is no pool.
    """
    if workers <= 1 or "fork" not in mp.get_all_start_methods() or threading.active_count() > 1:
        return None
    pool = ProcessPoolExecutor(workers, mp_context=mp.get_context("fork"))
    pool.submit(int)  # the fork context starts every worker on the first submit
    return pool


class _Run:
    """One gathering run: a fetcher, an optional parse pool, the validators cache."""

    def __init__(
        self,
        fetcher: Fetcher,
        base_dir: Path,
        cache: HttpCache | None,
        settings: FetchSettings,
        pool: Executor | None,
    ) -> None:
        self.fetcher = fetcher
        self.base_dir = base_dir
        self.cache = cache
        self.settings = settings
        self.pool = pool
        self.problems: list[Problem] = []

    async def read(self, source: SourceConfig, conditional: bool) -> Fetched:
        if _is_http(source.url):
            etag, modified = (None, None)
            if conditional and self.cache is not None:
                etag, modified = self.cache.validators(source.url)
            return await self.fetcher.fetch(source.url, etag=etag, last_modified=modified)
        path = self.base_dir / source.url
        try:
            size = path.stat().st_size
            if size > self.settings.max_bytes:
                raise SourceError(f"{path}: file too large ({size} > {self.settings.max_bytes})")
            return Fetched(str(path), path.read_bytes(), None)
        except OSError as exc:
            raise SourceError(f"cannot read {path}: {exc.strerror or exc}") from None

    async def parse(self, source: SourceConfig, fetched: Fetched) -> list[Article]:
        url = source.url if _is_http(source.url) else fetched.url
        if source.kind == "page":
            article = _extract_page(fetched, source=source.name)
            if not _is_http(source.url):
                article = replace(article, url=article.url if _is_http(article.url) else url)
            return [replace(article, section=source.section or article.section)]
        if self.pool is None:
            # Inline: a worker thread would fight the event loop for the GIL, and every system
            # call of the loop would then wait up to a switch interval (5 ms) to get it back.
            return _parse_feed_job(fetched.body, url, fetched.content_type, source)
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(
            self.pool, _parse_feed_job, fetched.body, url, fetched.content_type, source
        )

    async def full_text(self, source: SourceConfig, article: Article) -> Article:
        """Replace a teaser by the linked page's article text; keep the teaser on failure."""
        try:
            fetched = await self.fetcher.fetch(article.url)
            page = _extract_page(fetched, source=source.name)
        except DigestError as exc:
            self.problems.append(Problem("gather", source.name, f"{article.url}: {exc}"))
            return article
        return replace(
            article,
            text=page.text,
            section=article.section or page.section,
            published=article.published or page.published,
            image_url=article.image_url or page.image_url,
        )

    async def source(self, source: SourceConfig) -> tuple[list[Article], SourceStatus]:
        started = time.perf_counter()
        try:
            fetched = await self.read(source, conditional=True)
            if fetched.not_modified:
                status = SourceStatus(source.name, "not-modified", 0)
                return [], replace(status, seconds=time.perf_counter() - started)
            articles = await self.parse(source, fetched)
            if source.full_text and source.kind == "feed":
                articles = list(
                    await asyncio.gather(*(self.full_text(source, a) for a in articles))
                )
            if self.cache is not None and _is_http(source.url):
                self.cache.store_validators(source.url, fetched.etag, fetched.last_modified)
        except DigestError as exc:
            return [], self._failed(source, str(exc), started)
        except Exception as exc:  # one hostile source must never stop the run
            return [], self._failed(source, f"{type(exc).__name__}: {exc}", started)
        seconds = self._seconds(source, started)
        return articles, SourceStatus(source.name, "ok", len(articles), seconds=seconds)

    def _seconds(self, source: SourceConfig, started: float) -> float:
        """Time since the source's request got a connection slot: fetch time, not queue time."""
        return time.perf_counter() - self.fetcher.began.get(source.url, started)

    def _failed(self, source: SourceConfig, reason: str, started: float) -> SourceStatus:
        self.problems.append(Problem("gather", source.name, reason))
        return SourceStatus(source.name, "error", 0, reason, self._seconds(source, started))


def _parse_feed_job(
    body: bytes, url: str, content_type: str | None, source: SourceConfig
) -> list[Article]:
    return parse_feed(body, url=url, content_type=content_type, source=source)


def _fingerprint(article: Article) -> str:
    basis = " ".join((article.title + " " + article.text[:500]).lower().split())
    return hashlib.sha1(basis.encode("utf-8")).hexdigest()


def dedupe(articles: Sequence[Article]) -> tuple[Article, ...]:
    """First occurrence wins, by canonical URL and by a title+opening fingerprint."""
    seen: set[str] = set()
    kept = []
    for article in articles:
        keys = {article.url, _fingerprint(article)}
        if keys & seen:
            continue
        seen |= keys
        kept.append(article)
    return tuple(kept)


async def gather_async(
    sources: Sequence[SourceConfig],
    *,
    base_dir: Path,
    cache: HttpCache | None = None,
    settings: FetchSettings = FetchSettings(),  # noqa: B008
    transport: httpx.AsyncBaseTransport | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> GatherResult:
    """The async core of gather_sources; `transport` lets tests use httpx.MockTransport."""
    pool = start_parse_pool(_pool_size(settings, sum(1 for s in sources if s.kind == "feed")))
    try:
        async with Fetcher.slotted(settings, transport) as fetcher:
            run = _Run(fetcher, base_dir, cache, settings, pool)
            done = 0

            async def counted(source: SourceConfig) -> tuple[list[Article], SourceStatus]:
                nonlocal done
                found = await run.source(source)
                done += 1
                if progress is not None:
                    progress(done, len(sources))
                return found

            results = await asyncio.gather(*(counted(s) for s in sources))
    finally:
        if pool is not None:
            pool.shutdown(cancel_futures=True)
    articles = dedupe([a for found, _ in results for a in found])
    return GatherResult(articles, tuple(s for _, s in results), tuple(run.problems))
