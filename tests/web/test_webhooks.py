"""POST /webhooks/<provider>: each provider's requests signed with keys the test makes, then
tampered, replayed, made stale, malformed, oversized; the providers' documented event shapes.

Every request goes through the real web route over a real SQLite state; SNS's certificate and
confirmation fetches go to a stub (`SnsKeys.fetch`), never the network.
"""

from __future__ import annotations

import base64
import json
import logging
import secrets
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
import time_machine
from cryptography.hazmat.primitives import serialization
from starlette.applications import Starlette
from starlette.testclient import TestClient

from digest.config import Config, load_config
from digest.errors import ConfigError
from digest.state import State, open_state
from digest.subscribers import add_subscriber
from digest.web.webhooks import webhook_routes
from tests.conftest import DATA
from tests.web.signing import (
    CERT_URL,
    SUBSCRIBE_URL,
    TOPIC,
    SendgridKeys,
    SnsKeys,
    mailgun_sign,
    resend_headers,
    tamper,
)

NOW = datetime(2026, 11, 27, 12, 0, tzinfo=UTC)
EDITION = "2026-11-27"
PAYLOADS = DATA / "bounces" / "webhooks"
PEOPLE = ("hard", "soft", "angry", "leaving", "dropped", "ok")
# The provider's id of each person's message, as the send recorded it in the ledger.
PROVIDER_IDS = {
    "postmark": {
        "hard": "883953f4-6105-42a2-a16a-77a8eac79483",
        "soft": "b7bc2f4a-e38e-4336-af7d-e6c392c2f817",
        "angry": "00000000-0000-0000-0000-000000000042",
    },
    "sendgrid": {name: f"sg-{name}" for name in PEOPLE},
    "mailgun": {
        "hard": "<20261127070000.1.A1B2C3D4E5F6@mg.example.com>",
        "soft": "<20261127070000.2.B2C3D4E5F6A1@mg.example.com>",
        "angry": "<20261127070000.3.C3D4E5F6A1B2@mg.example.com>",
    },
    "ses": {
        name: f"0102019a6b1d2e3f-{name}-0000-0000-0000-000000000000-000000"
        for name in ("hard", "soft", "angry")
    },
    "resend": {
        "hard": "56761188-7520-42d8-8898-ff6fc54ce618",
        "angry": "7d3a9d22-3b7c-4f35-9a4e-5c1d2b3e4f50",
    },
}
SENDGRID = SendgridKeys()
MAILGUN_KEY = "key-" + secrets.token_hex(16)
RESEND_SECRET = "whsec_" + base64.b64encode(secrets.token_bytes(24)).decode()
ENV = {
    "POSTMARK_WEBHOOK_USER": "postmark-hooks",
    "POSTMARK_WEBHOOK_PASSWORD": "pm-" + secrets.token_hex(8),
    "SENDGRID_WEBHOOK_PUBLIC_KEY": SENDGRID.public,
    "MAILGUN_WEBHOOK_SIGNING_KEY": MAILGUN_KEY,
    "RESEND_WEBHOOK_SECRET": RESEND_SECRET,
}


def email(name: str) -> str:
    return f"{name}@example.com"


def payload(name: str) -> bytes:
    return (PAYLOADS / name).read_bytes()


def postmark_auth(user: str = ENV["POSTMARK_WEBHOOK_USER"], password: str = "") -> dict[str, str]:
    secret = password or ENV["POSTMARK_WEBHOOK_PASSWORD"]
    token = base64.b64encode(f"{user}:{secret}".encode()).decode()
    return {"Authorization": f"Basic {token}", "Content-Type": "application/json"}


@pytest.fixture
def cfg(project: Path) -> Config:
    return load_config(
        project / "config.toml", {"DIGEST_WEBHOOKS__SES__TOPIC_ARNS": f'["{TOPIC}"]'}
    )


@pytest.fixture
def state(cfg: Config) -> Iterator[State]:
    opened = open_state(cfg.state_database)
    yield opened
    opened.close()


