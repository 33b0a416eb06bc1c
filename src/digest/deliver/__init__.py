"""Deliver stage: personal messages, the Provider registry and the exactly-once send loop.

`make_provider("smtp", cfg["delivery"]["smtp"], base_dir=..., environ=os.environ)` picks a
provider by name from PROVIDERS (`registry`: a dict, so a new provider is one entry, not a
branch); `send_composed` sends a stored edition, in this process or in send processes.

What the rest may use: the names in `__all__`. Modules: `personal` (one subscriber's message
from a rendered edition: `Composer`), `message` (MIME assembly) with `qp` (bodies encoded from
pieces shared by every subscriber) and `headers` (fields RFC 2047-encoded and folded), `send`
(the ledger-driven send loop) with `jobs` (a batch through a lane) and `workers` (send
processes), `composed` (which of the two), `base` (the Provider protocol), one module per
provider (`smtp`, `postmark`, `sendgrid`, `mailgun`, `ses`, `resend`, `outbox`), with `api`,
`options`, `sigv4` and `bounce` behind them.
"""

from __future__ import annotations

from digest.deliver.base import Provider
from digest.deliver.composed import send_composed
from digest.deliver.message import MessageTemplate, build_message
from digest.deliver.personal import (
    SAMPLE_SUBSCRIBER,
    Composer,
    browser_html,
    message_for,
    personal_links,
    preview,
    sample_subscriber,
)
from digest.deliver.registry import PROVIDERS, make_provider
from digest.deliver.send import SendReport, SendSettings, send_edition, send_settings_from_table

__all__ = [
    "PROVIDERS",
    "SAMPLE_SUBSCRIBER",
    "Composer",
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
    "send_composed",
    "send_edition",
    "send_settings_from_table",
]
