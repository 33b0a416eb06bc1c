"""`digest init DIR`: a new, working newsletter folder, as `django-admin startproject` does.

It holds the commented `config.toml` (the operator's reference), the sample sources it points at
and a sample subscriber list, copied from what the package ships, so `digest init news; cd news;
digest run` works with no repository around.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path

import click

from digest.cli.output import console
from digest.errors import InputError
from digest.files import shipped_folder

# What a newsletter folder starts with, relative to the starter folder.
STARTER_FILES = ("config.toml", "examples/sources/*", "subscribers/*.csv")


def starter_folder() -> Path:
    """The sample newsletter the package ships (the repository's own files in a checkout)."""
    here = Path(__file__).resolve().parent
    found = shipped_folder(here / "starter", here.parents[2], "config.toml")
    if found is None:
        raise InputError(
            f"the sample newsletter is missing from {here}",
            hint="reinstall digest",
        )
    return found


def starter_files(root: Path) -> list[Path]:
    """The starter's files, relative to its folder, in a stable order."""
    found = [path for pattern in STARTER_FILES for path in sorted(root.glob(pattern))]
    return [path.relative_to(root) for path in found if path.is_file()]


def create_newsletter(folder: Path) -> list[Path]:
    """Write a new newsletter folder; all or nothing, and never over an existing one.

    The files are written into a hidden sibling folder first and moved into place with one
    rename, so an interrupted init leaves no half-made newsletter behind.
    """
    if folder.exists() and (not folder.is_dir() or any(folder.iterdir())):
        raise InputError(
            f"{folder}: already exists and is not an empty folder",
            hint="pick a new folder name; digest init never overwrites files",
        )
    root = starter_folder()
    files = starter_files(root)
    parent = folder.resolve().parent
    parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(dir=parent, prefix=f".{folder.name}.", suffix=".init"))
    try:
        for name in files:
            (staging / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(root / name, staging / name)
        if folder.exists():
            folder.rmdir()
        os.replace(staging, folder)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    return files


@click.command(short_help="Start a new newsletter folder.")
@click.argument("folder", type=click.Path(path_type=Path))
def init(folder: Path) -> None:
    """Write a new newsletter folder: config.toml, sample sources and subscribers.

    Refuses to write into a folder that already has files in it.

    \b
    Example:
      digest init news && cd news && digest run
    """
    files = create_newsletter(folder)
    console.print(f"created {folder}/ with {len(files)} files:")
    for name in files:
        console.print(f"  {name.as_posix()}")
    console.print(
        f"next: cd {folder} && digest run   (edit config.toml first: every key is described)"
    )