@pytest.fixture
def sns() -> SnsKeys:
    return SnsKeys(NOW)


@pytest.fixture
def hooks(cfg: Config, sns: SnsKeys) -> Callable[..., TestClient]:
    """A client over the webhook routes with the clock at NOW; `env` picks the secrets."""

    def make(env: dict[str, str] | None = None) -> TestClient:
        routes = webhook_routes(
            cfg,
            ENV if env is None else env,
            lambda: open_state(cfg.state_database),
            fetch=sns.fetch,
            clock=lambda: NOW,
        )
        return TestClient(Starlette(routes=routes))

    return make


def seed(state: State, provider: str) -> None:
    """Active subscribers, and the edition sent to them with the provider's message ids."""
    for name in PEOPLE:
        add_subscriber(state, email(name), now=NOW - timedelta(days=3))
    state.ledger.enqueue(EDITION, [email(name) for name in PEOPLE])
    for name in PEOPLE:
        state.ledger.mark_sent(EDITION, email(name), PROVIDER_IDS[provider].get(name))


def statuses(state: State) -> dict[str, str]:
    found = {}
    for name in PEOPLE:
        record = state.subscribers.get(email(name))
        assert record is not None
        found[name] = record.status
    return found


def unchanged(state: State) -> bool:
    return set(statuses(state).values()) == {"active"} and not any(
        state.feedback.of(email(name)) for name in PEOPLE
    )


def assert_suppressed(state: State, provider: str) -> None:
    """hard@ bounced and angry@ complained, with reason, source and time in the history."""
    found = statuses(state)
    assert (found["hard"], found["angry"], found["ok"]) == ("bounced", "complained", "active")
    for name, source in (("hard", "bounce"), ("angry", "complaint")):
        record = state.subscribers.get(email(name))
        assert record is not None and record.status_reason is not None
        assert provider in record.status_reason and EDITION in record.status_reason
        assert record.status_changed == NOW
        event = state.events.history(record.id)[-1]
        assert (event.source, event.at) == (source, NOW)
        assert state.ledger.is_suppressed(email(name))
    assert state.feedback.counts(EDITION) == {"bounced": 1, "complained": 1}


# --- Postmark: basic auth --------------------------------------------------------------------


def test_postmark_suppresses_a_hard_bounce_and_a_complaint(state: State, hooks: Any) -> None:
    seed(state, "postmark")
    client = hooks()
    for name in ("postmark_bounce.json", "postmark_spam_complaint.json"):
        response = client.post("/webhooks/postmark", content=payload(name), headers=postmark_auth())
        assert response.status_code == 200, response.text
        assert response.json()["changed"] == 1
    assert_suppressed(state, "postmark")
    # Postmark's Broadcast streams report complaints as a SubscriptionChange: same outcome.
    response = client.post(
        "/webhooks/postmark",
        content=payload("postmark_subscription_change.json"),
        headers=postmark_auth(),
    )
    assert response.status_code == 200
    assert response.json()["outcomes"] == [
        "angry@example.com: complaint: suppressed by Postmark: SpamComplaint (origin: Recipient)"
        " (edition unknown) -> already complained"
    ]


def test_postmark_refuses_wrong_or_missing_credentials(state: State, hooks: Any) -> None:
    seed(state, "postmark")
    client = hooks()
    body = payload("postmark_bounce.json")
    wrong = client.post("/webhooks/postmark", content=body, headers=postmark_auth(password="x"))
    assert wrong.status_code == 401
    assert wrong.headers["www-authenticate"].startswith("Basic")
    assert client.post("/webhooks/postmark", content=body).status_code == 401
    garbled = {"Authorization": "Basic !!!not-base64"}
    assert client.post("/webhooks/postmark", content=body, headers=garbled).status_code == 401
    assert unchanged(state)


