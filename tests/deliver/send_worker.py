"""Sends one edition to N recipients through SMTP or Resend with Ledger + send_edition.

    python tests/deliver/send_worker.py DB N smtp PORT [COMMITS_JSON] [--processes P]
    python tests/deliver/send_worker.py DB N resend BASE_URL [COMMITS_JSON] [--processes P]

Run it, kill it with SIGKILL at any moment, run it again: the edition finishes. Prints the
SendReport as JSON on its last line; with --processes it also prints the send processes'
pids on its first line ("pids 12 13"). With COMMITS_JSON it also writes, per address, the
monotonic time at which its `sent` row was committed (bench/bench_send.py compares it with
the server's 250 to measure the exactly-once window). With --processes P (2 or more) the
messages are built and sent by P send processes and this process keeps the ledger.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import asdict
from pathlib import Path
from sqlite3 import Connection

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "src"))

from digest.deliver import PROVIDERS, SendSettings, make_provider, send_edition
from digest.deliver.composed import credits_for
from digest.deliver.workers import ProcessLanes, WorkerSpec
from digest.state import MIGRATIONS
from digest.state.db import Database
from digest.state.ledger import Ledger
from tests.deliver.factories import message

EDITION = "2026-05-04"


class TimedDatabase(Database):
    """Stamps every address marked sent inside a transaction with the time of its COMMIT."""

    def __init__(self, conn: Connection, path: str) -> None:
        super().__init__(conn, path)
        self.marked: list[str] = []
        self.committed: dict[str, float] = {}

    @contextmanager
    def transaction(self) -> Iterator[Connection]:
        with super().transaction() as conn:
            yield conn
        stamp = time.monotonic()
        for email in self.marked:
            self.committed[email] = stamp
        self.marked.clear()


class TimedLedger(Ledger):
    db: TimedDatabase

    def mark_sent(self, edition_id: str, email: str, provider_id: str | None) -> None:
        super().mark_sent(edition_id, email, provider_id)
        self.db.marked.append(email)


def main(
    db_path: str,
    count: int,
    provider_name: str,
    target: str,
    commits: str | None,
    processes: int = 1,
) -> None:
    db = TimedDatabase.open(db_path, MIGRATIONS)
    assert isinstance(db, TimedDatabase)
    ledger = TimedLedger(db)
    ledger.enqueue(EDITION, [f"reader{i:05d}@example.com" for i in range(count)])
    if provider_name == "smtp":
        options = {"host": "127.0.0.1", "port": int(target), "security": "none", "connections": 3}
        environ: dict[str, str] = {}
    else:
        options = {"base_url": target}
        environ = {"RESEND_API_KEY": "test-key"}
    provider = make_provider(provider_name, options, base_dir=Path("."), environ=environ)
    if processes > 1:
        spec = WorkerSpec(
            name=provider.name,
            batch_size=provider.batch_size,
            factory=PROVIDERS[provider_name],
            options=options,
            base_dir=Path("."),
            environ=environ,
            build=message,
            credits=credits_for(provider),
        )
        lanes = ProcessLanes(spec, processes)
        print("pids", *lanes.pids, flush=True)
        try:
            report = send_edition(EDITION, ledger=ledger, lanes=lanes, settings=SendSettings())
        finally:
            lanes.close()
    else:
        report = send_edition(
            EDITION,
            ledger=ledger,
            provider=provider,
            message_for=lambda email: message(email, edition_id=EDITION),
            settings=SendSettings(),
        )
    provider.close()
    if commits:
        Path(commits).write_text(json.dumps(db.committed))
    print(json.dumps(asdict(report)), flush=True)


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    for name in ("db", "count", "provider", "target"):
        parser.add_argument(name)
    parser.add_argument("commits", nargs="?")
    parser.add_argument("--processes", type=int, default=1)
    args = parser.parse_args()
    main(args.db, int(args.count), args.provider, args.target, args.commits, args.processes)
