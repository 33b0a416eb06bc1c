"""End to end: an edition goes out, each of the five providers reports a hard bounce and a spam
complaint through its signed webhook, `digest status` counts them for that edition, and the
next edition's outbox has none of them."""

from __future__ import annotations

import json
import secrets
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import time_machine
from starlette.applications import Starlette
from starlette.testclient import TestClient

from digest import pipeline
from digest.cli.status import collect
from digest.config import load_config
from digest.state import open_state
from digest.web.webhooks import webhook_routes
from tests.web.signing import TOPIC, SnsKeys, mailgun_sign, resend_headers
from tests.web.test_webhooks import (
    ENV,
    MAILGUN_KEY,
    PAYLOADS,
    RESEND_SECRET,
    SENDGRID,
    postmark_auth,
)

DAY1 = datetime(2026, 11, 27, 7, 0, tzinfo=UTC)
LATER = DAY1 + timedelta(hours=3)
PROVIDERS = ("postmark", "sendgrid", "mailgun", "ses", "resend")


def load(name: str) -> Any:
    return json.loads((PAYLOADS / name).read_text())


def request(provider: str, kind: str, address: str, sent_as: str, sns: SnsKeys) -> dict[str, Any]:
    """A signed request from `provider` saying `address` hard-bounced or complained about the
    message the provider knows as `sent_as`."""
    if provider == "postmark":
        body = load("postmark_bounce.json" if kind == "bounce" else "postmark_spam_complaint.json")
        body.update(Email=address, MessageID=sent_as, ID=secrets.randbelow(10**9))
        return {"content": json.dumps(body).encode(), "headers": postmark_auth()}
    if provider == "sendgrid":
        wanted = "hard@example.com" if kind == "bounce" else "angry@example.com"
        (event,) = [e for e in load("sendgrid_events.json") if e["email"] == wanted]
        event.update(email=address, sg_message_id=f"{sent_as}.filterdrecv-1", sg_event_id=sent_as)
        content = json.dumps([event]).encode()
        return {"content": content, "headers": SENDGRID.headers(content, LATER)}
    if provider == "mailgun":
        body = load(
            "mailgun_failed_permanent.json" if kind == "bounce" else "mailgun_complained.json"
        )
        body["event-data"].update(recipient=address, id=secrets.token_hex(8))
        body["event-data"]["message"]["headers"]["message-id"] = sent_as
        return {"content": mailgun_sign(body, MAILGUN_KEY, LATER)}
    if provider == "ses":
        note = load("ses_bounce.json" if kind == "bounce" else "ses_complaint.json")
        people = (
            note["bounce"]["bouncedRecipients"]
            if kind == "bounce"
            else note["complaint"]["complainedRecipients"]
        )
        people[0]["emailAddress"] = address
        note["mail"]["messageId"] = sent_as
        return {"content": sns.notification(note, LATER, version="2")}
    body = load("resend_bounced.json" if kind == "bounce" else "resend_complained.json")
    body["data"].update(to=[address], email_id=sent_as)
    content = json.dumps(body).encode()
    return {"content": content, "headers": resend_headers(RESEND_SECRET, content, LATER)}


def test_five_providers_suppress_and_the_next_edition_skips_them(project: Path) -> None:
    readers = [f"{p}-{kind}@example.com" for p in PROVIDERS for kind in ("bounce", "angry")]
    csv = project / "subscribers" / "subscribers.csv"
    csv.write_text(csv.read_text() + "".join(f"{r},,,active\n" for r in readers))
    env = {"DIGEST_WEBHOOKS__SES__TOPIC_ARNS": f'["{TOPIC}"]'}
    cfg = load_config(project / "config.toml", env)
    state = open_state(cfg.state_database)
    first = pipeline.run(cfg, state, DAY1, {})
    assert first.sent == 13
    # The outbox provider's id of each message is its file name, as an API's would be its id.
    sent_as = {
        row[0]: row[1]
        for row in state.db.conn.execute(
            "SELECT email, provider_id FROM deliveries WHERE edition_id = ?", (first.edition_id,)
        )
    }
    sns = SnsKeys(LATER)
    routes = webhook_routes(
        cfg, ENV, lambda: open_state(cfg.state_database), fetch=sns.fetch, clock=lambda: LATER
    )
    client = TestClient(Starlette(routes=routes))
    with time_machine.travel(LATER, tick=True):  # svix reads the real clock
        for provider in PROVIDERS:
            for kind, who in (("bounce", "bounce"), ("complaint", "angry")):
                address = f"{provider}-{who}@example.com"
                sent = request(provider, kind, address, sent_as[address], sns)
                response = client.post(f"/webhooks/{provider}", **sent)
                assert response.status_code == 200, (provider, response.text)
                assert response.json()["changed"] == 1, (provider, response.json())

    for provider in PROVIDERS:
        bounced = state.subscribers.get(f"{provider}-bounce@example.com")
        angry = state.subscribers.get(f"{provider}-angry@example.com")
        assert bounced is not None and angry is not None
        assert (bounced.status, angry.status) == ("bounced", "complained"), provider
    (edition,) = [e for e in collect(cfg, state, LATER)["editions"] if e["id"] == "2026-11-27"]
    assert (edition["bounced"], edition["complained"]) == (5, 5)

    later = load_config(project / "config.toml", {**env, "DIGEST_COMPOSE__SEND_WHEN_EMPTY": "true"})
    second = pipeline.run(later, state, DAY1 + timedelta(days=1), {})
    assert second.edition_id == "2026-11-28"
    got = {
        p.name.split("--")[1].rsplit("-", 1)[0] for p in (project / "outbox").glob("2026-11-28--*")
    }
    assert "ada@example.com" in got
    assert not got & set(readers)
    state.close()
