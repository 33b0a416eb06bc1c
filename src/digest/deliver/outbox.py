"""The outbox provider: one .eml file per recipient, the embedded default and the dry run."""

from __future__ import annotations

import hashlib
import re
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from digest.deliver.options import Option, read_options
from digest.files import write_atomic
from digest.models import DeliveryResult, OutgoingMessage

_UNSAFE = re.compile(r"[^A-Za-z0-9._@+-]+")
SPEC = {"dir": Option(str, default="outbox")}


def safe_name(value: str) -> str:
    """A file-name-safe form of an address or edition id (no separators, no dot-dot)."""
    cleaned = _UNSAFE.sub("_", value).strip("._") or "_"
    return cleaned[:100]


def eml_name(edition_id: str, address: str) -> str:
    """`<edition>--<address>-<hash>.eml`: sorts by edition, and is deterministic per recipient,
    so a resend overwrites instead of adding a second file."""
    tag = hashlib.sha256(address.lower().encode()).hexdigest()[:8]
    return f"{safe_name(edition_id)}--{safe_name(address.lower())}-{tag}.eml"


class OutboxProvider:
    """Writes `<dir>/<edition>--<address>-<hash>.eml` atomically (temp file + os.replace)."""

    name = "outbox"
    batch_size = 100

    def __init__(self, directory: Path) -> None:
        self.directory = directory

    def send(self, messages: Sequence[OutgoingMessage]) -> list[DeliveryResult]:
        results = []
        for message in messages:
            name = eml_name(message.edition_id, message.to)
            try:
                write_atomic(self.directory / name, message.raw)
            except OSError as exc:
                where = self.directory / name  # "No space left on device" alone names nothing
                error = f"outbox: {where}: {exc.strerror or exc}"
                results.append(DeliveryResult(message.to, "retry", error=error))
                continue
            results.append(DeliveryResult(message.to, "sent", provider_id=name))
        return results

    def close(self) -> None:
        return None


def make_outbox(
    options: Mapping[str, Any], base_dir: Path, environ: Mapping[str, str]
) -> OutboxProvider:
    values = read_options("delivery.outbox", options, SPEC)
    return OutboxProvider(base_dir / values["dir"])
