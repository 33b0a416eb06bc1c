"""The five API providers against local stand-ins validating against the published schemas:
single messages, and an edition's messages in the batches each provider offers."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
import pytest

from digest.deliver import Composer, SendSettings, make_provider, send_edition
from digest.deliver.mailgun import MailgunProvider
from digest.deliver.postmark import PostmarkProvider
from digest.deliver.resend import ResendProvider
from digest.deliver.sendgrid import SendgridProvider
from digest.deliver.ses import SesProvider
from digest.errors import ConfigError, PermanentDeliveryError, TransientDeliveryError
from digest.models import OutgoingMessage, Subscriber
from digest.render import RenderSettings, render_edition
from digest.state.ledger import Ledger
from tests.render.sample import load_sample

from .factories import message
from .fake_apis import FakeApi

PROVIDERS = ["postmark", "sendgrid", "mailgun", "ses", "resend"]


def build(name: str, fake: FakeApi) -> Any:
    auth: dict[str, Any] = {
        "postmark": {"headers": {"X-Postmark-Server-Token": "t"}},
        "sendgrid": {"headers": {"Authorization": "Bearer k"}},
        "mailgun": {"auth": ("api", "k")},
        "resend": {"headers": {"Authorization": "Bearer k"}},
    }.get(name, {})
    http = httpx.Client(base_url="https://api.test", transport=fake.transport(), **auth)
    if name == "postmark":
        return PostmarkProvider(http)
    if name == "sendgrid":
        return SendgridProvider(http)
    if name == "mailgun":
        return MailgunProvider(http, "mg.example.org")
    if name == "ses":
        return SesProvider(http, region="eu-west-1", access_key="AKID", secret_key="secret")
    return ResendProvider(http)


@pytest.mark.parametrize("name", PROVIDERS)
def test_success_and_per_message_errors(name: str) -> None:
    fake = FakeApi(name)
    provider = build(name, fake)
    emails = ["a@example.com", "bounce@example.com", "b@example.com"]
    results = provider.send([message(e) for e in emails])
    assert fake.schema_errors == []
    assert [r.to for r in results] == emails
    assert [r.status for r in results] == ["sent", "failed", "sent"]
    assert all(r.provider_id for r in results if r.status == "sent")
    assert fake.delivered == {"a@example.com": 1, "b@example.com": 1}
    assert results[1].error


@pytest.mark.parametrize("name", PROVIDERS)
def test_429_with_retry_after_and_500_are_transient(name: str) -> None:
    fake = FakeApi(name)
    provider = build(name, fake)
    fake.fail_next(429, {"Retry-After": "7"})
    with pytest.raises(TransientDeliveryError) as caught:
        provider.send([message("a@example.com")])
    assert caught.value.retry_after == 7.0
    fake.fail_next(500)
    with pytest.raises(TransientDeliveryError):
        provider.send([message("a@example.com")])
    assert provider.send([message("a@example.com")])[0].status == "sent"
    assert fake.delivered == {"a@example.com": 1}


@pytest.mark.parametrize("name", PROVIDERS)
def test_bad_credentials_stop_the_send(name: str) -> None:
    fake = FakeApi(name)
    fake.fail_next(401)
    with pytest.raises(PermanentDeliveryError, match=r"credentials|refused"):
        build(name, fake).send([message("a@example.com")])


def test_resend_batch_replay_sends_nothing_twice() -> None:
    fake = FakeApi("resend")
    provider = build("resend", fake)
    batch = [message(f"r{i}@example.com") for i in range(100)]
    first = provider.send(batch)
    again = provider.send(batch)
    assert fake.schema_errors == []
    assert [r.provider_id for r in first] == [r.provider_id for r in again]
    assert set(fake.delivered.values()) == {1} and len(fake.delivered) == 100
    keys = {r.headers["Idempotency-Key"] for r in fake.requests}
    assert len(keys) == 1


def test_postmark_sends_broadcast_stream_and_list_headers() -> None:
    fake = FakeApi("postmark")
    build("postmark", fake).send([message("a@example.com")])
    body = fake.requests[0].read()
    assert b'"MessageStream": "broadcast"' in body or b'"MessageStream":"broadcast"' in body
    assert b"List-Unsubscribe-Post" in body


SECRETS = {
    "postmark": ({}, "POSTMARK_SERVER_TOKEN"),
    "sendgrid": ({}, "SENDGRID_API_KEY"),
    "mailgun": ({"domain": "mg.example.org"}, "MAILGUN_API_KEY"),
    "ses": ({"region": "eu-west-1"}, "AWS_ACCESS_KEY_ID"),
    "resend": ({}, "RESEND_API_KEY"),
}


@pytest.mark.parametrize("name", PROVIDERS)
def test_missing_key_names_the_environment_variable(name: str) -> None:
    options, variable = SECRETS[name]
    with pytest.raises(ConfigError, match=f"environment variable {variable}"):
        make_provider(name, options, base_dir=Path("."), environ={})


def test_mailgun_eu_region_and_config_errors() -> None:
    env = {"MAILGUN_API_KEY": "k"}
    provider = make_provider(
        "mailgun", {"domain": "mg.example.org", "region": "eu"}, base_dir=Path("."), environ=env
    )
    assert isinstance(provider, MailgunProvider)
    assert str(provider.http.base_url).startswith("https://api.eu.mailgun.net")
    with pytest.raises(ConfigError, match=r"delivery.mailgun.region"):
        make_provider("mailgun", {"domain": "d", "region": "mars"}, base_dir=Path("."), environ=env)
    with pytest.raises(ConfigError, match=r"delivery.mailgun.domain: required"):
        make_provider("mailgun", {}, base_dir=Path("."), environ=env)


def test_registry_errors_name_the_key() -> None:
    with pytest.raises(ConfigError, match=r"delivery.provider"):
        make_provider("pigeon", {}, base_dir=Path("."), environ={})
    with pytest.raises(ConfigError, match=r"delivery.smtp.port: must be int"):
        make_provider("smtp", {"port": "25"}, base_dir=Path("."), environ={})
    with pytest.raises(ConfigError, match=r"delivery.smtp.hots: unknown key"):
        make_provider("smtp", {"hots": "x"}, base_dir=Path("."), environ={})
    with pytest.raises(ConfigError, match=r"delivery.outbox.dir: must be str"):
        make_provider("outbox", {"dir": 3}, base_dir=Path("."), environ={})


def test_sigv4_matches_the_aws_documented_example() -> None:
    from datetime import datetime

    from digest.deliver.sigv4 import sign

    headers = sign(
        "GET",
        "https://iam.amazonaws.com/?Action=ListUsers&Version=2010-05-08",
        {"Content-Type": "application/x-www-form-urlencoded; charset=utf-8"},
        b"",
        access_key="AKIDEXAMPLE",
        secret_key="wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY",
        region="us-east-1",
        service="iam",
        now=datetime(2015, 8, 30, 12, 36),
    )
    assert headers["Authorization"].endswith(
        "Signature=5d672d79c15b13162d9279b0855cfba6789a8edb4c82c400e06b5924a6f2b5d7"
    )


NOW = datetime(2025, 11, 27, 7, 0, tzinfo=UTC)


def edition_messages() -> list[OutgoingMessage]:
    """An edition's messages as the send builds them: five readers of every section (one a
    bounce, one whose name needs HTML escaping), two of World only (another layout), and one
    message built without its parts (a test send's), which goes alone."""
    digest, newsletter = load_sample()
    compose = Composer(
        newsletter, render_edition(digest, newsletter, RenderSettings()), "s" * 32, NOW
    )
    readers = [
        Subscriber("ann@example.com", "Ann", key="k1"),
        Subscriber("bounce@example.com", "Gone", key="k2"),
        Subscriber("tom@example.com", "Tom&Jerry Smith", key="k3"),
        Subscriber("bob@example.com", "", key="k4"),
        Subscriber("zoe@example.com", "Zoë Ünal", key="k5"),
        Subscriber("w1@example.com", "Wanda", sections=("World",), key="k6"),
        Subscriber("w2@example.com", "Walt", sections=("World",), key="k7"),
    ]
    return [*(compose(reader) for reader in readers), message("plain@example.com")]


@pytest.mark.parametrize("name", PROVIDERS)
def test_each_recipient_of_a_batch_gets_their_own_message(name: str) -> None:
    """Whatever the call (a template with values, a list of messages, one message), what the
    provider delivers to each recipient is that recipient's own message: body, subject,
    signed unsubscribe link in the body and in List-Unsubscribe, Message-ID."""
    fake = FakeApi(name)
    messages = edition_messages()
    results = build(name, fake).send(messages)
    assert fake.schema_errors == []
    assert [r.to for r in results] == [m.to for m in messages]
    statuses = {r.to: r.status for r in results}
    assert statuses.pop("bounce@example.com") == "failed"
    assert set(statuses.values()) == {"sent"}
    assert set(fake.delivered.values()) == {1} and len(fake.delivered) == len(messages) - 1
    for sent in messages:
        if sent.to == "bounce@example.com":
            continue
        got = fake.received[sent.to]
        assert got.html.replace("\r\n", "\n") == sent.html.replace("\r\n", "\n"), sent.to
        assert got.text.replace("\r\n", "\n").rstrip("\n") == sent.text.rstrip("\n"), sent.to
        assert got.subject == sent.subject
        for key in ("List-Unsubscribe", "Message-ID"):
            own = next(value for k, value in sent.headers if k == key)
            assert " ".join(got.headers[key].split()) == own, (sent.to, key)


def recipients_per_call(name: str, fake: FakeApi) -> list[int]:
    """How many recipients each request of a batching provider carried."""
    counts = []
    for request in fake.requests:
        if name == "sendgrid":
            counts.append(len(json.loads(request.content)["personalizations"]))
        elif name == "ses" and request.url.path.endswith("/outbound-bulk-emails"):
            counts.append(len(json.loads(request.content)["BulkEmailEntries"]))
        elif name == "mailgun" and request.url.path.endswith("/messages"):
            counts.append(request.content.count(b'name="to"'))
        else:
            counts.append(1)
    return counts


@pytest.mark.parametrize("name", ["sendgrid", "mailgun", "ses"])
def test_messages_of_one_layout_share_a_call(name: str) -> None:
    fake = FakeApi(name)
    messages = [m for m in edition_messages() if m.to != "bounce@example.com"]
    build(name, fake).send(messages)
    assert fake.schema_errors == []
    # Every section (4 readers; for SES 3: the one whose first name HTML-escapes goes alone)
    # and World only (2 readers) in one call each; the message built without parts alone.
    expected = [4, 2, 1] if name != "ses" else [3, 2, 1, 1]
    assert recipients_per_call(name, fake) == expected


def test_sendgrid_resends_a_batch_without_the_recipients_it_names() -> None:
    fake = FakeApi("sendgrid")
    messages = edition_messages()[:5]  # one layout, with the bounce
    results = build("sendgrid", fake).send(messages)
    assert [r.status for r in results] == ["sent", "failed", "sent", "sent", "sent"]
    assert "personalizations" not in (results[1].error or "") and results[1].error
    assert len(fake.requests) == 2  # refused naming the bounce, then the other four
    second = json.loads(fake.requests[1].content)
    assert [p["to"][0]["email"] for p in second["personalizations"]] == [
        m.to for m in messages if m.to != "bounce@example.com"
    ]
    assert {r.provider_id for r in results if r.status == "sent"} == {"sg-2"}


def test_a_mailgun_batch_it_refuses_is_sent_message_by_message() -> None:
    fake = FakeApi("mailgun")
    messages = edition_messages()[:5]
    results = build("mailgun", fake).send(messages)
    assert [r.status for r in results] == ["sent", "failed", "sent", "sent", "sent"]
    paths = [r.url.path.rsplit("/", 1)[-1] for r in fake.requests]
    assert paths == ["messages"] + ["messages.mime"] * 5


def test_ses_answers_each_entry_of_a_bulk_call() -> None:
    fake = FakeApi("ses")
    messages = [m for m in edition_messages()[:5] if m.to != "tom@example.com"]
    results = build("ses", fake).send(messages)
    assert len(fake.requests) == 1 and fake.requests[0].url.path.endswith("outbound-bulk-emails")
    assert [r.status for r in results] == ["sent", "failed", "sent", "sent"]
    assert "inactive recipient" in (results[1].error or "")
    assert len({r.provider_id for r in results if r.status == "sent"}) == 3


def test_ses_bulk_call_about_the_account_stops_the_send() -> None:
    fake = FakeApi("ses")
    messages = edition_messages()[:2]
    fake.fail_next(400, {"x-amzn-ErrorType": "AccountSuspendedException"})
    with pytest.raises(PermanentDeliveryError, match="AccountSuspended"):
        build("ses", fake).send(messages)
    assert fake.delivered == {}


def test_a_batch_failure_is_recorded_per_recipient_in_the_ledger(ledger: Ledger) -> None:
    fake = FakeApi("sendgrid")
    messages = {m.to: m for m in edition_messages()}
    ledger.enqueue("2025-11-27", list(messages))
    report = send_edition(
        "2025-11-27",
        ledger=ledger,
        provider=build("sendgrid", fake),
        message_for=messages.get,
        settings=SendSettings(),
    )
    assert (report.sent, report.failed) == (len(messages) - 1, 1)
    rows = dict(
        ledger.db.conn.execute(
            "SELECT email, status FROM deliveries WHERE edition_id = ?", ("2025-11-27",)
        )
    )
    assert rows.pop("bounce@example.com") == "failed"
    assert set(rows.values()) == {"sent"}
    # A 429 on one request of a call is raised after the requests before it were recorded.
    fake2 = FakeApi("sendgrid")
    provider = build("sendgrid", fake2)
    groups = provider.send_iter([m for m in messages.values() if m.to != "bounce@example.com"])
    first = next(groups)
    fake2.fail_next(429, {"Retry-After": "3"})
    with pytest.raises(TransientDeliveryError):
        next(groups)
    assert len(first) >= 2 and all(result.status == "sent" for _, result in first)
