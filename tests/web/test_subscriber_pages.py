"""Subscriber pages through the real app (Starlette's TestClient): sign-up with double opt-in,
the confirmation email read back from the outbox, preferences, one-click unsubscribe."""

from __future__ import annotations

import email
import email.policy
import re
from datetime import UTC, datetime, timedelta
from email.message import EmailMessage
from pathlib import Path

import pytest
import time_machine
from starlette.testclient import TestClient

from digest import dispatch, pipeline
from digest.config import Config, load_config
from digest.state import open_state
from digest.subscribers import link_token, list_key, unsubscribe_token

NOW = datetime(2026, 11, 27, 7, 0, tzinfo=UTC)
ENV = {"DIGEST_SECRET": "test-secret"}
BASE = "https://digest.example.com"


@pytest.fixture
def cfg(project: Path) -> Config:
    config = project / "config.toml"
    text = config.read_text().replace('brand_color = "#1d4ed8"', 'brand_color = "#0f766e"')
    config.write_text(text.replace('# weekly_cron = "0 7 * * mon"', 'weekly_cron = "0 7 * * mon"'))
    return load_config(config, {})


@pytest.fixture
def client(cfg: Config) -> TestClient:
    from digest.web import create_app

    return TestClient(create_app(cfg, ENV))


def outbox(cfg: Config, kind: str, address: str) -> list[Path]:
    return sorted((cfg.base_dir / "outbox").glob(f"{kind}--{address}-*.eml"))


def parse(path: Path) -> EmailMessage:
    message = email.message_from_bytes(path.read_bytes(), policy=email.policy.default)
    assert isinstance(message, EmailMessage)
    return message


def link_in(path: Path, route: str) -> str:
    """The path and query of the first link to `route` in the text part of an .eml."""
    text = parse(path).get_body(("plain",)).get_content()  # type: ignore[union-attr]
    found = re.search(rf"{re.escape(BASE)}({route}\?\S+)", text)
    assert found, text
    return found[1]


def sign_up(client: TestClient, address: str, **fields: str) -> str:
    form = {"email": address, "name": "New Reader", "choice": "everything", **fields}
    response = client.post("/subscribe", data=form)
    assert response.status_code == 200, response.text
    return response.text


def status(cfg: Config, address: str) -> str | None:
    state = open_state(cfg.state_database)
    try:
        record = state.subscribers.get(address)
        return record.status if record else None
    finally:
        state.close()


def test_sign_up_confirm_receive_the_next_edition(cfg: Config, client: TestClient) -> None:
    form = client.get("/subscribe")
    assert form.status_code == 200
    assert "<label for='email'>Email address</label>" in form.text
    assert "value='everything'" in form.text and "name='website'" in form.text
    assert "Check your inbox" in sign_up(client, "new@example.net")
    sign_up(client, "pending@example.net")
    (eml,) = outbox(cfg, "confirm", "new@example.net")
    message = parse(eml)
    assert message["Subject"] == "Confirm your subscription to The Morning Digest"
    assert message["To"] == "new@example.net" and message["List-Unsubscribe"] is None
    assert [p.get_content_type() for p in message.iter_parts()] == ["text/plain", "text/html"]
    assert "Confirm subscription" in message.get_body(("html",)).get_content()  # type: ignore[union-attr]
    confirm = link_in(eml, "/confirm")
    page = client.get(confirm)
    assert page.status_code == 200 and "<button type='submit'>Confirm subscription" in page.text
    assert status(cfg, "new@example.net") == "pending"  # a GET (a mail scanner) confirms nothing
    done = client.post(confirm)
    assert done.status_code == 200 and "You are subscribed" in done.text
    assert status(cfg, "new@example.net") == "active"
    state = open_state(cfg.state_database)
    report = pipeline.run(cfg, state, NOW, ENV)
    assert report.sent == 4  # the three bundled active subscribers and the new one
    assert outbox(cfg, "2026-11-27", "new@example.net")
    assert not outbox(cfg, "2026-11-27", "pending@example.net")
    again = client.post(confirm)
    assert again.status_code == 200 and "You are subscribed" in again.text  # replay: no change


def test_the_answer_is_the_same_whatever_the_address(cfg: Config, client: TestClient) -> None:
    state = open_state(cfg.state_database)
    dispatch.audience(cfg, state, NOW)  # the bundled list: ada active, former unsubscribed
    answers = {
        address: sign_up(client, address).replace(address, "ADDRESS")
        for address in ("new@example.net", "ada@example.com", "former@example.org")
    }
    answers["pending"] = sign_up(client, "new@example.net").replace("new@example.net", "ADDRESS")
    assert len(set(answers.values())) == 1
    assert len(outbox(cfg, "confirm", "new@example.net")) == 1  # same file, sent twice
    assert outbox(cfg, "preferences-link", "ada@example.com")  # already active: their link
    assert outbox(cfg, "confirm", "former@example.org")
    assert status(cfg, "former@example.org") == "unsubscribed"  # until they confirm


