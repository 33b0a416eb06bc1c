"""Sign webhook requests the way each provider does, with keys the test makes itself.

SendGrid: an ECDSA P-256 key pair (cryptography); Mailgun: HMAC-SHA256; Resend: svix's own
Webhook class; SNS: a test certificate and its RSA key signing the canonical string AWS
documents, written out here independently of the code under test.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import secrets
from datetime import datetime, timedelta
from typing import Any

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, padding, rsa
from cryptography.x509.oid import NameOID

TOPIC = "arn:aws:sns:eu-west-1:123456789012:digest-feedback"
CERT_URL = "https://sns.eu-west-1.amazonaws.com/SimpleNotificationService-0123456789abcdef.pem"
SUBSCRIBE_URL = (
    "https://sns.eu-west-1.amazonaws.com/?Action=ConfirmSubscription"
    f"&TopicArn={TOPIC}&Token=2336412f37fb687f5d51e6e241d09c805a5a57b30d712f794cc5f6a988666d92"
)


def tamper(body: bytes) -> bytes:
    """The same body with one byte changed (inside the JSON, so it still parses)."""
    at = body.index(b"@")
    return body[: at - 1] + bytes([body[at - 1] ^ 0x01]) + body[at:]


class SendgridKeys:
    def __init__(self) -> None:
        self.private = ec.generate_private_key(ec.SECP256R1())
        der = self.private.public_key().public_bytes(
            serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
        )
        self.public = base64.b64encode(der).decode()  # as SendGrid's settings page shows it

    def headers(self, body: bytes, at: datetime) -> dict[str, str]:
        timestamp = str(int(at.timestamp()))
        signature = self.private.sign(timestamp.encode() + body, ec.ECDSA(hashes.SHA256()))
        return {
            "X-Twilio-Email-Event-Webhook-Signature": base64.b64encode(signature).decode(),
            "X-Twilio-Email-Event-Webhook-Timestamp": timestamp,
        }


def mailgun_sign(payload: dict[str, Any], key: str, at: datetime, token: str = "") -> bytes:
    """The payload with its signature block filled in as Mailgun fills it."""
    timestamp = str(int(at.timestamp()))
    token = token or secrets.token_hex(25)
    digest = hmac.new(key.encode(), (timestamp + token).encode(), hashlib.sha256).hexdigest()
    signed = dict(payload)
    signed["signature"] = {"timestamp": timestamp, "token": token, "signature": digest}
    return json.dumps(signed).encode()


class SnsKeys:
    """A certificate SNS would sign with, its key, and the messages it would send."""

    def __init__(self, now: datetime) -> None:
        self.key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "sns.amazonaws.com")])
        self.certificate = (
            x509.CertificateBuilder()
            .subject_name(name)
            .issuer_name(name)
            .public_key(self.key.public_key())
            .serial_number(x509.random_serial_number())
            .not_valid_before(now - timedelta(days=30))
            .not_valid_after(now + timedelta(days=365))
            .sign(self.key, hashes.SHA256())
        )
        self.pem = self.certificate.public_bytes(serialization.Encoding.PEM)
        self.fetched: list[str] = []

    def fetch(self, url: str) -> bytes:
        """The stub that stands for the HTTPS GET (certificates and confirmations)."""
        self.fetched.append(url)
        return self.pem if url.endswith(".pem") else b"<ConfirmSubscriptionResponse/>"

    def sign(self, message: dict[str, str], version: str = "1") -> dict[str, str]:
        if message["Type"] == "Notification":
            names = ["Message", "MessageId", "Subject", "Timestamp", "TopicArn", "Type"]
        else:
            names = ["Message", "MessageId", "SubscribeURL", "Timestamp", "Token", "TopicArn"]
            names.append("Type")
        text = "".join(f"{n}\n{message[n]}\n" for n in names if n in message)
        algorithm = hashes.SHA1() if version == "1" else hashes.SHA256()
        signature = self.key.sign(text.encode(), padding.PKCS1v15(), algorithm)
        signed = dict(message)
        signed.update(
            SignatureVersion=version,
            Signature=base64.b64encode(signature).decode(),
            SigningCertURL=CERT_URL,
        )
        return signed

    def notification(
        self, notification: dict[str, Any], at: datetime, *, version: str = "1", topic: str = TOPIC
    ) -> bytes:
        message = {
            "Type": "Notification",
            "MessageId": f"22b80b92-fdea-4c2c-8f9d-{secrets.token_hex(6)}",
            "TopicArn": topic,
            "Message": json.dumps(notification),
            "Timestamp": at.strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z",
            "UnsubscribeURL": "https://sns.eu-west-1.amazonaws.com/?Action=Unsubscribe",
        }
        return json.dumps(self.sign(message, version)).encode()

    def confirmation(self, at: datetime, subscribe_url: str = SUBSCRIBE_URL) -> bytes:
        message = {
            "Type": "SubscriptionConfirmation",
            "MessageId": "165545c9-2a5c-472c-8df2-7ff2be2b3b1b",
            "Token": "2336412f37fb687f5d51e6e241d09c805a5a57b30d712f794cc5f6a988666d92",
            "TopicArn": TOPIC,
            "Message": f"You have chosen to subscribe to the topic {TOPIC}.",
            "SubscribeURL": subscribe_url,
            "Timestamp": at.strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z",
        }
        return json.dumps(self.sign(message, "2")).encode()


def resend_headers(secret: str, body: bytes, at: datetime, msg_id: str = "") -> dict[str, str]:
    from svix.webhooks import Webhook

    msg_id = msg_id or f"msg_{secrets.token_hex(12)}"
    signature = Webhook(secret).sign(msg_id, at, body.decode())
    return {
        "svix-id": msg_id,
        "svix-timestamp": str(int(at.timestamp())),
        "svix-signature": signature,
    }
