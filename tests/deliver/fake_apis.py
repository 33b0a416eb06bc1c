"""Local stand-ins for the five email APIs: validate each request body against the provider's
published schema, count deliveries, and answer like the provider (per-message errors for
`bounce*` recipients, a queued 429 / 500 / 401 on demand, Resend's Idempotency-Key replay).

Used through httpx.MockTransport in tests and behind a real HTTP server in bench/send worker.
"""

from __future__ import annotations

import base64
import json
import threading
from collections import Counter
from email import message_from_bytes, policy
from email.message import EmailMessage
from pathlib import Path
from typing import Any

import httpx
import jsonschema

DATA = Path(__file__).resolve().parent.parent / "data" / "deliver"
SCHEMAS = {
    "postmark": "postmark-email-batch.request.schema.json",
    "sendgrid": "sendgrid-mail-send.request.schema.json",
    "mailgun": "mailgun-messages-mime.request.schema.json",
    "resend-batch": "resend-emails-batch.request.schema.json",
    "resend": "resend-emails.request.schema.json",
}


def validator(name: str) -> jsonschema.Draft202012Validator:
    schema = json.loads((DATA / SCHEMAS[name]).read_text())
    return jsonschema.Draft202012Validator(schema)


def check_botocore_shape(
    value: Any, shape_name: str, shapes: dict[str, Any], path: str = ""
) -> list[str]:
    """Validate params against a botocore model (what botocore.stub.Stubber does)."""
    shape = shapes[shape_name]
    kind = shape["type"]
    if kind == "structure":
        if not isinstance(value, dict):
            return [f"{path}: expected object"]
        errors = [f"{path}.{r}: missing" for r in shape.get("required", []) if r not in value]
        for key, item in value.items():
            member = shape["members"].get(key)
            if member is None:
                errors.append(f"{path}.{key}: unknown")
            else:
                errors += check_botocore_shape(item, member["shape"], shapes, f"{path}.{key}")
        return errors
    if kind == "list":
        if not isinstance(value, list):
            return [f"{path}: expected list"]
        return [
            e
            for i, v in enumerate(value)
            for e in check_botocore_shape(v, shape["member"]["shape"], shapes, f"{path}[{i}]")
        ]
    if kind == "blob":
        try:
            base64.b64decode(value, validate=True)
        except (ValueError, TypeError):
            return [f"{path}: not base64"]
        return []
    if kind == "string":
        return [] if isinstance(value, str) else [f"{path}: expected string"]
    if kind == "boolean":
        return [] if isinstance(value, bool) else [f"{path}: expected boolean"]
    return []


