"""POST /webhooks/<provider>: the email providers' bounce and complaint events.

A face only: verifying and reading each provider's requests and applying their events is
library code (`digest.subscribers`: `configured_webhooks`, `receive`). Here the body is read
up to MAX_BODY (413 past it), and the library's answer becomes the HTTP one: 200 with what was
done (also for verified events of kinds digest ignores, so the provider stops retrying),
400 for a body that is not what the provider sends, 401/403 for a request that fails
verification (nothing changed), 404 for a provider that is not configured. Each event and
each refusal is a log line.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping
from datetime import UTC, datetime

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from digest.config import Config
from digest.errors import InputError, VerificationError
from digest.state import State
from digest.subscribers import (
    MAX_BODY,
    Fetch,
    Receipt,
    Webhook,
    WebhookRequest,
    bounce_settings_from_table,
    configured_webhooks,
    receive,
)

log = logging.getLogger("digest.webhooks")
Clock = Callable[[], datetime]


def now_utc() -> datetime:
    return datetime.now(UTC)


async def read_body(request: Request, limit: int) -> bytes | None:
    """The exact body bytes, or None as soon as it is longer than `limit`."""
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > limit:
        return None
    chunks, size = [], 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > limit:
            return None
        chunks.append(chunk)
    return b"".join(chunks)


def webhook_routes(
    cfg: Config,
    environ: Mapping[str, str],
    open_state: Callable[[], State],
    *,
    fetch: Fetch | None = None,
    clock: Clock = now_utc,
) -> list[Route]:
    """The webhook route; providers and [bounces] are checked now (ConfigError naming the
    key or variable). `fetch` gets SNS certificates and confirmations (tests stub it)."""
    hooks = configured_webhooks(environ, cfg.table("webhooks"), fetch=fetch)
    settings = bounce_settings_from_table(cfg.table("bounces"), base_dir=cfg.base_dir)

    def handle(hook: Webhook, wrapped: WebhookRequest) -> Receipt:
        state = open_state()
        try:
            return receive(state, hook, wrapped, settings, now=clock())
        finally:
            state.close()

    async def webhook(request: Request) -> Response:
        name = request.path_params["provider"]
        hook = hooks.get(name)
        if hook is None:
            return JSONResponse({"error": f"no {name} webhook is configured here"}, 404)
        body = await read_body(request, MAX_BODY)
        if body is None:
            _refused(name, f"body over {MAX_BODY} bytes", 413)
            return JSONResponse({"error": f"the body is over {MAX_BODY} bytes"}, 413)
        headers = {key.lower(): value for key, value in request.headers.items()}
        try:
            receipt = await run_in_threadpool(handle, hook, WebhookRequest(headers, body))
        except VerificationError as exc:
            _refused(name, exc.message, exc.status)
            challenge = hook.challenge if exc.status == 401 else None
            extra = {"WWW-Authenticate": challenge} if challenge else None
            return JSONResponse({"error": exc.message}, exc.status, headers=extra)
        except InputError as exc:
            _refused(name, exc.message, 400)
            return JSONResponse({"error": exc.message}, 400)
        for note in receipt.notes:
            log.info(note, extra={"event": "webhook.confirm"})
        for outcome in receipt.outcomes:
            log.info(
                f"{name}: {outcome.line()}",
                extra={"event": "webhook.event", "edition": outcome.edition_id},
            )
        return JSONResponse(receipt.summary())

    return [Route("/webhooks/{provider}", webhook, methods=["POST"])]


def _refused(name: str, why: str, status: int) -> None:
    log.warning(f"{name}: refused ({status}): {why}", extra={"event": "webhook.refused"})
