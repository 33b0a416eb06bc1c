"""`digest init DIR`: a new, working newsletter folder, as `django-admin startproject` does.

It holds the commented `config.toml` (the operator's reference), the sample sources it points at,
a sample subscriber list and the systemd units, copied from what the package ships, so `digest
init news; cd news; digest run` works with no repository around. `--owner` gives the folder to
the account a service runs as (docs/operating.md).
"""

from __future__ import annotations

import os
import pwd
import shutil
import tempfile
from pathlib import Path

import click

from digest.cli.output import console
from digest.errors import InputError
from digest.files import shipped_folder

# What a newsletter folder starts with, relative to the starter folder.
STARTER_FILES = ("config.toml", "examples/sources/*", "subscribers/*.csv", "deploy/*.service")


def starter_folder() -> Path:
    """The sample newsletter the package ships (the repository's own files in a checkout)."""
    here = Path(__file__).resolve().parent
    found = shipped_folder(here / "starter", here.parents[2], "config.toml")
    if found is None:
        raise InputError(
            f"the sample newsletter is missing from {here}",
            hint="reinstall it: pipx reinstall digest-newsletter",
        )
    return found


def starter_files(root: Path) -> list[Path]:
    """The starter's files, relative to its folder, in a stable order."""
    found = [path for pattern in STARTER_FILES for path in sorted(root.glob(pattern))]
    return [path.relative_to(root) for path in found if path.is_file()]


def account(name: str) -> pwd.struct_passwd:
    """The account `--owner` names, or an error that says how to make it."""
    try:
        return pwd.getpwnam(name)
    except KeyError:
        raise InputError(
            f"--owner: there is no user named {name!r}",
            hint=f"create it first: sudo useradd --system --shell /usr/sbin/nologin {name}",
        ) from None


def hand_over(staging: Path, owner: pwd.struct_passwd | None) -> None:
    """Modes for a folder others may read (mkdtemp made it 0700), and `owner`'s if given.

    With an owner, the folder and its files are that account's and its group's, and closed
    to everyone else (0750 and 0640): the service reads and writes them, nobody else does.
    """
    umask = os.umask(0)
    os.umask(umask)
    folder_mode, file_mode = (0o750, 0o640) if owner else (0o777 & ~umask, 0o666 & ~umask)
    for path in (staging, *staging.rglob("*")):
        path.chmod(folder_mode if path.is_dir() else file_mode)
        if owner is not None:
            try:
                os.chown(path, owner.pw_uid, owner.pw_gid)
            except PermissionError:
                raise InputError(
                    f"--owner {owner.pw_name}: only root may give files to another user",
                    hint=f"run it with sudo: sudo digest init --owner {owner.pw_name} ...",
                ) from None


def create_newsletter(folder: Path, owner: str | None = None) -> list[Path]:
    """Write a new newsletter folder; all or nothing, and never over an existing one.

    The files are written into a hidden sibling folder first and moved into place with one
    rename, so an interrupted init leaves no half-made newsletter behind.
    """
    owner_account = account(owner) if owner else None
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
        hand_over(staging, owner_account)
        if folder.exists():
            folder.rmdir()
        os.replace(staging, folder)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    return files


@click.command(short_help="Start a new newsletter folder.")
@click.argument("folder", type=click.Path(path_type=Path))
@click.option(
    "--owner",
    metavar="USER",
    default=None,
    help="Give the folder to USER (the account the service runs as); needs root.",
)
def init(folder: Path, owner: str | None) -> None:
    """Write a new newsletter folder: config.toml, sample sources, subscribers and the
    systemd units.

    Refuses to write into a folder that already has files in it.

    \b
    Examples:
      digest init news && cd news && digest run
      sudo digest init --owner digest /etc/digest
    """
    files = create_newsletter(folder, owner)
    console.print(f"created {folder}/ with {len(files)} files:")
    for name in files:
        console.print(f"  {name.as_posix()}")
    if owner:
        console.print(
            f"owned by {owner}; next: sudo -u {owner} digest --config "
            f"{folder}/config.toml run --dry-run"
        )
    else:
        console.print(
            f"next: cd {folder} && digest run   (edit config.toml first: every key is described)"
        )