class FakeApi:
    """One provider's API: `handle(request)` answers like it would."""

    def __init__(self, provider: str) -> None:
        self.provider = provider
        self.delivered: Counter[str] = Counter()
        self.schema_errors: list[str] = []
        self.queued: list[tuple[int, dict[str, str]]] = []
        self.requests: list[httpx.Request] = []
        self.idempotent: dict[str, tuple[int, Any]] = {}
        self.lock = threading.Lock()
        self.ses_shapes = json.loads((DATA / "ses-v2-sendemail.shapes.json").read_text())["shapes"]

    def fail_next(self, status: int, headers: dict[str, str] | None = None) -> None:
        self.queued.append((status, headers or {}))

    def transport(self) -> httpx.MockTransport:
        return httpx.MockTransport(self.handle)

    def handle(self, request: httpx.Request) -> httpx.Response:
        with self.lock:
            self.requests.append(request)
            if self.queued:
                status, headers = self.queued.pop(0)
                return httpx.Response(status, headers=headers, json={"message": f"fake {status}"})
            return getattr(self, f"_{self.provider}")(request)

    def _validate(self, name: str, body: Any) -> None:
        for error in validator(name).iter_errors(body):
            self.schema_errors.append(f"{name}: {error.json_path}: {error.message}")

    def _postmark(self, request: httpx.Request) -> httpx.Response:
        assert request.url.path == "/email/batch"
        assert request.headers["X-Postmark-Server-Token"]
        body = json.loads(request.content)
        self._validate("postmark", body)
        if len(body) > 500:
            self.schema_errors.append("postmark: more than 500 messages")
        answers = []
        for i, item in enumerate(body):
            to = item["To"].rsplit("<", 1)[-1].rstrip(">")
            if to.startswith("bounce"):
                answers.append(
                    {
                        "ErrorCode": 406,
                        "Message": "You tried to send to a recipient that has been marked "
                        "as inactive.",
                        "To": to,
                    }
                )
            else:
                self.delivered[to] += 1
                answers.append(
                    {
                        "ErrorCode": 0,
                        "Message": "OK",
                        "MessageID": f"pm-{len(self.requests)}-{i}",
                        "To": to,
                    }
                )
        return httpx.Response(200, json=answers)

    def _sendgrid(self, request: httpx.Request) -> httpx.Response:
        assert request.url.path == "/v3/mail/send"
        assert request.headers["Authorization"].startswith("Bearer ")
        body = json.loads(request.content)
        self._validate("sendgrid", body)
        to = body["personalizations"][0]["to"][0]["email"]
        if to.startswith("bounce"):
            return httpx.Response(
                400,
                json={
                    "errors": [
                        {
                            "message": "Does not contain a valid address.",
                            "field": "personalizations.0.to.0.email",
                        }
                    ]
                },
            )
        self.delivered[to] += 1
        return httpx.Response(202, headers={"X-Message-Id": f"sg-{len(self.requests)}"})

    def _mailgun(self, request: httpx.Request) -> httpx.Response:
        assert request.url.path.startswith("/v3/") and request.url.path.endswith("/messages.mime")
        assert request.headers["Authorization"].startswith("Basic ")
        head = f"Content-Type: {request.headers['Content-Type']}\r\n\r\n".encode()
        form = message_from_bytes(head + request.content, policy=policy.default)
        fields: dict[str, Any] = {}
        mime: Any = None
        for part in form.iter_parts():
            name = part.get_param("name", header="content-disposition")
            if part.get_content_type() == "message/rfc822":
                mime = part.get_payload()[0]
                fields[str(name)] = mime.as_string()
            elif name == "to":
                fields.setdefault("to", []).append((part.get_payload(decode=True) or b"").decode())
        self._validate("mailgun", fields)
        assert isinstance(mime, EmailMessage) and mime.get_content_type() == "multipart/alternative"
        assert mime["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
        to = fields["to"][0]
        if to.startswith("bounce"):
            return httpx.Response(400, json={"message": "to parameter is not a valid address"})
        self.delivered[to] += 1
        return httpx.Response(
            200, json={"id": f"<mg-{len(self.requests)}@example>", "message": "Queued. Thank you."}
        )

    def _ses(self, request: httpx.Request) -> httpx.Response:
        assert request.url.path == "/v2/email/outbound-emails"
        assert request.headers["Authorization"].startswith("AWS4-HMAC-SHA256 Credential=")
        body = json.loads(request.content)
        self.schema_errors += check_botocore_shape(body, "SendEmailRequest", self.ses_shapes)
        to = body["Destination"]["ToAddresses"][0]
        if to.startswith("bounce"):
            return httpx.Response(
                400,
                headers={"x-amzn-ErrorType": "MessageRejected"},
                json={"message": "Address blacklisted (inactive recipient)."},
            )
        self.delivered[to] += 1
        return httpx.Response(200, json={"MessageId": f"ses-{len(self.requests)}"})

    def _resend(self, request: httpx.Request) -> httpx.Response:
        key = request.headers.get("Idempotency-Key", "")
        if key and key in self.idempotent:
            status, data = self.idempotent[key]
            return httpx.Response(status, json=data)
        body = json.loads(request.content)
        if request.url.path == "/emails/batch":
            self._validate("resend-batch", body)
            if len(body) > 100:
                self.schema_errors.append("resend: more than 100 emails in a batch")
            if any(item["to"][0].startswith("bounce") for item in body):
                status, data = 422, {"name": "validation_error", "message": "Invalid `to` field."}
            else:
                for item in body:
                    self.delivered[item["to"][0]] += 1
                status = 200
                data = {"data": [{"id": f"rs-{len(self.requests)}-{i}"} for i in range(len(body))]}
        else:
            assert request.url.path == "/emails"
            self._validate("resend", body)
            to = body["to"][0]
            if to.startswith("bounce"):
                status, data = 422, {"name": "validation_error", "message": "inactive recipient"}
            else:
                self.delivered[to] += 1
                status, data = 200, {"id": f"rs-{len(self.requests)}"}
        if key:
            self.idempotent[key] = (status, data)
        return httpx.Response(status, json=data)
