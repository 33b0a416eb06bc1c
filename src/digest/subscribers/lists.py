"""Subscriber lists: CSV files in the subscribers folder, validated row by row.

Format (header required): `email,name,sections,frequency,timezone,status`; only `email` is
mandatory. `sections` is a `;`-separated list (empty = every section); `frequency` is daily
(default) or weekly; `timezone` an IANA zone (empty = the newsletter's); `status` is active
(default) or unsubscribed. Unsubscribes that arrive by link live in the state store, never in
these files, so re-importing a list cannot resubscribe anyone.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from email_validator import EmailNotValidError, validate_email

from digest.errors import InputError
from digest.files import write_atomic
from digest.models import Subscriber

COLUMNS = ("email", "name", "sections", "frequency", "timezone", "status")
FREQUENCIES = ("daily", "weekly")
STATUSES = ("active", "unsubscribed")


@dataclass(frozen=True)
class SubscriberList:
    """Every subscriber found, deduplicated by address (first occurrence wins)."""

    subscribers: tuple[Subscriber, ...]
    duplicates: tuple[str, ...] = ()

    @property
    def active(self) -> tuple[Subscriber, ...]:
        return tuple(s for s in self.subscribers if s.active)

    def find(self, email: str) -> Subscriber | None:
        wanted = email.lower()
        return next((s for s in self.subscribers if s.email.lower() == wanted), None)


def normalise_address(value: str, where: str) -> str:
    """Validate an address (syntax only, no DNS) and return its normalised form."""
    try:
        return str(validate_email(value.strip(), check_deliverability=False).normalized)
    except EmailNotValidError as exc:
        raise InputError(f"{where}: invalid email address {value!r}: {exc}") from None


def load_subscribers(folder: Path) -> SubscriberList:
    """Read every *.csv in folder (sorted by name); raise InputError naming file:line."""
    if not folder.is_dir():
        raise InputError(
            f"{folder}: subscribers folder not found",
            hint="create it with a CSV file (email,name,sections,status) or set [subscribers] dir",
        )
    files = sorted(folder.glob("*.csv"))
    if not files:
        raise InputError(
            f"{folder}: no subscriber lists (*.csv) in the subscribers folder",
            hint="add a CSV with a header line: email,name,sections,status",
        )
    seen: dict[str, str] = {}
    subscribers: list[Subscriber] = []
    duplicates: list[str] = []
    for file in files:
        for where, subscriber in _read_file(file):
            key = subscriber.email.lower()
            if key in seen:
                duplicates.append(f"{where}: {subscriber.email} already listed at {seen[key]}")
                continue
            seen[key] = where
            subscribers.append(subscriber)
    if not subscribers:
        raise InputError(f"{folder}: the subscriber lists hold no subscribers")
    return SubscriberList(tuple(subscribers), tuple(duplicates))


def _read_file(file: Path) -> Iterable[tuple[str, Subscriber]]:
    try:
        text = file.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as exc:
        raise InputError(f"{file}: cannot read subscriber list: {exc}") from exc
    reader = csv.DictReader(text.splitlines())
    header = [name.strip().lower() for name in reader.fieldnames or []]
    if "email" not in header:
        raise InputError(f"{file}:1: header must name an 'email' column, got {header}")
    unknown = [name for name in header if name not in COLUMNS]
    if unknown:
        raise InputError(f"{file}:1: unknown column {unknown[0]!r} (known: {', '.join(COLUMNS)})")
    reader.fieldnames = header
    for row in reader:
        where = f"{file}:{reader.line_num}"
        if None in row:
            raise InputError(f"{where}: more fields than the header has")
        if not any((value or "").strip() for value in row.values()):
            continue
        yield where, _subscriber(row, where)


def _subscriber(row: dict[str, str], where: str) -> Subscriber:
    email = normalise_address(row.get("email") or "", where)
    status = (row.get("status") or "active").strip().lower()
    if status not in STATUSES:
        raise InputError(f"{where}: status must be active or unsubscribed, got {status!r}")
    sections = tuple(s.strip() for s in (row.get("sections") or "").split(";") if s.strip())
    name = " ".join((row.get("name") or "").split())
    frequency = (row.get("frequency") or "daily").strip().lower()
    if frequency not in FREQUENCIES:
        raise InputError(f"{where}: frequency must be daily or weekly, got {frequency!r}")
    return Subscriber(
        email=email,
        name=name,
        sections=sections,
        active=status == "active",
        frequency=frequency,
        timezone=_timezone((row.get("timezone") or "").strip(), where),
    )


def _timezone(name: str, where: str) -> str | None:
    """An IANA zone name as given, or None when the column is empty."""
    if not name:
        return None
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise InputError(
            f"{where}: timezone must be an IANA zone such as Europe/Paris, got {name!r}"
        ) from None
    return name


def import_list(source: Path, folder: Path, name: str | None = None) -> tuple[Subscriber, ...]:
    """Validate every row of a CSV, then copy it into the folder as one list, atomically.

    A bad row anywhere raises InputError naming source:line and nothing is written; an
    existing list of the same name is replaced whole (the file is the source of truth).
    """
    if not source.is_file():
        raise InputError(f"{source}: file not found")
    rows = tuple(subscriber for _, subscriber in _read_file(source))
    if not rows:
        raise InputError(f"{source}: the list holds no subscribers")
    target = folder / (name or source.name)
    if target.suffix != ".csv":
        raise InputError(f"{target.name}: a subscriber list must be a .csv file")
    write_atomic(target, source.read_bytes())
    return rows


def append_subscriber(file: Path, subscriber: Subscriber) -> None:
    """Add one row to a list, writing a new file atomically (never a half-written list)."""
    rows: list[list[str]] = []
    if file.exists():
        rows = list(csv.reader(file.read_text(encoding="utf-8-sig").splitlines()))
    if not rows:
        rows = [list(COLUMNS)]
    header = [name.strip().lower() for name in rows[0]]
    values = {
        "email": subscriber.email,
        "name": subscriber.name,
        "sections": ";".join(subscriber.sections),
        "frequency": subscriber.frequency,
        "timezone": subscriber.timezone or "",
        "status": "active" if subscriber.active else "unsubscribed",
    }
    rows.append([values.get(column, "") for column in header])
    out = io.StringIO()
    csv.writer(out, lineterminator="\n").writerows(rows)
    write_atomic(file, out.getvalue().encode("utf-8"))
