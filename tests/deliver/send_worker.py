"""Sends one edition to N recipients through SMTP or Resend with Ledger + send_edition.

    python tests/deliver/send_worker.py DB N smtp PORT [COMMITS_JSON]
    python tests/deliver/send_worker.py DB N resend BASE_URL [COMMITS_JSON]

Run it, kill it with SIGKILL at any moment, run it again: the edition finishes. Prints the
SendReport as JSON on its last line. With COMMITS_JSON it also writes, per address, the
monotonic time at which its `sent` row was committed (bench/bench_send.py compares it with
the server's 250 to measure the exactly-once window).
"""

from __future__ import annotations

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

from digest.deliver import SendSettings, make_provider, send_edition
from digest.state.db import Database
from digest.state.ledger import LEDGER_SCHEMA, Ledger
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


def main(db_path: str, count: int, provider_name: str, target: str, commits: str | None) -> None:
    db = TimedDatabase.open(db_path, [LEDGER_SCHEMA])
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
    args = sys.argv[1:]
    main(args[0], int(args[1]), args[2], args[3], args[4] if len(args) > 4 else None)