def test_postmark_soft_bounce_counts_and_other_records_are_ignored(
    state: State, hooks: Any
) -> None:
    seed(state, "postmark")
    client = hooks()
    soft = client.post(
        "/webhooks/postmark", content=payload("postmark_soft_bounce.json"), headers=postmark_auth()
    )
    assert soft.json()["outcomes"] == [
        "soft@example.com: soft bounce: SoftBounce smtp;452 4.2.2 Mailbox full"
        f" (edition {EDITION}) -> counted: 1 of 3 soft bounces in 30 days"
    ]
    delivery = client.post(
        "/webhooks/postmark", content=payload("postmark_delivery.json"), headers=postmark_auth()
    )
    assert delivery.status_code == 200 and delivery.json()["ignored"] == 1
    assert set(statuses(state).values()) == {"active"}


def test_postmark_body_that_is_not_a_record_is_400(state: State, hooks: Any) -> None:
    seed(state, "postmark")
    client = hooks()
    for body in (b"[1, 2]", b"{not json", b'{"RecordType": "Bounce", "ID": 7}', b"{}"):
        response = client.post("/webhooks/postmark", content=body, headers=postmark_auth())
        assert response.status_code == 400, body
    assert unchanged(state)


# --- SendGrid: ECDSA P-256 over timestamp + body ----------------------------------------------


def test_sendgrid_applies_each_kind_of_event_in_a_signed_batch(state: State, hooks: Any) -> None:
    seed(state, "sendgrid")
    body = payload("sendgrid_events.json")
    response = hooks().post("/webhooks/sendgrid", content=body, headers=SENDGRID.headers(body, NOW))
    assert response.status_code == 200, response.text
    assert response.json()["ignored"] == 4  # processed, delivered, deferred, open
    assert statuses(state) == {
        "hard": "bounced",
        "soft": "active",
        "angry": "complained",
        "leaving": "unsubscribed",
        "dropped": "bounced",
        "ok": "active",
    }
    assert state.feedback.counts(EDITION) == {"bounced": 2, "complained": 1}
    leaving = state.subscribers.get(email("leaving"))
    assert leaving is not None
    assert state.events.history(leaving.id)[-1].source == "provider unsubscribe"


def test_sendgrid_refuses_tampered_unsigned_and_stale_requests(state: State, hooks: Any) -> None:
    seed(state, "sendgrid")
    client = hooks()
    body = payload("sendgrid_events.json")
    headers = SENDGRID.headers(body, NOW)
    assert (
        client.post("/webhooks/sendgrid", content=tamper(body), headers=headers).status_code == 403
    )
    assert client.post("/webhooks/sendgrid", content=body).status_code == 401
    stale = SENDGRID.headers(body, NOW - timedelta(minutes=10))
    assert client.post("/webhooks/sendgrid", content=body, headers=stale).status_code == 403
    other = SendgridKeys().headers(body, NOW)  # signed, but with someone else's key
    assert client.post("/webhooks/sendgrid", content=body, headers=other).status_code == 403
    broken = dict(headers, **{"X-Twilio-Email-Event-Webhook-Signature": "%%%"})
    assert client.post("/webhooks/sendgrid", content=body, headers=broken).status_code == 403
    assert unchanged(state)


def test_sendgrid_replay_changes_nothing(state: State, hooks: Any) -> None:
    seed(state, "sendgrid")
    client = hooks()
    body = payload("sendgrid_events.json")
    first = client.post("/webhooks/sendgrid", content=body, headers=SENDGRID.headers(body, NOW))
    history = len(state.feedback.of(email("hard")))
    again = client.post("/webhooks/sendgrid", content=body, headers=SENDGRID.headers(body, NOW))
    assert first.status_code == again.status_code == 200
    assert again.json()["changed"] == 0
    assert all(line.endswith("-> already processed") for line in again.json()["outcomes"])
    assert len(state.feedback.of(email("hard"))) == history


def test_sendgrid_signed_body_that_is_not_events_is_400(state: State, hooks: Any) -> None:
    seed(state, "sendgrid")
    for body in (b'{"event": "bounce"}', b"not json", b'[{"event": "bounce"}]'):
        response = hooks().post(
            "/webhooks/sendgrid", content=body, headers=SENDGRID.headers(body, NOW)
        )
        assert response.status_code == 400, body
    assert unchanged(state)


