"""Amazon SNS message verification (how SES delivers bounce and complaint notifications).

A message is believed only when its topic is one the operator listed, its signing certificate
comes from an `https://sns.<region>.amazonaws.com/....pem` URL (fetched once, then cached),
is valid now, and its RSA signature (SignatureVersion 1: SHA1, 2: SHA256) matches the
canonical string SNS signs. The timestamp is signed too; a message older than the tolerance
is refused (SNS retries the same signed message, for up to an hour under a custom delivery
policy, so that is the tolerance). A SubscriptionConfirmation's SubscribeURL is fetched only
from the same kind of URL.
"""

from __future__ import annotations

import base64
import binascii
import re
import threading
from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from digest.errors import ConfigError, VerificationError
from digest.subscribers.webhook import Fetch, check_time, iso_time

if TYPE_CHECKING:
    from cryptography import x509

TOLERANCE = 3600.0  # seconds
MAX_CERTIFICATE = 64_000  # bytes
_HOST = re.compile(r"sns\.[a-z0-9-]+\.amazonaws\.com")
_ARN = re.compile(r"arn:aws[a-z-]*:sns:[a-z0-9-]+:\d{12}:[A-Za-z0-9_.-]{1,256}")
HASHES = {"1": "SHA1", "2": "SHA256"}  # SignatureVersion -> the hash SNS signs with
# The fields SNS signs, in the order it signs them (Subject only when the message has one).
SIGNED = {
    "Notification": ("Message", "MessageId", "Subject", "Timestamp", "TopicArn", "Type"),
    "SubscriptionConfirmation": (
        "Message",
        "MessageId",
        "SubscribeURL",
        "Timestamp",
        "Token",
        "TopicArn",
        "Type",
    ),
}
SIGNED["UnsubscribeConfirmation"] = SIGNED["SubscriptionConfirmation"]


def check_topics(value: Any, key: str) -> tuple[str, ...]:
    """[webhooks.ses] topic_arns: a list of SNS topic ARNs (ConfigError naming the key)."""
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise ConfigError(f"{key}: must be a list of SNS topic ARNs, got {value!r}")
    for arn in value:
        if not _ARN.fullmatch(arn.strip()):
            raise ConfigError(
                f"{key}: {arn!r} is not an SNS topic ARN (arn:aws:sns:REGION:ACCOUNT:NAME)"
            )
    return tuple(arn.strip() for arn in value)


def amazon_url(url: str) -> bool:
    """An https URL on an SNS host of some region, and nothing else (no port, no user)."""
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError:
        return False
    return (
        parts.scheme == "https"
        and port is None
        and parts.username is None
        and parts.password is None
        and _HOST.fullmatch(parts.netloc) is not None
    )


def https_get(url: str) -> bytes:
    """GET an SNS URL (no redirects: a redirect could lead anywhere), capped in size."""
    import httpx

    try:
        with httpx.Client(timeout=10.0, follow_redirects=False) as client:
            response = client.get(url)
    except httpx.HTTPError as exc:
        raise VerificationError(f"ses: cannot fetch {url}: {exc}", status=502) from None
    if response.status_code != 200:
        raise VerificationError(f"ses: {url} answered HTTP {response.status_code}", status=502)
    if len(response.content) > MAX_CERTIFICATE:
        raise VerificationError(f"ses: {url} answered more than {MAX_CERTIFICATE} bytes")
    return response.content


def string_to_sign(message: Mapping[str, Any]) -> bytes:
    """The canonical text SNS signs for this kind of message."""
    names = SIGNED[str(message.get("Type"))]
    lines = []
    for name in names:
        if name == "Subject" and name not in message:
            continue
        lines.append(f"{name}\n{message[name]}\n")
    return "".join(lines).encode()


class SnsVerifier:
    """Checks SNS messages for a set of topics; certificates are cached by URL."""

    def __init__(self, topics: Sequence[str], fetch: Fetch | None = None) -> None:
        self.topics = frozenset(topics)
        self.fetch = fetch or https_get
        self.certificates: dict[str, x509.Certificate] = {}
        self.lock = threading.Lock()

    def certificate(self, url: str) -> x509.Certificate:
        from cryptography import x509

        with self.lock:
            cached = self.certificates.get(url)
        if cached is not None:
            return cached
        try:
            certificate = x509.load_pem_x509_certificate(self.fetch(url))
        except ValueError:
            raise VerificationError(f"ses: {url} is not a PEM certificate") from None
        with self.lock:
            self.certificates[url] = certificate
        return certificate

    def verify(self, message: Mapping[str, Any], now: datetime) -> None:
        from cryptography.exceptions import InvalidSignature
        from cryptography.hazmat.primitives import hashes
        from cryptography.hazmat.primitives.asymmetric import padding, rsa

        kind = message.get("Type")
        if kind not in SIGNED:
            raise VerificationError(f"ses: not an SNS message type: {kind!r}", status=401)
        missing = [
            n for n in SIGNED[kind] if n != "Subject" and not isinstance(message.get(n), str)
        ]
        fields = ("Signature", "SigningCertURL", "SignatureVersion")
        missing += [n for n in fields if not isinstance(message.get(n), str)]
        if missing:
            raise VerificationError(f"ses: the SNS message lacks {', '.join(missing)}", status=401)
        if message["TopicArn"] not in self.topics:
            raise VerificationError(
                f"ses: topic {message['TopicArn']} is not in [webhooks.ses] topic_arns"
            )
        url = message["SigningCertURL"]
        if not amazon_url(url) or not urlsplit(url).path.endswith(".pem"):
            raise VerificationError(f"ses: signing certificate URL not on an SNS host: {url}")
        name = HASHES.get(message["SignatureVersion"])
        if name is None:
            raise VerificationError(f"ses: SignatureVersion {message['SignatureVersion']!r}")
        certificate = self.certificate(url)
        if not certificate.not_valid_before_utc <= now <= certificate.not_valid_after_utc:
            raise VerificationError(f"ses: the signing certificate at {url} is not valid now")
        key = certificate.public_key()
        if not isinstance(key, rsa.RSAPublicKey):
            raise VerificationError(f"ses: the signing certificate at {url} is not RSA")
        try:
            signature = base64.b64decode(message["Signature"], validate=True)
            algorithm = {"SHA1": hashes.SHA1, "SHA256": hashes.SHA256}[name]()
            key.verify(signature, string_to_sign(message), padding.PKCS1v15(), algorithm)
        except (binascii.Error, ValueError, InvalidSignature):
            raise VerificationError("ses: the SNS signature does not match") from None
        signed = iso_time(message["Timestamp"])
        if signed is None:
            raise VerificationError("ses: the SNS Timestamp is not a time")
        check_time("ses", signed.timestamp(), now, TOLERANCE)

    def confirm(self, message: Mapping[str, Any]) -> str:
        """Confirm a subscription by fetching its SubscribeURL (only an SNS host's)."""
        url = str(message.get("SubscribeURL"))
        if not amazon_url(url):
            raise VerificationError(f"ses: SubscribeURL not on an SNS host: {url}")
        self.fetch(url)
        return f"ses: confirmed the subscription to {message.get('TopicArn')}"
