"""gather_sources: a source's seconds are its fetch time, not its time queued for a slot, and
each finished source is reported for the progress bar."""

from __future__ import annotations

import asyncio
from pathlib import Path
from types import SimpleNamespace

import httpx
import pytest

from digest.gather import FetchSettings
from digest.gather import fetch as fetch_module
from digest.gather import gather as gather_module
from digest.models import SourceConfig

FEED = b"""<?xml version="1.0"?><rss version="2.0"><channel><title>F</title>
<item><title>One</title><link>https://feeds.example/1</link><description>Text.</description></item>
</channel></rss>"""


class StepClock:
    """perf_counter for the gather and fetch modules: moves one second per answered request."""

    def __init__(self) -> None:
        self.now = 0.0

    def perf_counter(self) -> float:
        return self.now


def test_seconds_exclude_the_wait_for_a_slot(monkeypatch: pytest.MonkeyPatch) -> None:
    clock = StepClock()
    fake_time = SimpleNamespace(perf_counter=clock.perf_counter)
    monkeypatch.setattr(gather_module, "time", fake_time)
    monkeypatch.setattr(fetch_module, "time", fake_time)

    async def answer(request: httpx.Request) -> httpx.Response:
        clock.now += 1.0  # each request takes "one second"; one host, one slot: they queue
        return httpx.Response(200, content=FEED, headers={"content-type": "application/rss+xml"})

    sources = [SourceConfig(f"s{i}", f"https://feeds.example/{i}.xml", "feed") for i in range(4)]
    done: list[tuple[int, int]] = []
    result = asyncio.run(
        gather_module.gather_async(
            sources,
            base_dir=Path("."),
            settings=FetchSettings(per_host=1, concurrency=1, parse_workers=1),
            transport=httpx.MockTransport(answer),
            progress=lambda finished, total: done.append((finished, total)),
        )
    )
    assert [s.status for s in result.statuses] == ["ok"] * 4
    # Queued behind each other they finish at 1, 2, 3, 4 s; each one's own fetch took 1 s.
    assert [s.seconds for s in result.statuses] == [1.0, 1.0, 1.0, 1.0]
    assert done == [(1, 4), (2, 4), (3, 4), (4, 4)]
