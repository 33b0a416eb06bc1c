"""An editor's splits and merges of the next edition's stories, by article key.

"apart": the article is a story of its own (split off a group it does not belong to). "with":
the article's story and `other_key`'s story are one (merged). Like the other choices for the
next edition, they are forgotten for the articles of an edition when it is stored
(`EditorialStore.consume`), so they never reach a later edition.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from digest.state.db import Connection, Database

STORY_GROUPS_SCHEMA = """
CREATE TABLE story_groups (
    article_key TEXT NOT NULL,
    choice TEXT NOT NULL CHECK (choice IN ('apart', 'with')),
    other_key TEXT NOT NULL DEFAULT '',
    updated_at TEXT NOT NULL,
    PRIMARY KEY (article_key, choice)
)
"""


def forget_groups(conn: Connection, article_keys: Iterable[str]) -> None:
    """Inside the caller's transaction: every split or merge naming one of these articles."""
    keys = [(key, key) for key in article_keys]
    conn.executemany("DELETE FROM story_groups WHERE article_key = ? OR other_key = ?", keys)


class StoryGroups:
    def __init__(self, db: Database) -> None:
        self.db = db

    def apart(self) -> frozenset[str]:
        """Articles the editor made stories of their own."""
        rows = self.db.conn.execute(
            "SELECT article_key FROM story_groups WHERE choice = 'apart'"
        ).fetchall()
        return frozenset(str(row[0]) for row in rows)

    def together(self) -> tuple[tuple[str, str], ...]:
        """Pairs of articles whose stories the editor merged, in a stable order."""
        rows = self.db.conn.execute(
            "SELECT article_key, other_key FROM story_groups WHERE choice = 'with'"
            " ORDER BY article_key"
        ).fetchall()
        return tuple((str(row[0]), str(row[1])) for row in rows)

    def separate(self, article_key: str, now: datetime) -> None:
        """The article becomes a story of its own: out of its group, out of any merge."""
        with self.db.transaction() as conn:
            forget_groups(conn, [article_key])
            conn.execute(
                "INSERT INTO story_groups (article_key, choice, other_key, updated_at)"
                " VALUES (?, 'apart', '', ?)",
                (article_key, now.isoformat()),
            )

    def merge(self, article_key: str, into: str, now: datetime) -> None:
        """The article's story and `into`'s story are one."""
        with self.db.transaction() as conn:
            conn.execute(
                "INSERT INTO story_groups (article_key, choice, other_key, updated_at)"
                " VALUES (?, 'with', ?, ?) ON CONFLICT (article_key, choice) DO UPDATE SET"
                " other_key = excluded.other_key, updated_at = excluded.updated_at",
                (article_key, into, now.isoformat()),
            )

    def reset(self) -> None:
        """Back to the grouping as found: every split and merge forgotten."""
        with self.db.transaction() as conn:
            conn.execute("DELETE FROM story_groups")
