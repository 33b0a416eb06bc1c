"""Provider webhooks: each provider's verification and event shapes behind one protocol.

A `Webhook` checks a request exactly the way its provider signs it (`verify`, raising
VerificationError) before anything in it is believed, then reads its events (`parse`, raising
InputError for a body that is not what the provider sends). `receive` does both and applies
the events in one transaction, with the provider's one-time token spent in the same one, so a
refused request changes nothing. One module per provider (`hook_postmark`, `hook_sendgrid`,
`hook_mailgun`, `hook_ses` over `sns`, `hook_resend`); `configured_webhooks` builds those whose
secrets are set, each validated now, so a bad key stops `digest serve` naming it.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Protocol

from digest.errors import ConfigError, InputError, VerificationError
from digest.state import State
from digest.subscribers.feedback import BounceSettings, Feedback, Outcome, apply_feedback

Fetch = Callable[[str], bytes]
MAX_BODY = 2_000_000  # bytes; SendGrid's batches, the largest, stay under 1 MB


@dataclass(frozen=True)
class WebhookRequest:
    """What a provider sent: its headers (names lower-cased) and the exact body bytes."""

    headers: Mapping[str, str]
    body: bytes


@dataclass(frozen=True)
class Parsed:
    """A verified request's events, how many records it held of kinds digest ignores, a
    one-time token to spend (Mailgun), and an action to run once verified (SNS's subscription
    confirmation), which returns a line for the log."""

    events: tuple[Feedback, ...]
    ignored: int = 0
    token: str | None = None
    token_time: float = 0.0
    confirm: Callable[[], str] | None = None


class Webhook(Protocol):
    """One provider's webhook: `tolerance` (seconds) bounds a signed timestamp's age;
    `challenge` is the WWW-Authenticate value a 401 carries (basic auth), if any."""

    name: str
    tolerance: float
    challenge: str | None

    def verify(self, request: WebhookRequest, now: datetime) -> None: ...

    def parse(self, request: WebhookRequest) -> Parsed: ...


@dataclass(frozen=True)
class Receipt:
    """What a request did: each event's outcome, ignored records, notes (a confirmation)."""

    outcomes: tuple[Outcome, ...]
    ignored: int
    notes: tuple[str, ...]

    def summary(self) -> dict[str, Any]:
        return {
            "events": len(self.outcomes),
            "changed": sum(o.changed for o in self.outcomes),
            "ignored": self.ignored,
            "outcomes": [o.line() for o in self.outcomes],
            "notes": list(self.notes),
        }


def receive(
    state: State,
    hook: Webhook,
    request: WebhookRequest,
    settings: BounceSettings,
    *,
    now: datetime,
) -> Receipt:
    """Verify, read and apply one request (VerificationError, InputError: nothing changed)."""
    hook.verify(request, now)
    parsed = hook.parse(request)
    notes = (parsed.confirm(),) if parsed.confirm else ()
    with state.db.transaction():
        if parsed.token is not None:
            stamp = now.timestamp()
            fresh = state.feedback.use_token(
                hook.name, parsed.token, parsed.token_time, stamp - 2 * hook.tolerance
            )
            if not fresh:
                raise VerificationError(f"{hook.name}: this signed token was used before")
        outcomes = apply_feedback(state, parsed.events, settings, now=now)
    return Receipt(tuple(outcomes), parsed.ignored, notes)


MAX_DEPTH = 32  # nesting of arrays and objects; the providers' events use 4 or 5

_STRING = re.compile(rb'"(?:[^"\\]|\\.)*"')
_BRACKET = re.compile(rb"[\[\]{}]")


def nesting(body: bytes) -> int:
    """How deep arrays and objects nest in a JSON text, brackets inside strings not counted.

    Measured before parsing: the stdlib parser recurses once per level, so 100,000 `[` is a
    RecursionError (a 500), not an answer. (No JSON library offers a depth limit on its own.)
    """
    depth = deepest = 0
    for bracket in _BRACKET.findall(_STRING.sub(b"", body)):
        depth += 1 if bracket in (b"[", b"{") else -1
        deepest = max(deepest, depth)
    return deepest


def parse_json(body: bytes | str, what: str) -> Any:
    """`body` as JSON, or InputError naming `what`; too deep a nesting is refused unparsed."""
    raw = body.encode("utf-8", "surrogatepass") if isinstance(body, str) else body
    if nesting(raw) > MAX_DEPTH:
        raise InputError(f"{what} is not JSON: nested deeper than {MAX_DEPTH} levels")
    try:
        return json.loads(raw)
    except (ValueError, UnicodeDecodeError, RecursionError) as exc:
        raise InputError(f"{what} is not JSON: {exc}") from None


def json_body(request: WebhookRequest, provider: str) -> Any:
    """The body as JSON, or InputError naming the provider."""
    return parse_json(request.body, f"{provider}: the body")


def field(record: Mapping[str, Any], name: str, provider: str, kind: type = str) -> Any:
    """A required field of a provider's record, of the right type, or InputError naming it."""
    value = record.get(name)
    if not isinstance(value, kind) or (isinstance(value, str) and not value.strip()):
        raise InputError(f"{provider}: {name} is missing or not a {kind.__name__}")
    return value


def check_time(provider: str, signed: float, now: datetime, tolerance: float) -> None:
    """A signed timestamp (seconds since the epoch) must be within `tolerance` of now."""
    skew = abs(now.timestamp() - signed)
    if skew > tolerance:
        raise VerificationError(
            f"{provider}: the signed timestamp is {skew:.0f} s from now (at most "
            f"{tolerance:.0f} s allowed): stale or replayed"
        )


def iso_time(value: Any) -> datetime | None:
    """A provider's ISO 8601 time (Z or an offset; Postmark writes 7 decimals), or None."""
    if not isinstance(value, str) or not value:
        return None
    try:
        moment = datetime.fromisoformat(value.strip())
    except ValueError:
        return None
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def epoch_time(value: Any) -> datetime | None:
    if isinstance(value, bool) or not isinstance(value, int | float | str):
        return None
    try:
        return datetime.fromtimestamp(float(value), tz=UTC)
    except (ValueError, OverflowError, OSError):
        return None


def env_value(environ: Mapping[str, str], name: str) -> str | None:
    value = environ.get(name, "").strip()
    return value or None


def require_both(environ: Mapping[str, str], first: str, second: str) -> tuple[str, str] | None:
    """Two variables that go together: both set, neither (None), or a ConfigError."""
    one, two = env_value(environ, first), env_value(environ, second)
    if one is None and two is None:
        return None
    if one is None or two is None:
        missing = first if one is None else second
        raise ConfigError(
            f"environment variable {missing} is not set",
            hint=f"set both {first} and {second}, or neither (the webhook then answers 404)",
        )
    return one, two
