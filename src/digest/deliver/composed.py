"""Sending one stored edition with its own message builder, in this process or in several.

`send_composed` is what `digest send` and `digest run` call: with `[delivery] processes` at 1,
or a small edition, the send loop builds and sends in this process; otherwise it starts send
processes (`workers.ProcessLanes`), each with its own provider connections, and keeps only the
ledger itself.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

from digest.deliver.base import Provider
from digest.deliver.jobs import credits_for
from digest.deliver.personal import Composer
from digest.deliver.registry import factory
from digest.deliver.send import SendReport, SendSettings, send_edition
from digest.deliver.workers import ProcessLanes, WorkerSpec
from digest.models import OutgoingMessage, Subscriber
from digest.state import Ledger

CLOSE_ON_ERROR = 2.0  # seconds send processes get to stop once the send loop has failed

AUTO_FROM = 2000  # recipients pending from which `processes = 0` starts send processes
AUTO_MAX = 4  # send processes `processes = 0` starts at most (one per core up to this)


def send_processes(setting: int, pending: int) -> int:
    """How many send processes to use: the setting, or for 0 one per core (at most AUTO_MAX)
    when the edition is big enough to repay starting them; 1 means this process alone."""
    if setting:
        return setting
    if pending < AUTO_FROM:
        return 1
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    return max(1, min(AUTO_MAX, cores or 1))


def send_composed(
    edition_id: str,
    *,
    ledger: Ledger,
    provider: Provider,
    options: Mapping[str, Any],
    base_dir: Path,
    environ: Mapping[str, str],
    composer: Composer,
    recipient: Callable[[str], Subscriber | None],
    settings: SendSettings,
    progress: Callable[[int, int], None] | None = None,
    stop: Callable[[], str | None] | None = None,
) -> SendReport:
    """Send the edition's pending rows; `recipient(email)` is the subscriber to build for, or
    None when they are no longer active. `provider` (made from `options`, the provider's own
    table) sends in this process; send processes each make their own from the same table."""
    processes = send_processes(settings.processes, ledger.counts(edition_id)["pending"])
    if processes <= 1:

        def message_for(email: str) -> OutgoingMessage | None:
            subscriber = recipient(email)
            return None if subscriber is None else composer(subscriber)

        return send_edition(
            edition_id,
            ledger=ledger,
            provider=provider,
            message_for=message_for,
            settings=settings,
            progress=progress,
            stop=stop,
        )
    spec = WorkerSpec(
        name=provider.name,
        batch_size=provider.batch_size,
        factory=factory(provider.name),
        options=dict(options),
        base_dir=base_dir,
        environ=dict(environ),
        build=composer,
        credits=credits_for(provider),
    )
    lanes = ProcessLanes(spec, processes)
    try:
        report = send_edition(
            edition_id,
            ledger=ledger,
            lanes=lanes,
            resolve=recipient,
            settings=settings,
            progress=progress,
            stop=stop,
        )
    except BaseException:
        # The ledger is out of reach (or the loop broke): nothing more can be recorded, and
        # every message the send processes still send would come again after recovery.
        lanes.close(grace=CLOSE_ON_ERROR)
        raise
    lanes.close()
    return report
