"""`digest prepare` stores the next edition unsent; `digest send` or `digest worker` sends it.
On SQLite, as real processes against the outbox."""

from __future__ import annotations

import json
import signal
from pathlib import Path

from tests.cli.runner import digest, start


def emls(project: Path) -> list[Path]:
    return sorted((project / "outbox").glob("*.eml"))


def test_prepare_stores_the_edition_and_sends_nothing_until_a_sender_does(project: Path) -> None:
    prepared = digest("prepare", cwd=project)
    assert prepared.returncode == 0, prepared.stderr
    assert "prepared for 3 recipient(s), 0 skipped" in prepared.stdout
    assert emls(project) == []
    status = json.loads(digest("status", "--json", cwd=project).stdout)
    assert status["editions"][0]["status"] == "sending"
    assert status["editions"][0]["pending"] == 3

    again = digest("prepare", cwd=project)
    assert again.returncode == 0, again.stderr
    assert "is still being sent: nothing new prepared" in again.stdout

    sent = digest("send", cwd=project)
    assert sent.returncode == 0, sent.stderr
    assert len(emls(project)) == 3


def test_a_worker_sends_what_is_prepared_and_stops_on_sigterm(project: Path) -> None:
    quick = {"DIGEST_DELIVERY__IDLE_SECONDS": "0.1"}
    worker = start("worker", cwd=project, env=quick)
    try:
        assert digest("prepare", cwd=project).returncode == 0
        worker.wait_for(lambda: len(emls(project)) == 3, "the prepared edition sent")
        worker.wait_for(lambda: "run.report" in worker.log, "the worker's report")
    finally:
        code = worker.stop(signal.SIGTERM)
    assert code == 0, worker.log
    assert worker.log.count("run.report") == 1, "an idle worker logs nothing more"
    status = json.loads(digest("status", "--json", cwd=project).stdout)
    assert status["editions"][0]["status"] == "done"
