"""Sends one edition to N recipients through SMTP or Resend with Ledger + send_edition.

    python tests/deliver/send_worker.py DB N smtp PORT
    python tests/deliver/send_worker.py DB N resend BASE_URL

Run it, kill it with SIGKILL at any moment, run it again: the edition finishes. Prints the
SendReport as JSON on its last line.
"""

from __future__ import annotations

import json
import sys
from dataclasses import asdict
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "src"))

from tests.deliver.factories import message

from digest.deliver import SendSettings, make_provider, send_edition
from digest.state.db import Database
from digest.state.ledger import LEDGER_SCHEMA, Ledger

EDITION = "2026-05-04"


def main(db_path: str, count: int, provider_name: str, target: str) -> None:
    ledger = Ledger(Database.open(db_path, [LEDGER_SCHEMA]))
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
    print(json.dumps(asdict(report)), flush=True)


if __name__ == "__main__":
    main(sys.argv[1], int(sys.argv[2]), sys.argv[3], sys.argv[4])
