"""One error tree for the whole package; the CLI maps it to exit codes.

    DigestError                 anything digest reports to a person (.hint says what to do)
    ├── ConfigError             bad or missing configuration (exit 2); names the key or file
    ├── InputError              a bad input file: subscribers CSV, article, JSONL (names file:line)
    ├── SourceError             one source could not be gathered (becomes a Problem, not a crash)
    ├── SummarizeError          an article that cannot be summarized (empty text, no sentences)
    ├── RenderError             the templates or MJML failed to produce an email
    ├── StateError              the state database is unusable (locked, newer schema, corrupt)
    ├── QualityGateError        `digest check` failed; sending refused without --force
    ├── VerificationError       a webhook request that fails its provider's verification
    └── DeliveryError           a provider could not take a message
        ├── TransientDeliveryError   retry later (SMTP 4xx, HTTP 429/5xx, timeouts, drops)
        └── PermanentDeliveryError   never retry for this address (SMTP 5xx, HTTP 4xx)

Each carries a human message; `transient` tells retry logic whether trying again may help.
"""

from __future__ import annotations


class DigestError(Exception):
    """Base of every error digest raises on purpose."""

    transient: bool = False

    def __init__(self, message: str, *, hint: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint

    def __str__(self) -> str:
        return self.message


class ConfigError(DigestError):
    """The configuration is missing, malformed or has a bad key."""


class InputError(DigestError):
    """An input file is malformed; the message names the file and line."""


class SourceError(DigestError):
    """A source could not be fetched or parsed."""


class SummarizeError(DigestError):
    """An article has nothing that can be summarized."""


class RenderError(DigestError):
    """Templates or MJML compilation failed."""


class StateError(DigestError):
    """The state database cannot be used."""


class StateUnavailableError(StateError):
    """The state database is out of reach for now (locked by another process, a server
    restarting): worth trying again after a while, never a configuration error."""

    transient = True


class QualityGateError(DigestError):
    """The pre-send quality gate found failures."""


class VerificationError(DigestError):
    """A webhook request whose credentials, signature, timestamp or origin do not check out;
    `status` is the HTTP answer (401: missing credentials, 403: refused, 502: the signing
    certificate could not be fetched, so the request could not be checked)."""

    def __init__(self, message: str, *, status: int = 403) -> None:
        super().__init__(message)
        self.status = status


class DeliveryError(DigestError):
    """A message could not be handed to the provider."""

    def __init__(
        self, message: str, *, hint: str | None = None, retry_after: float | None = None
    ) -> None:
        super().__init__(message, hint=hint)
        self.retry_after = retry_after


class TransientDeliveryError(DeliveryError):
    """Trying again later may succeed (4xx SMTP, 429/5xx HTTP, timeouts, dropped connections)."""

    transient = True


class PermanentDeliveryError(DeliveryError):
    """Trying again will not help for this recipient (5xx SMTP, 4xx HTTP for the address)."""
