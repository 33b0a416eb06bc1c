"""The Provider registry: one entry per provider name, so a new provider is an entry, not a
branch; `make_provider` builds the configured one from its [delivery.<name>] table."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from digest.deliver.base import Provider, ProviderFactory
from digest.deliver.mailgun import make_mailgun
from digest.deliver.outbox import make_outbox
from digest.deliver.postmark import make_postmark
from digest.deliver.resend import make_resend
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


def factory(name: str) -> ProviderFactory:
    """The factory registered under `name`; ConfigError naming delivery.provider otherwise."""
    found = PROVIDERS.get(name)
    if found is None:
        raise ConfigError(
            f"delivery.provider: unknown provider {name!r}",
            hint=f"choose one of: {', '.join(PROVIDERS)}",
        )
    return found


def make_provider(
    name: str, options: Mapping[str, Any], *, base_dir: Path, environ: Mapping[str, str]
) -> Provider:
    """The configured provider; ConfigError names the key or environment variable at fault."""
    make = factory(name)
    if not isinstance(options, Mapping):
        raise ConfigError(f"delivery.{name}: must be a table, got {options!r}")
    return make(options, base_dir, environ)
