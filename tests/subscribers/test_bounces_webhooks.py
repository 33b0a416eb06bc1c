"""The webhook library below the web route: SNS URLs and certificates, the canonical string SNS
signs (AWS's documented example message), provider time formats."""

from __future__ import annotations

import json
import socket
from datetime import UTC, datetime, timedelta

import pytest

from digest.errors import ConfigError, VerificationError
from digest.subscribers.sns import SnsVerifier, amazon_url, check_topics, https_get, string_to_sign
from digest.subscribers.webhook import iso_time
from tests.web.signing import TOPIC, SnsKeys

NOW = datetime(2026, 11, 27, 12, 0, tzinfo=UTC)


def test_only_https_sns_hosts_are_amazon_urls() -> None:
    assert amazon_url("https://sns.us-east-1.amazonaws.com/SimpleNotificationService-abc.pem")
    assert amazon_url("https://sns.ap-southeast-2.amazonaws.com/?Action=ConfirmSubscription")
    for url in (
        "http://sns.us-east-1.amazonaws.com/a.pem",
        "https://sns.us-east-1.amazonaws.com.attacker.example/a.pem",
        "https://sns.us-east-1.amazonaws.com:444/a.pem",
        "https://a:b@sns.us-east-1.amazonaws.com/a.pem",
        "https://s3.amazonaws.com/sns.us-east-1.amazonaws.com/a.pem",
        "https://sns.amazonaws.com/a.pem",
        "https://[::1/a.pem",
        "",
    ):
        assert not amazon_url(url), url


def test_the_string_sns_signs_for_a_notification() -> None:
    """The fields AWS's documentation lists, in its order; Subject only when present."""
    message = {
        "Type": "Notification",
        "MessageId": "22b80b92-fdea-4c2c-8f9d-bdfb0c7bf324",
        "TopicArn": "arn:aws:sns:us-west-2:123456789012:MyTopic",
        "Subject": "My First Message",
        "Message": "Hello world!",
        "Timestamp": "2012-05-02T00:54:06.655Z",
        "SignatureVersion": "1",
        "UnsubscribeURL": "https://sns.us-west-2.amazonaws.com/?Action=Unsubscribe",
    }
    assert string_to_sign(message) == (
        b"Message\nHello world!\nMessageId\n22b80b92-fdea-4c2c-8f9d-bdfb0c7bf324\n"
        b"Subject\nMy First Message\nTimestamp\n2012-05-02T00:54:06.655Z\n"
        b"TopicArn\narn:aws:sns:us-west-2:123456789012:MyTopic\nType\nNotification\n"
    )
    del message["Subject"]
    assert b"Subject" not in string_to_sign(message)


def test_an_expired_or_unreadable_certificate_is_refused() -> None:
    old = SnsKeys(NOW - timedelta(days=500))  # valid from 530 to 135 days before NOW
    body = json.loads(old.notification({"notificationType": "Delivery"}, NOW))
    with pytest.raises(VerificationError, match="not valid now"):
        SnsVerifier([TOPIC], old.fetch).verify(body, NOW)
    with pytest.raises(VerificationError, match="not a PEM certificate"):
        SnsVerifier([TOPIC], lambda url: b"<html>").verify(body, NOW)


def test_a_certificate_that_cannot_be_fetched_is_a_502() -> None:
    with socket.socket() as probe:  # a port on this machine where nothing listens
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    with pytest.raises(VerificationError, match="cannot fetch") as info:
        https_get(f"https://127.0.0.1:{port}/cert.pem")
    assert info.value.status == 502


def test_topic_arns_are_checked_naming_the_key() -> None:
    assert check_topics([f" {TOPIC} "], "k") == (TOPIC,)
    for bad in ("arn:aws:sns:eu-west-1:123:x", ["arn:aws:s3:::bucket"], [1]):
        with pytest.raises(ConfigError, match=r"webhooks\.ses\.topic_arns"):
            check_topics(bad, "webhooks.ses.topic_arns")


def test_provider_times_are_read_with_their_offsets() -> None:
    assert iso_time("2014-08-01T13:28:10.2735393-04:00") == datetime(
        2014, 8, 1, 17, 28, 10, 273539, tzinfo=UTC
    )
    assert iso_time("2026-11-27T07:05:38.237Z") == datetime(2026, 11, 27, 7, 5, 38, 237000, UTC)
    assert iso_time("yesterday") is None and iso_time(None) is None
