"""Desk changes as versioned operations, through the app: a change made on an older version
applies when it commutes with what came since and is refused, naming the other change, when
it does not; a form without a version, or with one the edition never had, changes nothing."""

from __future__ import annotations

from pathlib import Path

import pytest

from digest.config import Config
from digest.state import open_state
from tests.web.desk import CABLES, LOCK, client, gathered, login, post, version_of


@pytest.fixture
def cfg(project: Path) -> Config:
    return gathered(project)


def test_changes_commute_or_name_the_change_they_clash_with(cfg: Config) -> None:
    ada, grace = client(cfg), client(cfg)
    ada_csrf, grace_csrf = login(ada, name="Ada Lovelace"), login(grace, name="Grace Hopper")
    seen = version_of(grace.get("/editions/next").text)
    assert (
        post(ada, "/editions/next/story", ada_csrf, key=LOCK, headline="Ada's").status_code == 303
    )

    # Grace's page is one version old: her edit of another story and the subject commute.
    other = post(
        grace, "/editions/next/story", grace_csrf, key=CABLES, headline="Grace's", version=seen
    )
    assert other.status_code == 303
    subject = post(grace, "/editions/next/subject", grace_csrf, subject="Mine", version=seen)
    assert subject.status_code == 303
    # A move of the story Ada rewrote commutes too (its place, not its words).
    moved = post(grace, "/editions/next/stories", grace_csrf, key=LOCK, action="top", version=seen)
    assert moved.status_code == 303

    # Her rewrite of the story Ada rewrote does not: refused, showing Ada's change.
    clash = post(
        grace, "/editions/next/story", grace_csrf, key=LOCK, headline="Lost?", version=seen
    )
    assert clash.status_code == 409
    assert "changed by Ada Lovelace at 06:00:00" in clash.text and "Saved “Ada&#39;s”" in clash.text
    page = grace.get("/editions/next").text
    assert "Ada&#39;s" in page and "Grace&#39;s" in page and "Lost?" not in page

    # An approval names the exact version: any change since refuses it.
    stale = post(grace, "/editions/next/approve", grace_csrf, version=seen)
    assert stale.status_code == 409 and "changed by" in stale.text
    now = version_of(page)
    assert post(ada, "/editions/next/approve", ada_csrf, version=now).status_code == 303
    held = post(grace, "/editions/next/hold", grace_csrf, version=now)
    assert held.status_code == 409 and "changed by Ada Lovelace" in held.text

    for version in ("", "x", "99999"):
        refused = post(grace, "/editions/next/intro", grace_csrf, intro="Hi", version=version)
        assert refused.status_code == 409
    state = open_state(cfg.state_database)
    assert state.editorial.intro() is None
    assert [(c.op, c.editor) for c in state.versions.since(0)] == [
        ("save", "Ada Lovelace"),
        ("save", "Grace Hopper"),
        ("subject", "Grace Hopper"),
        ("top", "Grace Hopper"),
        ("approve", "Ada Lovelace"),
    ]
    assert state.editorial.decisions()[0].version == int(now)
    state.close()
