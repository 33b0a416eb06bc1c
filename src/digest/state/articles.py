"""Articles seen, their first-seen time, the edition that used them, and HTTP validators."""

from __future__ import annotations

from datetime import datetime, timedelta

from digest.models import Article
from digest.state.db import Database

ARTICLES_SCHEMA = """
CREATE TABLE articles (
    key TEXT PRIMARY KEY,
    source TEXT NOT NULL,
    url TEXT NOT NULL,
    title TEXT NOT NULL,
    text TEXT NOT NULL,
    section TEXT,
    published TEXT,
    author TEXT,
    html TEXT,
    image_url TEXT,
    first_seen TEXT NOT NULL,
    edition_id TEXT
);
CREATE INDEX articles_unsent ON articles (edition_id, first_seen);
CREATE TABLE http_cache (
    url TEXT PRIMARY KEY,
    etag TEXT,
    last_modified TEXT,
    updated_at TEXT NOT NULL
)
"""

# A weekly edition picks the week's best stories, daily editions' stories included: it keeps
# its own mark of which articles it used.
WEEKLY_ARTICLES_SCHEMA = """
ALTER TABLE articles ADD COLUMN weekly_edition_id TEXT
"""
# The language the feed or page declared (BCP 47), so a later build summarizes in it instead
# of guessing from the text.
ARTICLE_LANGUAGE_SCHEMA = """
ALTER TABLE articles ADD COLUMN language TEXT
"""
WEEK_HOURS = 7 * 24
# A source's first gather: an undated article is the source's back catalogue, not news, when
# the source dates its other articles, or when it comes after this many undated ones (feeds
# list their newest first). It is stored as already used, so no edition picks it up.
FIRST_GATHER_UNDATED = 5
BACK_CATALOGUE = "back-catalogue"


class ArticleStore:
    """Remembers every article once; an article belongs to at most one edition."""

    def __init__(self, db: Database) -> None:
        self.db = db

    def _back_catalogue(self, articles: tuple[Article, ...]) -> set[str]:
        """Keys of the undated back catalogue of sources seen for the first time."""
        names = sorted({a.source for a in articles if a.published is None})
        if not names:
            return set()
        known = {
            row["source"]
            for row in self.db.rows_among(
                "SELECT DISTINCT source FROM articles WHERE source IN ({marks})", names
            )
        }
        dated = {a.source for a in articles if a.published is not None}
        undated: dict[str, int] = {}
        old = set()
        for a in articles:
            if a.published is not None or a.source in known:
                continue
            undated[a.source] = undated.get(a.source, 0) + 1
            if a.source in dated or undated[a.source] > FIRST_GATHER_UNDATED:
                old.add(a.key)
        return old

    def remember(self, articles: tuple[Article, ...], now: datetime) -> int:
        """Store unseen articles with first_seen=now; return how many were new.

        A new source's undated back catalogue is stored as used (see FIRST_GATHER_UNDATED).
        """
        with self.db.transaction() as conn:
            old = self._back_catalogue(articles)
            cursor = conn.executemany(
                "INSERT INTO articles (key, source, url, title, text, section,"
                " published, author, html, image_url, first_seen, edition_id, weekly_edition_id,"
                " language) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
                " ON CONFLICT DO NOTHING",
                [
                    (
                        a.key,
                        a.source,
                        a.url,
                        a.title,
                        a.text,
                        a.section,
                        a.published.isoformat() if a.published else None,
                        a.author,
                        a.html,
                        a.image_url,
                        now.isoformat(),
                        BACK_CATALOGUE if a.key in old else None,
                        BACK_CATALOGUE if a.key in old else None,
                        a.language,
                    )
                    for a in articles
                ],
            )
            return max(0, int(cursor.rowcount))

    def unsent(self, now: datetime, lookback_hours: int) -> tuple[Article, ...]:
        """Articles in no edition yet, published (or first seen, if undated) within the lookback."""
        return self._fresh("edition_id", now, lookback_hours)

    def this_week(self, now: datetime) -> tuple[Article, ...]:
        """The last seven days' articles in no weekly edition yet (daily editions' included)."""
        return self._fresh("weekly_edition_id", now, WEEK_HOURS)

    def _fresh(self, column: str, now: datetime, lookback_hours: int) -> tuple[Article, ...]:
        since = now - timedelta(hours=lookback_hours)
        rows = self.db.conn.execute(
            f"SELECT * FROM articles WHERE {column} IS NULL ORDER BY first_seen, key"
        ).fetchall()
        fresh = []
        for row in rows:
            published = datetime.fromisoformat(row["published"]) if row["published"] else None
            when = published or datetime.fromisoformat(row["first_seen"])
            if since <= when <= now + timedelta(hours=1):
                fresh.append(
                    Article(
                        url=row["url"],
                        title=row["title"],
                        text=row["text"],
                        source=row["source"],
                        section=row["section"],
                        published=published,
                        author=row["author"],
                        html=row["html"],
                        image_url=row["image_url"],
                        language=row["language"],
                    )
                )
        return tuple(fresh)

    def is_waiting(self, key: str, now: datetime, lookback_hours: int) -> bool:
        """True when the article can still go into the next edition."""
        return any(article.key == key for article in self.unsent(now, lookback_hours))

    def assign(self, keys: list[str], edition_id: str, kind: str = "daily") -> None:
        """Mark articles as used by an edition of `kind` (inside the caller's transaction)."""
        column = "weekly_edition_id" if kind == "weekly" else "edition_id"
        self.db.conn.executemany(
            f"UPDATE articles SET {column} = ? WHERE key = ? AND {column} IS NULL",
            [(edition_id, key) for key in keys],
        )


class HttpValidatorCache:
    """ETag / Last-Modified per URL, for conditional GET (implements gather's HttpCache)."""

    def __init__(self, db: Database, now: datetime) -> None:
        self.db = db
        self.now = now

    def validators(self, url: str) -> tuple[str | None, str | None]:
        row = self.db.conn.execute(
            "SELECT etag, last_modified FROM http_cache WHERE url = ?", (url,)
        ).fetchone()
        return (row["etag"], row["last_modified"]) if row else (None, None)

    def store_validators(self, url: str, etag: str | None, last_modified: str | None) -> None:
        with self.db.transaction() as conn:
            conn.execute(
                "INSERT INTO http_cache (url, etag, last_modified, updated_at) VALUES (?, ?, ?, ?)"
                " ON CONFLICT(url) DO UPDATE SET etag = excluded.etag,"
                " last_modified = excluded.last_modified, updated_at = excluded.updated_at",
                (url, etag, last_modified, self.now.isoformat()),
            )
