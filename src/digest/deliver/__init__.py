"""Deliver stage: personal messages, the Provider registry and the exactly-once send loop.

`make_provider("smtp", cfg["delivery"]["smtp"], base_dir=..., environ=os.environ)` picks a
provider by name from PROVIDERS (a dict, so a new provider is one entry, not a branch).

What the rest may use: the names in `__all__`. Modules: `personal` (one subscriber's message
from a rendered edition), `message` (MIME assembly), `send` (the ledger-driven send loop),
`base` (the Provider protocol), one module per provider (`smtp`, `postmark`, `sendgrid`,
`mailgun`, `ses`, `resend`, `outbox`), with `api`, `options`, `sigv4` and `bounce` behind them.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from digest.deliver.base import Provider, ProviderFactory
from digest.deliver.mailgun import make_mailgun
from digest.deliver.message import MessageTemplate, build_message
from digest.deliver.outbox import make_outbox
from digest.deliver.personal import (
    SAMPLE_SUBSCRIBER,
    browser_html,
    message_for,
    personal_links,
    preview,
    sample_subscriber,
)
from digest.deliver.postmark import make_postmark
from digest.deliver.resend import make_resend
from digest.deliver.send import SendReport, SendSettings, send_edition, send_settings_from_table
from digest.deliver.sendgrid import make_sendgrid
from digest.deliver.ses import make_ses
from digest.deliver.smtp import make_smtp
from digest.errors import ConfigError

PROVIDERS: dict[str, ProviderFactory] = {
    "outbox": make_outbox,
    "smtp": make_smtp,
    "postmark": make_postmark,
    "sendgrid": make_sendgrid,
    "mailgun": make_mailgun,
    "ses": make_ses,
    "resend": make_resend,
}

__all__ = [
    "PROVIDERS",
    "SAMPLE_SUBSCRIBER",
    "MessageTemplate",
    "Provider",
    "SendReport",
    "SendSettings",
    "browser_html",
    "build_message",
    "make_provider",
    "message_for",
    "personal_links",
    "preview",
    "sample_subscriber",
    "send_edition",
    "send_settings_from_table",
]


def make_provider(
    name: str, options: Mapping[str, Any], *, base_dir: Path, environ: Mapping[str, str]
) -> Provider:
    """The configured provider; ConfigError names the key or environment variable at fault."""
    factory = PROVIDERS.get(name)
    if factory is None:
        raise ConfigError(
            f"delivery.provider: unknown provider {name!r}",
            hint=f"choose one of: {', '.join(PROVIDERS)}",
        )
    if not isinstance(options, Mapping):
        raise ConfigError(f"delivery.{name}: must be a table, got {options!r}")
    return factory(options, base_dir, environ)
