"""The public pages on a hard day: another process holding SQLite's write lock, slow or hostile
bodies, forms that are not UTF-8, clients behind proxies; and what readers may change on their
preferences page (name, address, how often only where a weekly edition exists)."""

from __future__ import annotations

import re
import socket
import sqlite3
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import httpx
import pytest
from starlette.testclient import TestClient

from digest import pipeline
from digest.config import Config, load_config
from digest.state import open_state
from digest.subscribers import link_token, list_key
from digest.web import create_app
from digest.web.connections import ClientAddress
from digest.web.settings import web_settings_from_table
from tests.web.live import listening, serving
from tests.web.test_subscriber_pages import ENV, NOW, link_in, outbox, sign_up, status

FORM = {"content-type": "application/x-www-form-urlencoded"}


def configured(project: Path, web: str = "", weekly: bool = False, ip_limit: int = 20) -> Config:
    """The sample config with a [web] table (TOML lines), `ip_limit` sign-ups per client an
    hour and, if asked, a weekly edition; written beside config.toml (one state database)."""
    text = (project / "config.toml").read_text()
    if weekly:
        text = text.replace('# weekly_cron = "0 7 * * mon"', 'weekly_cron = "0 7 * * mon"')
    limit = f"signups_per_ip_per_hour = {ip_limit}"
    text = text.replace("signups_per_ip_per_hour = 20", limit)
    keys = dict(line.split(" = ", 1) for line in web.splitlines())
    for key, value in keys.items():  # the sample's [web] keys, each set on its own line
        text = re.sub(rf"^{key} = [^#\n]*", f"{key} = {value}  ", text, flags=re.M)
    config = project / f"config-{'weekly' if weekly else 'daily'}-{len(web)}-{ip_limit}.toml"
    config.write_text(text)
    return load_config(config, {})


@contextmanager
def write_lock(cfg: Config) -> Iterator[None]:
    """Another process's view: SQLite's write lock held until the block ends."""
    holder = sqlite3.connect(cfg.state_database, isolation_level=None)
    holder.execute("BEGIN IMMEDIATE")
    try:
        yield
    finally:
        holder.execute("ROLLBACK")
        holder.close()


def preferences_link(cfg: Config, address: str) -> str:
    state = open_state(cfg.state_database)
    try:
        record = state.subscribers.get(address)
        assert record is not None
        token = link_token(
            state.link_secret(ENV["DIGEST_SECRET"]), list_key(cfg.newsletter), record.uid
        )
        return f"/preferences?t={token}"
    finally:
        state.close()


def confirmed(cfg: Config, client: TestClient, address: str) -> str:
    """Sign `address` up on the web, confirm it, and return its preferences link."""
    sign_up(client, address)
    client.post(link_in(outbox(cfg, "confirm", address)[0], "/confirm"))
    assert status(cfg, address) == "active"
    return preferences_link(cfg, address)


def test_a_form_that_is_not_utf8_is_a_400_and_stores_nothing(project: Path) -> None:
    cfg = configured(project)
    client = TestClient(create_app(cfg, ENV))
    body = b"email=%ff%fe@example.com&choice=everything"
    answer = client.post("/subscribe", content=body, headers=FORM)
    assert answer.status_code == 400 and "could not be read" in answer.text
    state = open_state(cfg.state_database)
    assert state.subscribers.counts().get("pending", 0) == 0
    state.close()
    assert not list((cfg.base_dir / "outbox").glob("confirm--*"))
    asked = client.post("/preferences/link", content=b"email=%c3%28@x.org", headers=FORM)
    assert asked.status_code == 400


def test_weekly_is_offered_only_where_a_weekly_edition_exists(project: Path) -> None:
    cfg = configured(project)
    client = TestClient(create_app(cfg, ENV))
    link = confirmed(cfg, client, "reader@example.net")
    page = client.get(link)
    assert page.status_code == 200 and "Weekly" not in page.text and "How often" not in page.text
    chose = client.post(link, data={"choice": "everything", "frequency": "weekly"})
    assert chose.status_code == 400
    # A reader who chose weekly while a weekly edition existed is never left without mail.
    state = open_state(cfg.state_database)
    record = state.subscribers.get("reader@example.net")
    assert record is not None
    state.subscribers.update(record.id, {"frequency": "weekly"})
    assert pipeline.run(cfg, state, NOW, ENV).sent >= 1
    state.close()
    assert outbox(cfg, "2026-11-27", "reader@example.net")
    with_weekly = configured(project, weekly=True)
    offered = TestClient(create_app(with_weekly, ENV)).get(link)
    assert "Weekly: the week&#39;s best stories" in offered.text