# --- Mailgun: HMAC of timestamp + token, each token once ---------------------------------------


def mailgun(name: str, at: datetime = NOW, token: str = "") -> bytes:
    return mailgun_sign(json.loads(payload(name)), MAILGUN_KEY, at, token)


def test_mailgun_suppresses_a_hard_bounce_and_a_complaint(state: State, hooks: Any) -> None:
    seed(state, "mailgun")
    client = hooks()
    for name in ("mailgun_failed_permanent.json", "mailgun_complained.json"):
        response = client.post("/webhooks/mailgun", content=mailgun(name))
        assert response.status_code == 200, response.text
    assert_suppressed(state, "mailgun")
    soft = client.post("/webhooks/mailgun", content=mailgun("mailgun_failed_temporary.json"))
    assert soft.json()["outcomes"][0].endswith("-> counted: 1 of 3 soft bounces in 30 days")
    delivered = client.post("/webhooks/mailgun", content=mailgun("mailgun_delivered.json"))
    assert delivered.status_code == 200 and delivered.json()["ignored"] == 1


def test_mailgun_refuses_tampered_signatures_stale_times_and_reused_tokens(
    state: State, hooks: Any
) -> None:
    seed(state, "mailgun")
    client = hooks()
    body = json.loads(mailgun("mailgun_failed_permanent.json"))
    for part in ("timestamp", "token", "signature"):
        forged = json.loads(json.dumps(body))
        value = forged["signature"][part]
        forged["signature"][part] = value[:-1] + ("0" if value[-1] != "0" else "1")
        response = client.post("/webhooks/mailgun", content=json.dumps(forged).encode())
        assert response.status_code == 403, part
    unsigned = {"event-data": body["event-data"]}
    assert client.post("/webhooks/mailgun", json=unsigned).status_code == 401
    stale = mailgun("mailgun_failed_permanent.json", NOW - timedelta(minutes=6))
    assert client.post("/webhooks/mailgun", content=stale).status_code == 403
    assert unchanged(state)
    signed = mailgun("mailgun_failed_permanent.json", token="a8ce0edb2dd8301dee6c2405235584e45a")
    assert client.post("/webhooks/mailgun", content=signed).status_code == 200
    replay = client.post("/webhooks/mailgun", content=signed)
    assert replay.status_code == 403 and "used before" in replay.json()["error"]
    # The same token on another event: refused, and that event changes nothing.
    other = mailgun("mailgun_complained.json", token="a8ce0edb2dd8301dee6c2405235584e45a")
    assert client.post("/webhooks/mailgun", content=other).status_code == 403
    assert statuses(state)["angry"] == "active"


def test_mailgun_signed_body_without_event_data_is_400(state: State, hooks: Any) -> None:
    seed(state, "mailgun")
    body = mailgun_sign({"event-data": "nope"}, MAILGUN_KEY, NOW)
    assert hooks().post("/webhooks/mailgun", content=body).status_code == 400
    assert hooks().post("/webhooks/mailgun", content=b"\xff\xfe").status_code == 400


# --- SES through SNS: certificate from an SNS host, topics, SignatureVersion 1 and 2 -----------


def test_ses_suppresses_a_hard_bounce_and_a_complaint(
    state: State, hooks: Any, sns: SnsKeys
) -> None:
    seed(state, "ses")
    client = hooks()
    bounce = sns.notification(json.loads(payload("ses_bounce.json")), NOW, version="1")
    complaint = sns.notification(json.loads(payload("ses_complaint.json")), NOW, version="2")
    for body in (bounce, complaint):
        response = client.post(
            "/webhooks/ses", content=body, headers={"x-amz-sns-message-type": "Notification"}
        )
        assert response.status_code == 200, response.text
    assert_suppressed(state, "ses")
    assert sns.fetched == [CERT_URL]  # fetched once, then cached
    transient = sns.notification(json.loads(payload("ses_transient.json")), NOW)
    assert (
        client.post("/webhooks/ses", content=transient)
        .json()["outcomes"][0]
        .endswith("-> counted: 1 of 3 soft bounces in 30 days")
    )
    delivery = sns.notification(json.loads(payload("ses_delivery.json")), NOW)
    assert client.post("/webhooks/ses", content=delivery).json()["ignored"] == 1


