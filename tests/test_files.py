"""files.write_atomic: the old content or the new, never half, never a stray temp file."""

from __future__ import annotations

from pathlib import Path

import pytest

from digest.files import write_atomic


def test_creates_folders_and_replaces(tmp_path: Path) -> None:
    target = tmp_path / "a" / "b" / "out.txt"
    write_atomic(target, b"first")
    write_atomic(target, b"second")
    assert target.read_bytes() == b"second"
    assert [p.name for p in target.parent.iterdir()] == ["out.txt"]


def test_a_failed_write_keeps_the_old_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    target = tmp_path / "out.txt"
    write_atomic(target, b"old")

    def no_space(source: str, destination: Path) -> None:
        raise OSError("No space left on device")

    monkeypatch.setattr("digest.files.os.replace", no_space)
    with pytest.raises(OSError, match="No space left"):
        write_atomic(target, b"new")
    assert target.read_bytes() == b"old"
    assert [p.name for p in tmp_path.iterdir()] == ["out.txt"]
