"""Send the approved next edition from the desk, through the app: the confirmation names the
audience, only an approved edition at the version approved is sent, it goes once to each
subscriber through the outbox (the send loop of `digest send`), and neither a second click
nor a second editor sends it again."""

from __future__ import annotations

import re
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta
from pathlib import Path

import pytest

from digest import dispatch
from digest.config import Config
from digest.state import open_state
from tests.web.desk import CABLES, ENV, NOW, client, gathered, login, post, version_of

AUDIENCE = ("ada@example.com", "grace@example.com", "linus@example.org")


@pytest.fixture
def cfg(project: Path) -> Config:
    return gathered(project)


def sent_to(cfg: Config) -> Counter[str]:
    """Each address in the outbox, with how many messages it got."""
    folder = cfg.base_dir / "outbox"
    names = [p.name for p in folder.glob("*.eml")] if folder.exists() else []
    return Counter(re.sub(r"^.*?--(.*)-[0-9a-f]+\.eml$", r"\1", name) for name in names)


def editions(cfg: Config) -> int:
    state = open_state(cfg.state_database)
    try:
        return int(state.db.conn.execute("SELECT count(*) FROM editions").fetchone()[0])
    finally:
        state.close()


def test_only_an_approved_edition_is_offered_for_sending(cfg: Config) -> None:
    desk = client(cfg)
    csrf = login(desk)
    page = desk.get("/editions/next").text
    assert "Send now" not in page
    assert desk.get("/editions/next/send").status_code == 409
    refused = post(desk, "/editions/next/send", csrf, version=version_of(page))
    assert refused.status_code == 409 and "approve it first" in refused.text
    assert editions(cfg) == 0 and not sent_to(cfg)


def test_the_approved_edition_goes_once_to_each_subscriber(cfg: Config) -> None:
    desk = client(cfg)
    csrf = login(desk)
    assert post(desk, "/editions/next/approve", csrf).status_code == 303
    assert "Send now" in desk.get("/editions/next").text
    confirm = desk.get("/editions/next/send")
    assert confirm.status_code == 200
    assert "Send to 3 subscribers now?" in confirm.text
    seen = version_of(confirm.text)
    answer = post(desk, "/editions/next/send", csrf, version=seen)
    assert answer.status_code == 303, answer.text
    edition = answer.headers["location"].rsplit("/", 1)[1]
    assert sent_to(cfg) == Counter(dict.fromkeys(AUDIENCE, 1))
    shown = desk.get(f"/editions/{edition}").text
    assert "to 3 subscribers, by Ada Lovelace" in shown
    # The ledger sends each address once whatever asks again: `digest send` on this edition.
    state = open_state(cfg.state_database)
    try:
        again = dispatch.send_pending(
            cfg, state, NOW, {"DIGEST_SECRET": "desk-secret"}, edition_id=edition
        )
    finally:
        state.close()
    assert (again.sent, again.pending) == (0, 0)
    # The second click: refused, naming the send; nothing stored or sent again.
    twice = post(desk, "/editions/next/send", csrf, version=seen)
    assert twice.status_code == 409 and "changed by Ada Lovelace" in twice.text
    assert sent_to(cfg) == Counter(dict.fromkeys(AUDIENCE, 1)) and editions(cfg) == 1


def test_a_change_after_the_approval_is_not_sent(cfg: Config) -> None:
    desk = client(cfg)
    csrf = login(desk)
    assert post(desk, "/editions/next/approve", csrf).status_code == 303
    seen = version_of(desk.get("/editions/next/send").text)
    assert post(desk, "/editions/next/stories", csrf, key=CABLES, action="drop").status_code == 303
    refused = post(desk, "/editions/next/send", csrf, version=seen)
    assert refused.status_code == 409 and "Dropped" in refused.text
    # Even with the version of now, the edition as it stands was not approved.
    again = post(desk, "/editions/next/send", csrf)
    assert again.status_code == 409 and "approve it first" in again.text
    assert editions(cfg) == 0 and not sent_to(cfg)


def test_two_editors_confirming_at_once_send_once(cfg: Config) -> None:
    ada, grace = client(cfg), client(cfg)
    ada_csrf, grace_csrf = login(ada, "Ada Lovelace"), login(grace, "Grace Hopper")
    assert post(ada, "/editions/next/approve", ada_csrf).status_code == 303
    seen = version_of(grace.get("/editions/next/send").text)
    assert seen == version_of(ada.get("/editions/next/send").text)
    with ThreadPoolExecutor(2) as pool:
        answers = list(
            pool.map(
                lambda who: post(who[0], "/editions/next/send", who[1], version=seen),
                [(ada, ada_csrf), (grace, grace_csrf)],
            )
        )
    assert sorted(a.status_code for a in answers) == [303, 409]
    assert sent_to(cfg) == Counter(dict.fromkeys(AUDIENCE, 1)) and editions(cfg) == 1


