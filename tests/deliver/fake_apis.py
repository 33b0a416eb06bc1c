"""Local stand-ins for the five email APIs: validate each request body against the provider's
published schema, count deliveries, and answer like the provider (per-message errors for
`bounce*` recipients, a queued 429 / 500 / 401 on demand, Resend's Idempotency-Key replay).

The batch calls are expanded the way the provider does it: SendGrid's personalizations with
their `substitutions`, Mailgun's `recipient-variables` (in the body and the `h:` fields),
SES's SendBulkEmail entries; `received[address]` keeps the message each recipient got
(subject, HTML, text, headers), so tests can compare it with the message digest built.

Used through httpx.MockTransport in tests and behind a real HTTP server in bench/send worker.
"""

from __future__ import annotations

import base64
import json
import threading
from collections import Counter
from dataclasses import dataclass
from email import message_from_bytes, policy
from email.message import EmailMessage
from email.utils import parseaddr
from pathlib import Path
from typing import Any

import httpx
import jsonschema

DATA = Path(__file__).resolve().parent.parent / "data" / "deliver"
SCHEMAS = {
    "postmark": "postmark-email-batch.request.schema.json",
    "sendgrid": "sendgrid-mail-send.request.schema.json",
    "mailgun": "mailgun-messages-mime.request.schema.json",
    "mailgun-batch": "mailgun-messages.request.schema.json",
    "resend-batch": "resend-emails-batch.request.schema.json",
    "resend": "resend-emails.request.schema.json",
}
SENDGRID_SUBSTITUTION_BYTES = 10000  # per personalization, from the schema's description
MAILGUN_RECIPIENTS = 1000  # recipient-variables, from the provider-specs README
SES_BULK_ENTRIES = 50  # SendBulkEmail destinations, from the SES documentation


@dataclass(frozen=True)
class Received:
    """One recipient's message as the provider would deliver it."""

    subject: str
    html: str
    text: str
    headers: dict[str, str]


def fill(text: str, values: dict[str, str], slot: str) -> str:
    """Substitute each value for its placeholder (`slot` formatted with the name)."""
    for name, value in values.items():
        text = text.replace(slot.format(name), value)
    return text


