"""The registry of provider webhooks: name -> a factory that builds the provider's `Webhook`
from the environment (its secrets) and its `[webhooks.<name>]` table, or None when the
provider is not configured (its URL then answers 404)."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from digest.errors import ConfigError
from digest.subscribers.hook_mailgun import make_mailgun
from digest.subscribers.hook_postmark import make_postmark
from digest.subscribers.hook_resend import make_resend
from digest.subscribers.hook_sendgrid import make_sendgrid
from digest.subscribers.hook_ses import make_ses
from digest.subscribers.webhook import Fetch, Webhook

Factory = Callable[[Mapping[str, str], Mapping[str, Any], Fetch | None], Webhook | None]
WEBHOOKS: dict[str, Factory] = {
    "postmark": make_postmark,
    "sendgrid": make_sendgrid,
    "mailgun": make_mailgun,
    "ses": make_ses,
    "resend": make_resend,
}
TABLES = ("ses",)  # the providers with settings in config.toml (the others: secrets only)


def configured_webhooks(
    environ: Mapping[str, str], table: Mapping[str, Any], *, fetch: Fetch | None = None
) -> dict[str, Webhook]:
    """The webhooks whose secrets (or, for SES, topics) are set, each checked now; `table` is
    [webhooks] and `fetch` gets SNS certificates (default: an https GET)."""
    for name, value in table.items():
        if name not in TABLES or not isinstance(value, Mapping):
            raise ConfigError(
                f"webhooks.{name}: unknown key", hint="known: [webhooks.ses] with topic_arns"
            )
    found = {}
    for name, factory in WEBHOOKS.items():
        sub = table.get(name) or {}
        hook = factory(environ, sub, fetch)
        if hook is not None:
            found[name] = hook
    return found