def test_ses_refuses_tampered_stale_foreign_topic_and_foreign_certificate(
    state: State, hooks: Any, sns: SnsKeys
) -> None:
    seed(state, "ses")
    client = hooks()
    notification = json.loads(payload("ses_bounce.json"))
    body = sns.notification(notification, NOW, version="2")
    assert client.post("/webhooks/ses", content=tamper(body)).status_code == 403
    stale = sns.notification(notification, NOW - timedelta(hours=2))
    assert client.post("/webhooks/ses", content=stale).status_code == 403
    elsewhere = sns.notification(notification, NOW, topic=TOPIC.replace("feedback", "other"))
    assert client.post("/webhooks/ses", content=elsewhere).status_code == 403
    fetched = list(sns.fetched)
    for url in (
        "https://sns.eu-west-1.amazonaws.com.evil.example/cert.pem",
        "http://sns.eu-west-1.amazonaws.com/cert.pem",
        "https://sns.eu-west-1.amazonaws.com:8443/cert.pem",
        "https://user@sns.eu-west-1.amazonaws.com/cert.pem",
        "https://evil.example/sns.eu-west-1.amazonaws.com/cert.pem",
    ):
        message = json.loads(body)
        message["SigningCertURL"] = url
        response = client.post("/webhooks/ses", content=json.dumps(message).encode())
        assert response.status_code == 403, url
    assert sns.fetched == fetched  # no certificate was fetched from elsewhere
    unsigned = json.loads(body)
    del unsigned["Signature"]
    assert client.post("/webhooks/ses", content=json.dumps(unsigned).encode()).status_code == 401
    assert unchanged(state)


def test_ses_confirms_its_subscription_only_on_an_sns_host(
    state: State, hooks: Any, sns: SnsKeys
) -> None:
    client = hooks()
    response = client.post("/webhooks/ses", content=sns.confirmation(NOW))
    assert response.status_code == 200
    assert response.json()["notes"] == [f"ses: confirmed the subscription to {TOPIC}"]
    assert sns.fetched == [CERT_URL, SUBSCRIBE_URL]
    foreign = sns.confirmation(NOW, "https://evil.example/?Action=ConfirmSubscription")
    assert client.post("/webhooks/ses", content=foreign).status_code == 403
    assert sns.fetched == [CERT_URL, SUBSCRIBE_URL]


def test_ses_signed_message_that_is_not_a_notification_is_400(
    state: State, hooks: Any, sns: SnsKeys
) -> None:
    seed(state, "ses")
    client = hooks()
    bad = sns.notification({"notificationType": "Bounce", "mail": {}}, NOW)
    assert client.post("/webhooks/ses", content=bad).status_code == 400
    message = json.loads(sns.notification({}, NOW))
    message["Message"] = "not json"
    resigned = sns.sign({k: message[k] for k in message if not k.startswith("Sig")})
    assert client.post("/webhooks/ses", content=json.dumps(resigned).encode()).status_code == 400
    assert client.post("/webhooks/ses", content=b"[]").status_code == 400
    assert unchanged(state)


# --- Resend: Svix signatures -------------------------------------------------------------------


@pytest.fixture
def at_now() -> Iterator[None]:
    """svix reads the real clock: travel there."""
    with time_machine.travel(NOW, tick=True):
        yield


def resend(name: str, at: datetime = NOW, msg_id: str = "") -> tuple[bytes, dict[str, str]]:
    body = payload(name)
    return body, resend_headers(RESEND_SECRET, body, at, msg_id)