def test_bots_and_floods_are_turned_away(cfg: Config, client: TestClient) -> None:
    sign_up(client, "bot@example.net", website="http://spam.example")
    assert not outbox(cfg, "confirm", "bot@example.net")
    assert status(cfg, "bot@example.net") is None
    codes = [
        client.post("/subscribe", data={"email": f"f{i}@example.net", "choice": "everything"})
        for i in range(21)
    ]
    assert [r.status_code for r in codes[:20]] == [200] * 20
    assert codes[20].status_code == 429 and codes[20].headers["Retry-After"] == "3600"
    assert status(cfg, "f20@example.net") is None


def test_bad_sign_up_input_is_answered_with_the_form(cfg: Config, client: TestClient) -> None:
    bad = client.post("/subscribe", data={"email": "not-an-address", "name": "<b>x</b>"})
    assert bad.status_code == 400 and "role='alert'" in bad.text
    assert "&lt;b&gt;x&lt;/b&gt;" in bad.text
    none = client.post("/subscribe", data={"email": "a@example.net", "choice": "pick"})
    assert none.status_code == 400 and "Tick at least one section" in none.text
    long = client.post("/subscribe", data={"email": "a" * 70 + "@example.net"})
    assert long.status_code == 400
    foreign = client.post(
        "/subscribe", data={"email": "a@example.net"}, headers={"Origin": "https://evil.example"}
    )
    assert foreign.status_code == 403
    assert status(cfg, "a@example.net") is None


def test_bad_confirmation_links(cfg: Config, client: TestClient) -> None:
    sign_up(client, "late@example.net")
    confirm = link_in(outbox(cfg, "confirm", "late@example.net")[0], "/confirm")
    assert client.get(confirm[:-2] + "xx").status_code == 400  # altered
    assert client.post("/confirm?t=%C3%A9%E2%80%A8").status_code == 400  # non-ASCII
    assert client.get("/confirm").status_code == 400
    with time_machine.travel(datetime.now(UTC) + timedelta(hours=49)):
        expired = client.post(confirm)
    assert expired.status_code == 410 and "expired" in expired.text
    assert status(cfg, "late@example.net") == "pending"


def edition_links(cfg: Config, client: TestClient, address: str) -> tuple[str, str]:
    """Sign up and confirm `address`, run an edition; its (preferences, unsubscribe) links."""
    sign_up(client, address)
    client.post(link_in(outbox(cfg, "confirm", address)[0], "/confirm"))
    pipeline.run(cfg, open_state(cfg.state_database), NOW, ENV)
    (eml,) = outbox(cfg, "2026-11-27", address)
    unsubscribe = parse(eml)["List-Unsubscribe"].split(">")[0].strip().lstrip("<")
    assert address not in unsubscribe and "%40" not in unsubscribe
    return link_in(eml, "/preferences"), unsubscribe.removeprefix(BASE)


def test_preferences_sections_frequency_zone_pause(cfg: Config, client: TestClient) -> None:
    preferences, _ = edition_links(cfg, client, "new@example.net")
    page = client.get(preferences)
    assert page.status_code == 200 and "Everything, including sections added later" in page.text
    assert "<option>Asia/Tokyo</option>" in page.text and "min" not in page.text.lower()[:0]
    nothing = client.post(preferences, data={"choice": "pick", "frequency": "daily"})
    assert nothing.status_code == 400 and "Tick at least one section" in nothing.text
    form = {"choice": "pick", "s:Science": "on", "frequency": "weekly", "timezone": "Asia/Tokyo"}
    saved = client.post(preferences, data=form)
    assert saved.status_code == 200 and "Saved." in saved.text
    assert "saved=1" in str(saved.url)
    state = open_state(cfg.state_database)
    record = state.subscribers.get("new@example.net")
    assert record is not None and record.sections == ("Science",)
    assert (record.frequency, record.timezone) == ("weekly", "Asia/Tokyo")
    assert state.events.history(record.id)[-1].source == "preferences page"
    bad_zone = client.post(preferences, data={**form, "timezone": "Mars/Base"})
    assert bad_zone.status_code == 400
    everything = client.post(preferences, data={**form, "choice": "everything"})
    assert everything.status_code == 200
    paused = client.post(preferences, data={"action": "pause", "weeks": "2"})
    assert "Paused until" in paused.text
    record = state.subscribers.get("new@example.net")
    assert record is not None and record.sections == () and record.paused(NOW.now(UTC))
    resumed = client.post(preferences, data={"action": "resume"})
    assert "Pause emails" in resumed.text


