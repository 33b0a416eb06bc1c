"""What an editor does to the next edition: look at a sample, send a test, approve it.

Each builds the edition through the pipeline exactly as a real run would, so what the editor
sees and approves is what subscribers get.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from datetime import datetime

from digest import dispatch, pipeline
from digest.config import Config
from digest.deliver import message_for, sample_subscriber
from digest.editions import fingerprint, revived
from digest.errors import DeliveryError
from digest.models import Digest, OutgoingMessage, Subscriber
from digest.state import State
from digest.subscribers import normalise_address


def pending_sample(
    cfg: Config, state: State, now: datetime, environ: Mapping[str, str]
) -> OutgoingMessage | None:
    """A sample message of the next edition: the unfinished one, else a fresh build."""
    secret = state.link_secret(environ.get("DIGEST_SECRET"))
    subscribers = dispatch.audience(cfg, state, now)
    record = state.editions.unfinished()
    if record is not None:
        rendered = revived(record)
    else:
        built, _ = pipeline.build(cfg, state, pipeline.stage_settings(cfg), now, environ)
        if built is None:
            return None
        rendered = built.rendered
    return message_for(cfg.newsletter, rendered, sample_subscriber(subscribers), secret, now)


def approve(
    cfg: Config, state: State, now: datetime, environ: Mapping[str, str], kind: str = "daily"
) -> Digest | None:
    """Approve the next edition of `kind` exactly as it stands now (from the stored articles)."""
    built, _ = pipeline.build(
        cfg, state, pipeline.stage_settings(cfg), now, environ, gather_first=False, kind=kind
    )
    if built is None:
        return None
    state.editorial.approve(fingerprint(built.digest), now, kind)
    return built.digest


def send_test(
    cfg: Config, state: State, environ: Mapping[str, str], email: str, now: datetime
) -> str | None:
    """Send the next edition as it stands to one address; nothing is stored.

    Returns where it went (the provider's id), or None when there is nothing to send. The
    test has its own edition id, so its Message-ID and outbox folder never collide with the
    real send. Raises DeliveryError when the provider refuses it.
    """
    address = normalise_address(email, "email")
    built, _ = pipeline.build(cfg, state, pipeline.stage_settings(cfg), now, environ)
    if built is None:
        return None
    rendered = dataclasses.replace(built.rendered, edition_id=f"{built.rendered.edition_id}-test")
    secret = state.link_secret(environ.get("DIGEST_SECRET"))
    message = message_for(cfg.newsletter, rendered, Subscriber(address), secret, now)
    sender = dispatch.provider(cfg, environ)
    try:
        (result,) = sender.send([message])
    finally:
        sender.close()
    if result.status != "sent":
        raise DeliveryError(f"test to {address} not sent: {result.error}")
    return f"test sent to {address} via {cfg.provider} ({result.provider_id})"