@pytest.mark.usefixtures("at_now")
def test_resend_suppresses_a_hard_bounce_and_a_complaint(state: State, hooks: Any) -> None:
    seed(state, "resend")
    client = hooks()
    for name in ("resend_bounced.json", "resend_complained.json"):
        body, headers = resend(name)
        response = client.post("/webhooks/resend", content=body, headers=headers)
        assert response.status_code == 200, response.text
    assert_suppressed(state, "resend")
    body, headers = resend("resend_delivered.json")
    ignored = client.post("/webhooks/resend", content=body, headers=headers)
    assert ignored.status_code == 200 and ignored.json()["ignored"] == 1


@pytest.mark.usefixtures("at_now")
def test_resend_refuses_tampered_unsigned_and_stale_requests_and_replays_are_harmless(
    state: State, hooks: Any
) -> None:
    seed(state, "resend")
    client = hooks()
    body, headers = resend("resend_bounced.json", msg_id="msg_2Lh9KRb0pzN4LePd3XiC")
    assert client.post("/webhooks/resend", content=tamper(body), headers=headers).status_code == 403
    assert client.post("/webhooks/resend", content=body).status_code == 401
    _, stale = resend("resend_bounced.json", NOW - timedelta(minutes=6))
    assert client.post("/webhooks/resend", content=body, headers=stale).status_code == 403
    broken = dict(headers, **{"svix-signature": "no-comma-here"})
    assert client.post("/webhooks/resend", content=body, headers=broken).status_code == 403
    assert unchanged(state)
    assert client.post("/webhooks/resend", content=body, headers=headers).json()["changed"] == 1
    # Svix retries a message under the same svix-id, freshly signed: recognised, no change.
    _, retry = resend(
        "resend_bounced.json", NOW + timedelta(seconds=30), "msg_2Lh9KRb0pzN4LePd3XiC"
    )
    again = client.post("/webhooks/resend", content=body, headers=retry)
    assert again.status_code == 200 and again.json()["outcomes"][0].endswith("already processed")


# --- every provider ------------------------------------------------------------------------------


def test_a_provider_that_is_not_configured_answers_404(hooks: Any, cfg: Config) -> None:
    client = hooks({})
    for name in ("postmark", "sendgrid", "mailgun", "resend", "pigeon"):
        assert client.post(f"/webhooks/{name}", content=b"{}").status_code == 404, name
    no_topics = load_config(cfg.path, {})
    routes = webhook_routes(no_topics, {}, lambda: open_state(no_topics.state_database))
    assert TestClient(Starlette(routes=routes)).post("/webhooks/ses").status_code == 404
    assert hooks().get("/webhooks/postmark").status_code == 405


def test_an_oversized_body_is_refused_with_413(state: State, hooks: Any) -> None:
    seed(state, "postmark")
    body = b'{"RecordType": "Delivery", "Details": "' + b"x" * 2_100_000 + b'"}'
    response = hooks().post("/webhooks/postmark", content=body, headers=postmark_auth())
    assert response.status_code == 413
    assert unchanged(state)


def test_json_nested_past_the_cap_is_a_400_before_parsing(state: State, hooks: Any) -> None:
    """100,000 nested brackets: refused as not JSON, never a RecursionError (a 500)."""
    seed(state, "sendgrid")
    deep = b"[" * 100_000 + b"]" * 100_000
    client = hooks()
    assert client.post("/webhooks/mailgun", content=deep).status_code == 400
    signed = client.post("/webhooks/sendgrid", content=deep, headers=SENDGRID.headers(deep, NOW))
    assert signed.status_code == 400 and "nested deeper than" in signed.text
    brackets_in_text = b'[{"event": "bounce", "reason": "' + b"[" * 500 + b'"}]'
    headers = SENDGRID.headers(brackets_in_text, NOW)
    answer = client.post("/webhooks/sendgrid", content=brackets_in_text, headers=headers)
    assert answer.status_code != 400 or "nested" not in answer.text  # strings are not nesting
    assert unchanged(state)