def test_name_and_address_change_the_address_confirmed_where_it_goes(project: Path) -> None:
    cfg = configured(project)
    client = TestClient(create_app(cfg, ENV))
    link = confirmed(cfg, client, "old@example.net")
    saved = client.post(link, data={"choice": "everything", "name": "Ada L."})
    assert saved.status_code == 200 and "Saved." in saved.text
    asked = client.post(link, data={"action": "address", "new_email": "new@example.org"})
    assert asked.status_code == 200 and "new@example.org" in asked.text
    (mail,) = outbox(cfg, "address-change", "new@example.org")
    change = link_in(mail, "/preferences/address")
    shown = client.get(change)  # a mail scanner's GET changes nothing
    assert shown.status_code == 200 and "Use this address" in shown.text
    assert status(cfg, "old@example.net") == "active" and status(cfg, "new@example.org") is None
    done = client.post(change)
    assert done.status_code == 200 and "Address changed" in done.text
    assert status(cfg, "old@example.net") is None and status(cfg, "new@example.org") == "active"
    state = open_state(cfg.state_database)
    record = state.subscribers.get("new@example.org")
    assert record is not None and record.name == "Ada L."
    state.close()
    again = client.post(change)  # followed twice: the address is already that one
    assert again.status_code == 200 and status(cfg, "new@example.org") == "active"
    forged = change.replace("t=", "t=x")
    assert client.get(forged).status_code == 400


def test_an_address_from_the_publishers_list_is_not_changed_here(project: Path) -> None:
    cfg = configured(project)
    client = TestClient(create_app(cfg, ENV))
    state = open_state(cfg.state_database)
    assert pipeline.run(cfg, state, NOW, ENV).sent >= 1  # imports subscribers/subscribers.csv
    listed = next(iter(state.subscribers.iterate("active")))
    state.close()
    link = preferences_link(cfg, listed.email)
    assert "comes from the publisher" in client.get(link).text
    refused = client.post(link, data={"action": "address", "new_email": "elsewhere@example.org"})
    assert refused.status_code == 400
    assert not list((cfg.base_dir / "outbox").glob("address-change--*"))


def test_a_held_write_lock_stops_neither_healthz_nor_the_archive(project: Path) -> None:
    """While another process holds the write lock, a sign-up waits in a worker thread and the
    pages that only read answer; the sign-up completes once the lock is released."""
    cfg = configured(project, web="busy_seconds = 120")
    listener, base = listening()
    with serving(create_app(cfg, ENV), listener), httpx.Client(base_url=base, timeout=180) as web:
        answers: list[httpx.Response] = []
        with write_lock(cfg):
            waiting = threading.Thread(
                target=lambda: answers.append(
                    web.post(
                        "/subscribe", data={"email": "late@example.net", "choice": "everything"}
                    )
                )
            )
            waiting.start()
            assert web.get("/healthz").status_code == 200
            assert web.get("/archive").status_code == 200
            assert web.get("/subscribe").status_code == 200
            assert waiting.is_alive() and not answers  # still waiting for the lock
        waiting.join(timeout=180)
        assert answers and answers[0].status_code == 200, answers
    assert status(cfg, "late@example.net") == "pending"


def test_a_lock_held_past_busy_seconds_is_a_503_with_retry_after(project: Path) -> None:
    cfg = configured(project, web="busy_seconds = 0.2")
    client = TestClient(create_app(cfg, ENV))
    with write_lock(cfg):
        answer = client.post("/subscribe", data={"email": "a@example.net", "choice": "everything"})
    assert answer.status_code == 503 and answer.headers["retry-after"] == "5"
    assert "try again" in answer.text
    assert status(cfg, "a@example.net") is None


def raw(base: str, request: bytes) -> bytes:
    """Send bytes to the server and read its answer until it closes the connection."""
    host, port = base.removeprefix("http://").split(":")
    with socket.create_connection((host, int(port)), timeout=120) as connection:
        connection.sendall(request)
        received = b""
        while chunk := connection.recv(65536):
            received += chunk
    return received


def test_a_body_slower_than_the_deadline_is_a_408_and_a_huge_one_a_413(project: Path) -> None:
    cfg = configured(project, web="body_seconds = 0.5")
    listener, base = listening()
    head = b"POST /subscribe HTTP/1.1\r\nHost: x\r\n"
    head += b"Content-Type: application/x-www-form-urlencoded\r\n"
    with serving(create_app(cfg, ENV), listener):
        slow = raw(base, head + b"Content-Length: 1000\r\n\r\nemail=x")
        assert slow.startswith(b"HTTP/1.1 408"), slow[:200]
        huge = raw(base, head + b"Content-Length: 99999999999\r\n\r\nemail=x")
        assert huge.startswith(b"HTTP/1.1 413"), huge[:200]
    assert status(cfg, "x") is None


