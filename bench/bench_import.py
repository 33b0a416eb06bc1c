"""Import speed and memory of subscriber CSVs: the streaming batched import against a baseline
run in the same process tree.

The baseline is the way the list was read before it moved into the database, plus the plainest
way to store it: the whole file read into memory and split into lines, each address validated
by email-validator, then looked up, inserted with its event and committed one by one. The new
way streams the file through csv.reader in batches of 1,000 inside one transaction
(digest.subscribers.import_file).

Each measurement runs in a fresh subprocess, so its peak resident memory (ru_maxrss) is its own.

    .venv/bin/python bench/bench_import.py            # 10,000 and 100,000 rows
    .venv/bin/python bench/bench_import.py 20000      # other sizes
"""

from __future__ import annotations

import csv
import json
import resource
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

NOW = datetime(2026, 11, 27, 7, 0, tzinfo=UTC)


def make_csv(path: Path, rows: int) -> None:
    """Realistic rows: names with non-ASCII letters, some sections, zones, 1 % inactive."""
    zones = ("", "Europe/Paris", "America/New_York", "Asia/Tokyo")
    with path.open("w", encoding="utf-8", newline="") as out:
        writer = csv.writer(out, lineterminator="\n")
        writer.writerow(("email", "name", "sections", "frequency", "timezone", "status"))
        for i in range(rows):
            writer.writerow(
                (
                    f"reader.{i}@example{i % 97}.com",
                    f"Zoë Reader {i}",
                    "World;Science" if i % 3 else "",
                    "weekly" if i % 5 == 0 else "daily",
                    zones[i % 4],
                    "unsubscribed" if i % 100 == 0 else "active",
                )
            )


def baseline(file: Path, database: Path) -> int:
    """Whole file in memory, split into lines, one row at a time, one commit per row."""
    from email_validator import validate_email

    from digest.state import NewSubscriber, open_state

    state = open_state(str(database))
    lines = file.read_text(encoding="utf-8-sig").splitlines()
    count = 0
    for row in csv.DictReader(lines):
        email = validate_email(row["email"].strip(), check_deliverability=False).normalized
        if state.subscribers.get(email) is not None:
            continue
        new = NewSubscriber(
            email,
            " ".join(row["name"].split()),
            row["status"] or "active",
            tuple(s for s in row["sections"].split(";") if s),
            row["frequency"] or "daily",
            row["timezone"] or None,
            file.name,
            row["status"] == "active",
        )
        with state.db.transaction():
            (subscriber_id,) = state.subscribers.insert([new], NOW)
            state.events.add([(subscriber_id, NOW, "csv import", "subscribed", "")])
        count += 1
    state.close()
    return count


def streaming(file: Path, database: Path) -> int:
    from digest.state import open_state
    from digest.subscribers import import_file

    state = open_state(str(database))
    report = import_file(state, file, now=NOW)
    state.close()
    return report.added


def child(method: str, file: str, database: str) -> None:
    """Run one import and print its rows, seconds and peak memory as JSON."""
    run = {"baseline": baseline, "streaming": streaming}[method]
    start = time.perf_counter()
    rows = run(Path(file), Path(database))
    seconds = time.perf_counter() - start
    peak_kib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    print(json.dumps({"rows": rows, "seconds": seconds, "peak_mib": peak_kib / 1024}))


def measure(method: str, file: Path, folder: Path) -> dict[str, float]:
    database = folder / f"{method}.db"
    database.unlink(missing_ok=True)
    done = subprocess.run(
        [sys.executable, __file__, "--child", method, str(file), str(database)],
        capture_output=True,
        text=True,
        check=True,
    )
    return dict(json.loads(done.stdout.strip().splitlines()[-1]))


def main(sizes: list[int]) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        for size in sizes:
            file = folder / f"list-{size}.csv"
            make_csv(file, size)
            old = measure("baseline", file, folder)
            new = measure("streaming", file, folder)
            assert old["rows"] == new["rows"] == size, (old, new)
            print(
                f"{size:>7} rows: baseline {old['seconds']:6.2f} s"
                f" ({old['peak_mib']:5.1f} MiB peak), streaming {new['seconds']:6.2f} s"
                f" ({new['peak_mib']:5.1f} MiB peak):"
                f" {old['seconds'] / new['seconds']:4.1f}x faster,"
                f" {size / new['seconds']:,.0f} rows/s",
                flush=True,
            )


if __name__ == "__main__":
    if len(sys.argv) > 1 and sys.argv[1] == "--child":
        child(*sys.argv[2:5])
    else:
        main([int(arg) for arg in sys.argv[1:]] or [10_000, 100_000])