def test_the_confirmation_names_the_audience(project: Path) -> None:
    rows = [f"reader{n}@example.net,,,active" for n in range(1231)]
    (project / "subscribers" / "more.csv").write_text(
        "email,name,sections,status\n" + "\n".join(rows) + "\n"
    )
    cfg = gathered(project)
    desk = client(cfg)
    csrf = login(desk)
    assert post(desk, "/editions/next/approve", csrf).status_code == 303
    page = desk.get("/editions/next/send").text
    assert "Send to 1,234 subscribers now?" in page
    assert (
        "<button type='submit' class='btn btn-primary'>Send to 1,234 subscribers</button>" in page
    )


def test_a_scheduled_send_goes_out_at_its_time_through_the_scheduler(cfg: Config) -> None:
    from digest.schedule import Service

    desk = client(cfg)
    csrf = login(desk)
    assert post(desk, "/editions/next/approve", csrf).status_code == 303
    page = desk.get("/editions/next/send").text
    assert "Send at <span class='hint'>(Europe/London)</span>" in page
    assert "min='2026-11-27T06:00' max='2026-11-27T07:00'" in page  # the 07:00 run is next
    for at, said in [
        ("", "Pick the date and time"),
        ("2026-11-27T05:59", "Fri 27 Nov, 05:59 has passed"),
        ("2026-11-27T07:01", "Pick a time up to Fri 27 Nov, 07:00"),
    ]:
        refused = post(desk, "/editions/next/schedule", csrf, at=at)
        assert refused.status_code == 400 and said in refused.text, at
    assert editions(cfg) == 0
    answer = post(desk, "/editions/next/schedule", csrf, at="2026-11-27T06:30")
    assert answer.status_code == 303, answer.text
    edition = answer.headers["location"].rsplit("/", 1)[1]
    shown = desk.get(f"/editions/{edition}").text
    assert (
        "Scheduled “" in shown
        and "for Fri 27 Nov, 06:30 (Europe/London), to 3 subscribers" in shown
    )
    assert not sent_to(cfg) and editions(cfg) == 1

    reports: list[object] = []
    service = Service(cfg, {"DIGEST_SECRET": "desk-secret"}, reports.append)
    state = open_state(cfg.state_database)
    try:
        early = dispatch.send_pending(cfg, state, NOW + timedelta(minutes=29), {})
        assert "no recipient is due yet" in early.notes[0]
        service.housekeeping(state, NOW + timedelta(minutes=29), resume=False)
        assert not sent_to(cfg)
        service.housekeeping(state, NOW + timedelta(minutes=30), resume=False)
        assert sent_to(cfg) == Counter(dict.fromkeys(AUDIENCE, 1))
        service.housekeeping(state, NOW + timedelta(minutes=45), resume=False)
    finally:
        state.close()
    assert sent_to(cfg) == Counter(dict.fromkeys(AUDIENCE, 1)) and editions(cfg) == 1


def test_with_local_time_delivery_the_confirmation_says_when_each_gets_it(project: Path) -> None:
    cfg = gathered(project, {"DIGEST_SCHEDULE__DELIVER_AT_LOCAL": '"09:00"'})
    desk = client(cfg)
    csrf = login(desk)
    assert post(desk, "/editions/next/approve", csrf).status_code == 303
    page = desk.get("/editions/next/send").text
    assert "each subscriber gets it at 09:00 in their own time zone" in page


def test_add_and_send_on_postgresql(
    project: Path, postgres_url: str, pg_env: dict[str, str]
) -> None:
    """The same add-by-URL and send over a PostgreSQL state database (its version row held
    with FOR UPDATE, the run's lock an advisory lock): each subscriber gets one message."""
    from tests.web.article_server import article_server

    env = {**ENV, **pg_env, "DIGEST_STATE__DATABASE": postgres_url}
    env["DIGEST_WEB__FETCH_PRIVATE"] = "true"
    cfg = gathered(project, env)
    desk = client(cfg, env)
    csrf = login(desk)
    with article_server() as pages:
        added = post(desk, "/editions/next/add", csrf, url=f"{pages}/europa", place="top")
    assert added.status_code == 303, added.text
    assert post(desk, "/editions/next/approve", csrf).status_code == 303
    seen = version_of(desk.get("/editions/next/send").text)
    assert post(desk, "/editions/next/send", csrf, version=seen).status_code == 303
    assert post(desk, "/editions/next/send", csrf, version=seen).status_code == 409
    assert sent_to(cfg) == Counter(dict.fromkeys(AUDIENCE, 1))
    (message,) = (cfg.base_dir / "outbox").glob("*--ada@example.com-*.eml")
    assert "Water Plumes" in message.read_text()
