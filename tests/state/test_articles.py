"""ArticleStore and HttpValidatorCache on a real SQLite file."""

from __future__ import annotations

import socket
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from digest.errors import StateError
from digest.models import Article
from digest.state import MIGRATIONS, State, open_state
from digest.state.db import Database

NOW = datetime(2026, 11, 27, 7, 0, tzinfo=UTC)


def article(n: int, published: datetime | None = None, source: str = "s") -> Article:
    return Article(
        url=f"https://example.com/{n}",
        title=f"Title {n}",
        text=f"Body {n}.",
        source=source,
        published=published,
    )


@pytest.fixture
def state(database: str) -> State:
    return open_state(database)


def test_remember_is_idempotent_and_keeps_first_seen(state: State) -> None:
    assert state.articles.remember((article(1), article(2)), NOW) == 2
    assert state.articles.remember((article(1), article(3)), NOW + timedelta(hours=30)) == 1
    fresh = state.articles.unsent(NOW + timedelta(hours=30), lookback_hours=24)
    assert [a.url for a in fresh] == ["https://example.com/3"]


def test_lookback_uses_published_date_when_present(state: State) -> None:
    old = article(1, published=NOW - timedelta(hours=50))
    recent = article(2, published=NOW - timedelta(hours=2))
    state.articles.remember((article(0, published=NOW - timedelta(days=9)),), NOW)
    state.articles.remember((old, recent, article(3)), NOW)
    fresh = state.articles.unsent(NOW, lookback_hours=48)
    assert {a.url for a in fresh} == {recent.url, article(3).url}
    assert next(a for a in fresh if a.url == recent.url).published == recent.published


def test_a_new_sources_undated_back_catalogue_is_not_news(state: State) -> None:
    """A new feed dating its stories: its undated items are old pages, not today's news; a new
    undated feed gives its first few (newest first) and keeps the rest out."""
    dated = article(1, published=NOW - timedelta(hours=1), source="dated")
    undated_sibling = article(2, source="dated")
    plain = [article(10 + n, source="plain") for n in range(8)]
    state.articles.remember((dated, undated_sibling, *plain), NOW)
    fresh = {a.url for a in state.articles.unsent(NOW, lookback_hours=24)}
    assert fresh == {dated.url} | {a.url for a in plain[:5]}
    assert {a.url for a in state.articles.this_week(NOW)} == fresh
    later = NOW + timedelta(hours=2)  # the source is known now: a new undated item is news
    state.articles.remember((article(3, source="dated"),), later)
    assert article(3).url in {a.url for a in state.articles.unsent(later, 24)}


def test_the_declared_language_survives_storage(state: State) -> None:
    """A feed's or page's language comes back with the article, so later builds need not guess
    from the text; an article that declared none comes back without one."""
    declared = Article(
        url="https://example.com/fr",
        title="Le budget",
        text="The council met.",  # text that a detector would call English
        source="s",
        language="fr-CA",
    )
    state.articles.remember((declared, article(2)), NOW)
    found = {a.url: a.language for a in state.articles.unsent(NOW, 24)}
    assert found == {declared.url: "fr-CA", article(2).url: None}
    assert {a.language for a in state.articles.this_week(NOW)} == {"fr-CA", None}


def test_assigned_articles_are_never_unsent_again(state: State) -> None:
    state.articles.remember((article(1), article(2)), NOW)
    with state.db.transaction():
        state.articles.assign([article(1).key], "2026-11-27")
    assert [a.url for a in state.articles.unsent(NOW, 48)] == [article(2).url]


def test_http_validators_round_trip(state: State) -> None:
    cache = state.http_cache(NOW)
    assert cache.validators("https://x/feed") == (None, None)
    cache.store_validators("https://x/feed", '"abc"', "Wed, 21 Oct 2026 07:28:00 GMT")
    cache.store_validators("https://x/feed", '"def"', None)
    assert cache.validators("https://x/feed") == ('"def"', None)


def test_newer_schema_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "d.db"
    db = Database.open(path, (*MIGRATIONS, "CREATE TABLE later (x)"))
    db.close()
    with pytest.raises(StateError, match="newer than this digest understands"):
        open_state(str(path))


def test_not_a_database_is_a_clear_error(tmp_path: Path) -> None:
    path = tmp_path / "d.db"
    path.write_bytes(b"this is not sqlite" * 100)
    with pytest.raises(StateError, match=r"d\.db: cannot open the state database"):
        open_state(str(path))


def test_unreachable_postgres_is_one_clear_error_without_the_password() -> None:
    with socket.socket() as closed:
        closed.bind(("127.0.0.1", 0))
        port = closed.getsockname()[1]
    with pytest.raises(
        StateError, match=f"cannot connect to PostgreSQL at 127.0.0.1:{port}/digest"
    ) as caught:
        open_state(f"postgresql://user:s3cret@127.0.0.1:{port}/digest")
    assert "s3cret" not in str(caught.value)
