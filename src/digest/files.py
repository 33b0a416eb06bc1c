"""Atomic file writes: a reader sees the old file or the new one, never half of either."""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import BinaryIO


def write_atomic(path: Path, data: bytes) -> None:
    """Write to a temporary file in the same folder, then rename it over `path`."""
    with atomic_writer(path) as out:
        out.write(data)


@contextmanager
def atomic_writer(path: Path) -> Iterator[BinaryIO]:
    """A file to write in pieces (a large export): renamed over `path` only when the block
    ends without an error, removed otherwise."""
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(handle, "wb") as out:
            yield out
        os.replace(temp, path)
    except BaseException:
        Path(temp).unlink(missing_ok=True)
        raise


def shipped_folder(in_wheel: Path, in_repo: Path, marker: str) -> Path | None:
    """A folder of data digest ships: inside the installed package, else the repository's own.

    The wheel carries repository folders as package data (see pyproject.toml); an editable
    install or a checkout reads them where they are, so each has one source of truth.
    """
    for candidate in (in_wheel, in_repo):
        if (candidate / marker).is_file():
            return candidate
    return None
