"""Every file of the feed corpus (real, ill-formed, sanitizer, encodings, JSON, attacks) through
gather_sources: no crash, no hang, no network, dangerous markup never survives, each failure a
Problem."""

from __future__ import annotations

import re
import socket
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from digest.gather import gather_sources
from digest.models import SourceConfig
from tests.conftest import require

FEEDS = Path(__file__).resolve().parent.parent / "data" / "gather" / "feeds"
ILLFORMED_REAL = "7ef13a42fa7e177a.xml"  # broken XML declaration: no items can be read
DANGEROUS = re.compile(r"<\s*script|\son\w+\s*=|javascript\s*:|<\s*iframe|<\s*object", re.I)


def _corpus() -> list[Path]:
    skip = {".md", ".jsonl", ".txt"}
    return sorted(p for p in FEEDS.rglob("*") if p.is_file() and p.suffix not in skip)


@pytest.fixture
def loopback_8765() -> Iterator[list[bytes]]:
    """The attack feeds point external entities at 127.0.0.1:8765: catch any fetch there."""
    caught: list[bytes] = []
    server = socket.socket()
    server.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        server.bind(("127.0.0.1", 8765))
    except OSError:
        require(False, "127.0.0.1:8765 free for the external-entity listener")
    server.listen()
    server.settimeout(0.2)
    stop = threading.Event()

    def accept() -> None:
        while not stop.is_set():
            try:
                conn, _ = server.accept()
            except TimeoutError:
                continue
            caught.append(conn.recv(1024))
            conn.close()

    thread = threading.Thread(target=accept, daemon=True)
    thread.start()
    yield caught
    stop.set()
    thread.join()
    server.close()


def test_corpus_is_copied() -> None:
    files = _corpus()
    assert len(files) > 1000
    assert len(list((FEEDS / "attacks").iterdir())) == 7


def test_every_corpus_file_gathers_safely(loopback_8765: list[bytes]) -> None:
    files = _corpus()
    sources = [
        SourceConfig(name=str(p.relative_to(FEEDS)), url=str(p.relative_to(FEEDS)), kind="feed")
        for p in files
    ]
    result = gather_sources(sources, base_dir=FEEDS)

    assert len(result.statuses) == len(files)
    failed = {s.name for s in result.statuses if s.status == "error"}
    assert failed == {p.subject for p in result.problems}
    assert all(s.error for s in result.statuses if s.status == "error")
    ok = [s for s in result.statuses if s.status == "ok"]
    assert len(ok) > len(files) * 0.7, f"only {len(ok)} of {len(files)} feeds read"
    real = {s.name: s for s in result.statuses if s.name.startswith("real/")}
    assert real.pop(f"real/{ILLFORMED_REAL}").status == "error"
    assert all(s.status == "ok" and s.articles > 0 for s in real.values())

    for article in result.articles:
        assert not DANGEROUS.search(article.html or ""), (article.source, article.html)
        assert not re.search(r"<\s*script", article.title + article.text, re.I), article.source
        for url in (article.url, article.image_url or "http://x"):
            assert not re.match(r"\s*(javascript|data|vbscript):", url, re.I), (article.source, url)
        assert "etc/hostname" not in article.text
    assert loopback_8765 == [], "a parser fetched an external entity"


def test_attack_feeds_do_not_expand_entities() -> None:
    sources = [
        SourceConfig(name=p.name, url=f"attacks/{p.name}", kind="feed")
        for p in sorted((FEEDS / "attacks").iterdir())
    ]
    result = gather_sources(sources, base_dir=FEEDS)
    for article in result.articles:
        assert len(article.text) < 10_000, article.source
        assert "lol" not in article.title.replace("&lol9;", "")
    hostname = Path("/etc/hostname")
    if hostname.exists() and hostname.read_text().strip():
        leaked = hostname.read_text().strip()
        assert all(leaked not in a.text + a.title for a in result.articles)
