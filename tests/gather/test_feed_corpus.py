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

FEEDS = Path(__file__).resolve().parent.parent / "data" / "gather" / "feeds"
ILLFORMED_REAL = "7ef13a42fa7e177a.xml"  # broken XML declaration: no items can be read
DANGEROUS = re.compile(r"<\s*script|\son\w+\s*=|javascript\s*:|<\s*iframe|<\s*object", re.I)


def _corpus() -> list[Path]:
    skip = {".md", ".jsonl", ".txt"}
    return sorted(p for p in FEEDS.rglob("*") if p.is_file() and p.suffix not in skip)


ATTACK_PORT = "127.0.0.1:8765"  # where the attack feeds' external entities point


class Listener:
    """A loopback listener on a free port catching any fetch; `feeds` are the corpus paths,
    the attack feeds copied with their external entities pointed at this listener."""

    def __init__(self, port: int, folder: Path) -> None:
        self.caught: list[bytes] = []
        self.feeds: dict[str, Path] = {}
        for path in _corpus():
            name = str(path.relative_to(FEEDS))
            self.feeds[name] = path
            if path.parent.name == "attacks":
                text = path.read_bytes().replace(ATTACK_PORT.encode(), f"127.0.0.1:{port}".encode())
                self.feeds[name] = folder / path.name
                self.feeds[name].write_bytes(text)


@pytest.fixture
def loopback(tmp_path: Path) -> Iterator[Listener]:
    """Catch any fetch of an external entity: a listener on a port of the system's choosing
    (a fixed port is a test that fails when something else holds it)."""
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    listener = Listener(server.getsockname()[1], tmp_path)
    caught = listener.caught
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
    yield listener
    stop.set()
    thread.join()
    server.close()


def test_corpus_is_copied() -> None:
    files = _corpus()
    assert len(files) > 1000
    assert len(list((FEEDS / "attacks").iterdir())) == 7


def test_every_corpus_file_gathers_safely(loopback: Listener) -> None:
    files = _corpus()
    assert sum(ATTACK_PORT.encode() in p.read_bytes() for p in files) == 3
    sources = [
        SourceConfig(name=name, url=str(path), kind="feed") for name, path in loopback.feeds.items()
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
    assert loopback.caught == [], "a parser fetched an external entity"


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