def test_unsubscribe_get_never_acts_post_one_click_does(cfg: Config, client: TestClient) -> None:
    _, unsubscribe = edition_links(cfg, client, "new@example.net")
    page = client.get(unsubscribe)
    assert page.status_code == 200 and "Stop sending" in page.text
    assert status(cfg, "new@example.net") == "active"
    done = client.post(unsubscribe, content=b"List-Unsubscribe=One-Click")
    assert done.status_code == 200 and "new@example.net will get no more emails" in done.text
    assert status(cfg, "new@example.net") == "unsubscribed"
    state = open_state(cfg.state_database)
    record = state.subscribers.get("new@example.net")
    assert record is not None
    events = len(state.events.history(record.id))
    assert client.post(unsubscribe, content=b"List-Unsubscribe=One-Click").status_code == 200
    assert len(state.events.history(record.id)) == events  # a repeat changes nothing
    assert "Resubscribe" in client.get(unsubscribe).text
    back = client.post(unsubscribe.replace("/unsubscribe", "/resubscribe"))
    assert back.status_code == 200 and "Welcome back" in back.text
    assert status(cfg, "new@example.net") == "active"


def test_old_links_keep_working(cfg: Config, client: TestClient) -> None:
    legacy = f"e=ada%40example.com&t={unsubscribe_token(ENV['DIGEST_SECRET'], 'ada@example.com')}"
    assert "Stop sending" in client.get(f"/unsubscribe?{legacy}").text
    assert client.get(f"/preferences?{legacy}").status_code == 200
    assert (
        client.post(f"/unsubscribe?{legacy}", content=b"List-Unsubscribe=One-Click").status_code
        == 200
    )
    assert status(cfg, "ada@example.com") == "unsubscribed"


@pytest.mark.parametrize("route", ["/unsubscribe", "/preferences", "/resubscribe", "/confirm"])
@pytest.mark.parametrize("token", ["%C3%A9t%C3%A9", "%E2%80%A8", "x" * 300, "abc.def"])
def test_altered_or_non_ascii_tokens_are_4xx_never_500(
    client: TestClient, route: str, token: str
) -> None:
    for response in (client.get(f"{route}?t={token}"), client.post(f"{route}?t={token}")):
        assert response.status_code in (400, 405), (route, token, response.status_code)
    legacy = client.post(f"{route}?e=%C3%A9%40x.com&t=%E2%80%A8")
    assert 400 <= legacy.status_code < 500


def test_foreign_link_tokens_are_refused(cfg: Config, client: TestClient) -> None:
    state = open_state(cfg.state_database)
    dispatch.audience(cfg, state, NOW)
    ada = state.subscribers.get("ada@example.com")
    assert ada is not None
    other_list = link_token(ENV["DIGEST_SECRET"], "another-list", ada.uid)
    own = link_token(ENV["DIGEST_SECRET"], list_key(cfg.newsletter), ada.uid)
    assert client.post(f"/unsubscribe?t={other_list}").status_code == 400
    assert client.get(f"/preferences?t={own}").status_code == 200
    assert status(cfg, "ada@example.com") == "active"


def test_the_web_copy_has_no_personal_data_or_link(cfg: Config, client: TestClient) -> None:
    pipeline.run(cfg, open_state(cfg.state_database), NOW, ENV)
    page = client.get("/archive/2026-11-27").text
    preview = (cfg.base_dir / "outbox" / "2026-11-27" / "digest.html").read_text()
    for html in (page, preview):
        assert "reader@example.com" not in html and "@example.org" not in html
        assert "ada@example.com" not in html and "Hi Ada" not in html
        assert "?t=" not in html and "?e=" not in html
        assert f'href="{BASE}/unsubscribe"' in html and f'href="{BASE}/preferences"' in html
    help_page = client.get("/unsubscribe")
    assert help_page.status_code == 200 and "Unsubscribe</strong> link" in help_page.text
    asked = client.post("/preferences/link", data={"email": "Ada@Example.com"})
    assert asked.status_code == 200 and "Check your inbox" in asked.text
    assert outbox(cfg, "preferences-link", "ada@example.com")
    nobody = client.post("/preferences/link", data={"email": "nobody@example.net"})
    assert nobody.text.replace("nobody@example.net", "X") == asked.text.replace(
        "Ada@Example.com", "X"
    )
    assert not outbox(cfg, "preferences-link", "nobody@example.net")


def test_pages_carry_the_name_and_brand_colour_without_inline_styles(client: TestClient) -> None:
    css = client.get("/brand.css")
    assert css.status_code == 200 and "--brand: #0f766e;" in css.text
    assert css.headers["content-type"].startswith("text/css")
    for url in ("/subscribe", "/unsubscribe", "/preferences", "/confirm?t=bad"):
        page = client.get(url).text
        assert "<p class='newsletter'>The Morning Digest</p>" in page, url
        assert "<link rel='stylesheet' href='/brand.css'>" in page, url
        assert "style=" not in page and "<style" not in page, url
        assert "<html lang='en'>" in page and "<main>" in page, url
