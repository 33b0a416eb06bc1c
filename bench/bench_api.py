"""A batching API against its local stand-in: SendGrid's templated batches vs one call per
message, in the same run.

The stand-in (tests/deliver/fake_apis.py behind a real HTTP server on 127.0.0.1) validates
every request against SendGrid's published schema and expands each personalization's
substitutions, as SendGrid does. Both runs go through the real send loop and a SQLite ledger:
the baseline sends each message in a call of its own (what digest did before batching: the
messages are built without the parts a template needs), the batched run sends each layout's
messages 1,000 to a call. The edition is the render tests' fixture, its readers spread over
four section choices (four layouts).

    .venv/bin/python bench/bench_api.py [--subscribers 5000] [--rounds 1]
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench_send import serve_api  # noqa: E402
from tests.deliver.fake_apis import FakeApi  # noqa: E402
from tests.render.sample import load_sample  # noqa: E402

from digest.deliver import Composer, SendSettings, send_edition  # noqa: E402
from digest.deliver.sendgrid import SendgridProvider  # noqa: E402
from digest.models import OutgoingMessage, Subscriber  # noqa: E402
from digest.render import RenderSettings, render_edition  # noqa: E402
from digest.state import MIGRATIONS  # noqa: E402
from digest.state.db import Database  # noqa: E402
from digest.state.ledger import Ledger  # noqa: E402

NOW = datetime(2025, 11, 27, 7, 0, tzinfo=UTC)
CHOICES: tuple[tuple[str, ...], ...] = ((), ("World",), ("Business", "Sport"), ())


def readers(count: int) -> dict[str, Subscriber]:
    people = [
        Subscriber(f"reader{n:06d}@example.com", f"Reader {n}", CHOICES[n % 4], key=f"k{n}")
        for n in range(count)
    ]
    return {p.email: p for p in people}


def run(count: int, batched: bool) -> tuple[float, int, FakeApi]:
    """(messages per second, HTTP calls, the stand-in) for one send of the edition."""
    digest, newsletter = load_sample()
    compose = Composer(
        newsletter, render_edition(digest, newsletter, RenderSettings()), "s" * 32, NOW
    )
    people = readers(count)
    fake = FakeApi("sendgrid")
    server = serve_api(fake)
    base_url = f"http://127.0.0.1:{server.server_address[1]}"
    http = httpx.Client(base_url=base_url, headers={"Authorization": "Bearer k"}, timeout=60)
    provider = SendgridProvider(http)

    def message_for(email: str) -> OutgoingMessage:
        built = compose(people[email])
        if batched:
            return built
        return OutgoingMessage(**{k: v for k, v in built.__dict__.items() if k != "parts"})

    with tempfile.TemporaryDirectory() as folder:
        db = Database.open(Path(folder) / "ledger.db", MIGRATIONS)
        ledger = Ledger(db)
        ledger.enqueue(digest.edition_id, list(people))
        started = time.perf_counter()
        report = send_edition(
            digest.edition_id,
            ledger=ledger,
            provider=provider,
            message_for=message_for,
            settings=SendSettings(),
        )
        elapsed = time.perf_counter() - started
        db.close()
    provider.close()
    server.shutdown()
    if report.sent != count or set(fake.delivered.values()) != {1} or fake.schema_errors:
        raise SystemExit(f"send went wrong: {report} {fake.schema_errors[:3]}")
    sample = people["reader000001@example.com"]
    got = fake.received[sample.email]
    if got.html != compose(sample).html:
        raise SystemExit("a recipient's message differs from the one digest built")
    return count / elapsed, len(fake.requests), fake


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--subscribers", type=int, default=5000)
    parser.add_argument("--rounds", type=int, default=1)
    args = parser.parse_args()
    ratios = []
    for number in range(args.rounds):
        single, single_calls, _ = run(args.subscribers, batched=False)
        many, many_calls, _ = run(args.subscribers, batched=True)
        ratios.append(many / single)
        print(
            f"round {number + 1}: {args.subscribers} messages  one call per message "
            f"{single:.0f}/s ({single_calls} calls)  templated batches {many:.0f}/s "
            f"({many_calls} calls)  ratio {many / single:.1f}x",
            flush=True,
        )
    low, high = min(ratios), max(ratios)
    print(f"ratio batched / one call per message: {low:.1f}-{high:.1f}x")
    print(
        f"TABLE\tsend, SendGrid API (local stand-in)\ttemplated batches of 1,000 vs one call "
        f"per message, {args.subscribers} messages\t{low:.1f}-{high:.1f}x"
    )


if __name__ == "__main__":
    main()
