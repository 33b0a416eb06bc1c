"""The five API providers against local stand-ins validating against the published schemas."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import httpx
import pytest

from digest.deliver import make_provider
from digest.deliver.mailgun import MailgunProvider
from digest.deliver.postmark import PostmarkProvider
from digest.deliver.resend import ResendProvider
from digest.deliver.sendgrid import SendgridProvider
from digest.deliver.ses import SesProvider
from digest.errors import ConfigError, PermanentDeliveryError, TransientDeliveryError

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