async def _scope_client(headers: dict[str, str], peer: str, trusted: list[str]) -> Any:
    seen: dict[str, Any] = {}

    async def app(scope: Any, receive: Any, send: Any) -> None:
        seen.update(client=scope["client"], scheme=scope["scheme"])

    settings = web_settings_from_table({"trusted_proxies": trusted})
    scope = {
        "type": "http",
        "client": (peer, 5000),
        "scheme": "http",
        "headers": [(k.encode(), v.encode()) for k, v in headers.items()],
    }
    await ClientAddress(app, settings)(scope, None, None)  # type: ignore[arg-type]
    return seen


@pytest.mark.parametrize(
    ("peer", "forwarded", "trusted", "client", "scheme"),
    [
        ("127.0.0.1", "203.0.113.9", ["127.0.0.1"], "203.0.113.9", "https"),
        ("127.0.0.1", "198.51.100.1, 203.0.113.9", ["127.0.0.1"], "203.0.113.9", "https"),
        ("10.0.0.2", "198.51.100.1, 203.0.113.9, 10.0.0.7", ["10.0.0.0/8"], "203.0.113.9", "https"),
        ("192.0.2.5", "203.0.113.9", ["127.0.0.1"], "192.0.2.5", "http"),  # not a proxy of ours
        ("127.0.0.1", "203.0.113.9", [], "127.0.0.1", "http"),  # no proxy configured
    ],
)
def test_the_client_address_comes_only_from_trusted_proxies(
    peer: str, forwarded: str, trusted: list[str], client: str, scheme: str
) -> None:
    import anyio

    headers = {"x-forwarded-for": forwarded, "x-forwarded-proto": "https"}
    seen = anyio.run(_scope_client, headers, peer, trusted)
    assert (seen["client"][0], seen["scheme"]) == (client, scheme)


def test_a_rotating_x_forwarded_for_does_not_escape_the_sign_up_limit(project: Path) -> None:
    cfg = configured(project, ip_limit=2)
    listener, base = listening()
    with serving(create_app(cfg, ENV), listener), httpx.Client(base_url=base) as web:
        codes = [
            web.post(
                "/subscribe",
                data={"email": f"r{n}@example.net", "choice": "everything"},
                headers={"x-forwarded-for": f"198.51.100.{n}"},
            ).status_code
            for n in range(3)
        ]
    assert codes == [200, 200, 429]


def test_behind_a_trusted_proxy_each_visitor_has_their_own_limit(project: Path) -> None:
    cfg = configured(project, web='trusted_proxies = ["127.0.0.1"]', ip_limit=2)
    listener, base = listening()
    with serving(create_app(cfg, ENV), listener), httpx.Client(base_url=base) as web:

        def sign(n: int, visitor: str) -> int:
            form = {"email": f"v{n}@example.net", "choice": "everything"}
            return web.post(
                "/subscribe", data=form, headers={"x-forwarded-for": visitor}
            ).status_code

        codes = [sign(n, f"198.51.100.{n}") for n in range(4)]
        same = [sign(10 + n, "203.0.113.7") for n in range(3)]
    assert codes == [200, 200, 200, 200]
    assert same == [200, 200, 429]


def test_web_settings_name_the_bad_key() -> None:
    from digest.errors import ConfigError

    with pytest.raises(ConfigError, match=r"web.trusted_proxies: .*not-an-address"):
        web_settings_from_table({"trusted_proxies": ["not-an-address"]})
    with pytest.raises(ConfigError, match=r"web.signup_origins: 'ftp://x' is not an origin"):
        web_settings_from_table({"signup_origins": ["ftp://x"]})
    with pytest.raises(ConfigError, match=r"web.workerz: unknown key"):
        web_settings_from_table({"workerz": 2})


def test_an_embedded_form_posts_only_from_a_listed_site(project: Path) -> None:
    cfg = configured(project, web='signup_origins = ["https://www.example.org"]')
    client = TestClient(create_app(cfg, ENV))
    form = {"email": "embed@example.net", "choice": "everything"}
    other = client.post("/subscribe", data=form, headers={"origin": "https://evil.example"})
    assert other.status_code == 403
    listed = client.post("/subscribe", data=form, headers={"origin": "https://www.example.org"})
    assert listed.status_code == 200 and status(cfg, "embed@example.net") == "pending"
