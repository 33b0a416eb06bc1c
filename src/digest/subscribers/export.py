"""Exporting the stored list as CSV, in the format `import` reads (a round trip changes
nothing): every status, sections `;`-separated, empty sections meaning everything."""

from __future__ import annotations

import csv
import io
from pathlib import Path

from digest.files import atomic_writer
from digest.state import State
from digest.subscribers.importer import current_values
from digest.subscribers.lists import COLUMNS, csv_line

ROWS_PER_WRITE = 1000


def export_file(state: State, file: Path, status: str | None = None) -> int:
    """Write the list (or one status of it) to `file` atomically, streaming; returns rows."""
    count = 0
    with atomic_writer(file) as out:
        buffer = io.StringIO()
        writer = csv.writer(buffer, lineterminator="\n")
        writer.writerow(COLUMNS)
        for record in state.subscribers.iterate(status):
            writer.writerow(csv_line(current_values(record)))
            count += 1
            if count % ROWS_PER_WRITE == 0:
                out.write(buffer.getvalue().encode("utf-8"))
                buffer.seek(0)
                buffer.truncate()
        out.write(buffer.getvalue().encode("utf-8"))
    return count
