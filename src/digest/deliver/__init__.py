"""Deliver: the Provider registry, message building and the exactly-once send loop.

`make_provider("smtp", cfg["delivery"]["smtp"], base_dir=..., environ=os.environ)` picks a
provider by name from PROVIDERS (a dict, so a new provider is one entry, not a branch).
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from digest.deliver.base import Provider, ProviderFactory
from digest.deliver.mailgun import make_mailgun
from digest.deliver.message import MessageTemplate, build_message
from digest.deliver.outbox import make_outbox
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
    "MessageTemplate",
    "Provider",
    "SendReport",
    "SendSettings",
    "build_message",
    "make_provider",
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