def test_an_event_for_an_address_not_on_the_list_is_a_line_and_nothing_else(
    state: State, hooks: Any
) -> None:
    record = json.loads(payload("postmark_bounce.json"))
    record["Email"] = "stranger@example.org"
    lines: list[str] = []

    class Collect(logging.Handler):
        def emit(self, record: logging.LogRecord) -> None:
            lines.append(record.getMessage())

    handler = Collect()
    logger = logging.getLogger("digest.webhooks")
    level = logger.level
    logger.addHandler(handler)
    logger.setLevel(logging.INFO)
    try:
        response = hooks().post("/webhooks/postmark", json=record, headers=postmark_auth())
    finally:
        logger.removeHandler(handler)
        logger.setLevel(level)
    assert response.status_code == 200
    (line,) = response.json()["outcomes"]
    assert line.startswith("stranger@example.org: hard bounce") and "not on the list" in line
    assert lines == [f"postmark: {line}"]
    assert state.subscribers.get("stranger@example.org") is None
    assert not state.ledger.is_suppressed("stranger@example.org")


def test_half_set_or_bad_secrets_stop_the_app_naming_the_variable(cfg: Config) -> None:
    opener = lambda: open_state(cfg.state_database)  # noqa: E731
    with pytest.raises(ConfigError, match="POSTMARK_WEBHOOK_PASSWORD"):
        webhook_routes(cfg, {"POSTMARK_WEBHOOK_USER": "u"}, opener)
    with pytest.raises(ConfigError, match="SENDGRID_WEBHOOK_PUBLIC_KEY"):
        webhook_routes(cfg, {"SENDGRID_WEBHOOK_PUBLIC_KEY": "bm90IGEga2V5"}, opener)
    spki = serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
    rsa_der = base64.b64encode(SnsKeys(NOW).certificate.public_key().public_bytes(*spki))
    with pytest.raises(ConfigError, match="not an ECDSA P-256"):
        webhook_routes(cfg, {"SENDGRID_WEBHOOK_PUBLIC_KEY": rsa_der.decode()}, opener)
    with pytest.raises(ConfigError, match="RESEND_WEBHOOK_SECRET"):
        webhook_routes(cfg, {"RESEND_WEBHOOK_SECRET": "whsec_%%%"}, opener)
    bad_topic = load_config(cfg.path, {"DIGEST_WEBHOOKS__SES__TOPIC_ARNS": '["my-topic"]'})
    with pytest.raises(ConfigError, match=r"webhooks\.ses\.topic_arns"):
        webhook_routes(bad_topic, {}, opener)
    typo = load_config(cfg.path, {"DIGEST_WEBHOOKS__SES__TOPICS": '["x"]'})
    with pytest.raises(ConfigError, match=r"webhooks\.ses\.topics: unknown key"):
        webhook_routes(typo, {}, opener)


def test_the_real_app_serves_the_webhooks(cfg: Config, state: State) -> None:
    from digest.web import create_app

    seed(state, "postmark")
    client = TestClient(create_app(cfg, ENV))
    response = client.post(
        "/webhooks/postmark", content=payload("postmark_bounce.json"), headers=postmark_auth()
    )
    assert response.status_code == 200
    assert statuses(state)["hard"] == "bounced"
    assert TestClient(create_app(cfg, {})).post("/webhooks/postmark").status_code == 404


def test_mailgun_failures_because_of_its_own_lists_count_as_those(state: State, hooks: Any) -> None:
    seed(state, "mailgun")
    body = json.loads(payload("mailgun_failed_permanent.json"))
    body["event-data"].update(reason="suppress-complaint", recipient=email("angry"))
    response = hooks().post("/webhooks/mailgun", content=mailgun_sign(body, MAILGUN_KEY, NOW))
    assert response.json()["outcomes"][0].startswith("angry@example.com: complaint")
    assert statuses(state)["angry"] == "complained"