def parsed_mime(raw: bytes) -> Received:
    message = message_from_bytes(raw, policy=policy.default)
    assert isinstance(message, EmailMessage)
    plain, html = message.iter_parts()
    return Received(
        subject=str(message["Subject"]),
        html=str(html.get_content()),  # type: ignore[attr-defined]
        text=str(plain.get_content()),  # type: ignore[attr-defined]
        headers={k: str(v) for k, v in message.items()},
    )


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
        self.received: dict[str, Received] = {}
        self.lock = threading.Lock()
        self.ses_shapes = json.loads((DATA / "ses-v2-sendemail.shapes.json").read_text())["shapes"]
        self.ses_bulk_shapes = json.loads((DATA / "ses-v2-sendbulkemail.shapes.json").read_text())[
            "shapes"
        ]

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
                self.received[to] = Received(
                    item["Subject"],
                    item["HtmlBody"],
                    item["TextBody"],
                    {h["Name"]: h["Value"] for h in item.get("Headers", [])},
                )
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
        people = body["personalizations"]
        refused = [
            {
                "message": "Does not contain a valid address.",
                "field": f"personalizations.{n}.to.0.email",
            }
            for n, person in enumerate(people)
            if person["to"][0]["email"].startswith("bounce")
        ]
        if refused:  # SendGrid refuses the whole request, naming the personalizations
            return httpx.Response(400, json={"errors": refused})
        content = {part["type"]: part["value"] for part in body["content"]}
        for person in people:
            values = person.get("substitutions", {})
            size = sum(len(k.encode()) + len(v.encode()) for k, v in values.items())
            if size > SENDGRID_SUBSTITUTION_BYTES:
                self.schema_errors.append(f"sendgrid: substitutions of {size} bytes")
            to = person["to"][0]["email"]
            self.delivered[to] += 1
            self.received[to] = Received(
                subject=fill(person.get("subject", body["subject"]), values, "{}"),
                html=fill(content["text/html"], values, "{}"),
                text=fill(content["text/plain"], values, "{}"),
                headers={**body.get("headers", {}), **person.get("headers", {})},
            )
        return httpx.Response(202, headers={"X-Message-Id": f"sg-{len(self.requests)}"})

    def _mailgun(self, request: httpx.Request) -> httpx.Response:
        assert request.url.path.startswith("/v3/")
        assert request.headers["Authorization"].startswith("Basic ")
        head = f"Content-Type: {request.headers['Content-Type']}\r\n\r\n".encode()
        form = message_from_bytes(head + request.content, policy=policy.default)
        fields: dict[str, Any] = {}
        mime: Any = None
        for part in form.iter_parts():
            name = str(part.get_param("name", header="content-disposition"))
            if part.get_content_type() == "message/rfc822":
                mime = part.get_payload()[0]
                fields[name] = mime.as_string()
            elif name == "to":
                fields.setdefault("to", []).append((part.get_payload(decode=True) or b"").decode())
            else:
                fields[name] = (part.get_payload(decode=True) or b"").decode()
        if request.url.path.endswith("/messages"):
            return self._mailgun_batch(fields)
        assert request.url.path.endswith("/messages.mime")
        self._validate("mailgun", fields)
        assert isinstance(mime, EmailMessage) and mime.get_content_type() == "multipart/alternative"
        assert mime["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
        to = fields["to"][0]
        if to.startswith("bounce"):
            return httpx.Response(400, json={"message": "to parameter is not a valid address"})
        self.delivered[to] += 1
        self.received[to] = parsed_mime(mime.as_bytes())
        return httpx.Response(
            200, json={"id": f"<mg-{len(self.requests)}@example>", "message": "Queued. Thank you."}
        )

    def _mailgun_batch(self, fields: dict[str, Any]) -> httpx.Response:
        """A batch send: one message per `to`, its %recipient.x% from recipient-variables."""
        self._validate("mailgun-batch", fields)
        variables = json.loads(fields["recipient-variables"])
        addresses = [parseaddr(to)[1] for to in fields["to"]]
        if len(addresses) > MAILGUN_RECIPIENTS:
            self.schema_errors.append(f"mailgun: {len(addresses)} recipients in a batch")
        if any(address.startswith("bounce") for address in addresses):
            return httpx.Response(400, json={"message": "to parameter is not a valid address"})
        for address in addresses:
            values = variables[address]
            headers = {
                k[2:]: fill(v, values, "%recipient.{}%") for k, v in fields.items() if k[:2] == "h:"
            }
            got = Received(
                subject=fill(fields["subject"], values, "%recipient.{}%"),
                html=fill(fields["html"], values, "%recipient.{}%"),
                text=fill(fields["text"], values, "%recipient.{}%"),
                headers=headers,
            )
            if "%recipient." in got.html + got.text + "".join(headers.values()):
                self.schema_errors.append(f"mailgun: unfilled recipient variable for {address}")
            self.delivered[address] += 1
            self.received[address] = got
        return httpx.Response(
            200, json={"id": f"<mg-{len(self.requests)}@example>", "message": "Queued. Thank you."}
        )

    def _ses(self, request: httpx.Request) -> httpx.Response:
        assert request.headers["Authorization"].startswith("AWS4-HMAC-SHA256 Credential=")
        body = json.loads(request.content)
        if request.url.path == "/v2/email/outbound-bulk-emails":
            return self._ses_bulk(body)
        assert request.url.path == "/v2/email/outbound-emails"
        self.schema_errors += check_botocore_shape(body, "SendEmailRequest", self.ses_shapes)
        to = body["Destination"]["ToAddresses"][0]
        if to.startswith("bounce"):
            return httpx.Response(
                400,
                headers={"x-amzn-ErrorType": "MessageRejected"},
                json={"message": "Address blacklisted (inactive recipient)."},
            )
        self.delivered[to] += 1
        self.received[to] = parsed_mime(base64.b64decode(body["Content"]["Raw"]["Data"]))
        return httpx.Response(200, json={"MessageId": f"ses-{len(self.requests)}"})

    def _ses_bulk(self, body: dict[str, Any]) -> httpx.Response:
        """SendBulkEmail with inline template content: {{name}} filled per entry."""
        self.schema_errors += check_botocore_shape(
            body, "SendBulkEmailRequest", self.ses_bulk_shapes
        )
        template = body["DefaultContent"]["Template"]
        content = template["TemplateContent"]
        shared = {h["Name"]: h["Value"] for h in template.get("Headers", [])}
        entries = body["BulkEmailEntries"]
        if len(entries) > SES_BULK_ENTRIES:
            self.schema_errors.append(f"ses: {len(entries)} entries in SendBulkEmail")
        results = []
        for n, entry in enumerate(entries):
            address = parseaddr(entry["Destination"]["ToAddresses"][0])[1]
            if address.startswith("bounce"):
                results.append(
                    {
                        "Status": "MESSAGE_REJECTED",
                        "Error": "Address blacklisted (inactive recipient).",
                    }
                )
                continue
            data = json.loads(
                entry["ReplacementEmailContent"]["ReplacementTemplate"]["ReplacementTemplateData"]
            )
            got = Received(
                subject=fill(content["Subject"], data, "{{{{{}}}}}"),
                html=fill(content["Html"], data, "{{{{{}}}}}"),
                text=fill(content["Text"], data, "{{{{{}}}}}"),
                headers={
                    **shared,
                    **{h["Name"]: h["Value"] for h in entry.get("ReplacementHeaders", [])},
                },
            )
            if "{{" in got.html + got.text + got.subject:
                self.schema_errors.append(f"ses: unfilled placeholder for {address}")
            self.delivered[address] += 1
            self.received[address] = got
            results.append({"Status": "SUCCESS", "MessageId": f"ses-{len(self.requests)}-{n}"})
        return httpx.Response(200, json={"BulkEmailEntryResults": results})

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
                    self.received[item["to"][0]] = Received(
                        item["subject"], item["html"], item["text"], item.get("headers", {})
                    )
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
                self.received[to] = Received(
                    body["subject"], body["html"], body["text"], body.get("headers", {})
                )
                status, data = 200, {"id": f"rs-{len(self.requests)}"}
        if key:
            self.idempotent[key] = (status, data)
        return httpx.Response(status, json=data)
