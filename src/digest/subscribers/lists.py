"""Subscriber CSV files: strict, streaming reading with file:line errors, and writing.

Format (header required): `email,name,sections,frequency,timezone,status`; only `email` is
mandatory. UTF-8 with or without a BOM. `sections` is a `;`-separated list (empty = every
section); `frequency` is daily (default) or weekly; `timezone` an IANA zone (empty = the
newsletter's); `status` is active (default), pending, unsubscribed, bounced or complained.

The file itself goes to the csv module (opened with newline='', strict quoting), never split
into lines first: `str.splitlines()` also splits on U+2028 and friends, which turned a name
into a new subscriber. A field holding a line break means a quote swallowed the lines after
it, so it is an error naming the line the quote opened on, as are control characters,
non-UTF-8 bytes, NULs and UTF-16 files.
"""

from __future__ import annotations

import csv
import re
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from email_validator import EmailNotValidError, validate_email

from digest.errors import InputError
from digest.models import Subscriber

COLUMNS = ("email", "name", "sections", "frequency", "timezone", "status")
FREQUENCIES = ("daily", "weekly")
STATUSES = ("active", "pending", "unsubscribed", "bounced", "complained")
MAX_NAME = 200
MAX_SECTION = 100
MAX_SECTIONS = 50
_LINE_BREAKS = frozenset("\n\r\v\f\x1c\x1d\x1e\x85\u2028\u2029")


@dataclass(frozen=True)
class CsvRow:
    """One validated row; `values` holds the columns the file has, normalised, as text."""

    where: str
    email: str
    values: dict[str, str]

    @property
    def name(self) -> str:
        return self.values.get("name", "")

    @property
    def sections(self) -> tuple[str, ...]:
        return split_sections(self.values.get("sections", ""))

    @property
    def frequency(self) -> str:
        return self.values.get("frequency") or "daily"

    @property
    def timezone(self) -> str | None:
        return self.values.get("timezone") or None

    @property
    def status(self) -> str:
        return self.values.get("status") or "active"

    def subscriber(self) -> Subscriber:
        return Subscriber(
            email=self.email,
            name=self.name,
            sections=self.sections,
            active=self.status == "active",
            frequency=self.frequency,
            timezone=self.timezone,
        )


@dataclass(frozen=True)
class SubscriberList:
    """Subscribers in list order; `active` are the ones who receive an edition."""

    subscribers: tuple[Subscriber, ...]
    duplicates: tuple[str, ...] = ()

    @property
    def active(self) -> tuple[Subscriber, ...]:
        return tuple(s for s in self.subscribers if s.active)

    def find(self, email: str) -> Subscriber | None:
        wanted = email.lower()
        return next((s for s in self.subscribers if s.email.lower() == wanted), None)


def split_sections(value: str) -> tuple[str, ...]:
    return tuple(s.strip() for s in value.split(";") if s.strip())


# A plain dot-atom local part, as RFC 5322 defines it and email-validator accepts it unchanged.
_DOT_ATOM = re.compile(r"[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+(?:\.[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+)*")


@lru_cache(maxsize=4096)
def _domain(domain: str) -> str | None:
    """A domain as email-validator normalises it, or None when it refuses it."""
    try:
        return str(validate_email(f"a@{domain}", check_deliverability=False).domain)
    except EmailNotValidError:
        return None


def normalise_address(value: str, where: str) -> str:
    """Validate an address (syntax only, no DNS) and return its normalised form.

    email-validator decides. Its IDNA checks of the domain are four fifths of the cost of a row
    and lists repeat a few domains, so a plain ASCII address whose domain it already accepted
    takes a short cut: the dot-atom rule it applies to such a local part, the same lengths.
    RFC 5321's 64-octet limit before the @ is checked here: email-validator accepts longer.
    """
    value = value.strip()
    local, at, domain = value.rpartition("@")
    if at and value.isascii() and _DOT_ATOM.fullmatch(local) and len(local) <= 64:
        known = _domain(domain)
        if known is not None and len(local) + 1 + len(known) <= 254:
            return f"{local}@{known}"
    try:
        valid = validate_email(value, check_deliverability=False)
    except EmailNotValidError as exc:
        raise InputError(f"{where}: invalid email address {value!r}: {exc}") from None
    if len(valid.local_part.encode("utf-8")) > 64:
        raise InputError(
            f"{where}: invalid email address {value[:80]!r}...: more than 64 octets before the @"
        )
    return str(valid.normalized)


def check_text(value: str, what: str, where: str) -> str:
    """Refuse line breaks and control characters (they split lines in other tools), then
    collapse whitespace. `isprintable` is the fast path: most values are plain text."""
    if not value.isprintable():
        for ch in value:
            if ch in _LINE_BREAKS:
                label = f"U+{ord(ch):04X} {unicodedata.name(ch, 'line break')}"
                raise InputError(
                    f"{where}: the {what} holds a line break ({label})",
                    hint="a quote left open swallows the lines after it: close or remove it; "
                    "otherwise remove the line break",
                )
            if unicodedata.category(ch) == "Cc" and ch != "\t":
                raise InputError(f"{where}: the {what} holds a control character U+{ord(ch):04X}")
    return " ".join(value.split())


def check_timezone(name: str, where: str) -> str | None:
    """An IANA zone name as given, or None when empty."""
    if not name:
        return None
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise InputError(
            f"{where}: timezone must be an IANA zone such as Europe/Paris, got {name!r}"
        ) from None
    return name


def check_sections(sections: tuple[str, ...], where: str) -> tuple[str, ...]:
    if len(sections) > MAX_SECTIONS:
        raise InputError(f"{where}: more than {MAX_SECTIONS} sections")
    for section in sections:
        if len(section) > MAX_SECTION:
            raise InputError(f"{where}: a section name is longer than {MAX_SECTION} characters")
    return sections


def _row(file: Path, line: int, header: list[str], fields: list[str]) -> CsvRow:
    where = f"{file}:{line}"
    if len(fields) > len(header):
        raise InputError(
            f"{where}: more fields than the header has ({len(fields)} > {len(header)})",
            hint="a stray comma, or a name with a comma that needs quotes",
        )
    values: dict[str, str] = {}
    for column, raw in zip(header, fields, strict=False):
        if "\x00" in raw:
            raise InputError(f"{where}: the {column} holds a NUL byte", hint="save as UTF-8 text")
        values[column] = check_text(raw, column, where)
    for column in header[len(fields) :]:
        values[column] = ""
    email = normalise_address(values["email"], where)
    values["email"] = email
    if len(values.get("name", "")) > MAX_NAME:
        raise InputError(f"{where}: the name is longer than {MAX_NAME} characters")
    if "sections" in values:
        values["sections"] = ";".join(check_sections(split_sections(values["sections"]), where))
    if "status" in values:
        status = values["status"].lower() or "active"
        if status not in STATUSES:
            raise InputError(f"{where}: status must be {', '.join(STATUSES)}, got {status!r}")
        values["status"] = status
    if "frequency" in values:
        frequency = values["frequency"].lower() or "daily"
        if frequency not in FREQUENCIES:
            raise InputError(f"{where}: frequency must be daily or weekly, got {frequency!r}")
        values["frequency"] = frequency
    if "timezone" in values:
        values["timezone"] = check_timezone(values["timezone"], where) or ""
    return CsvRow(where, email, values)


def _sniff(file: Path, head: bytes) -> None:
    """UTF-16 (with a BOM, or ASCII text with every other byte NUL) is refused up front; a
    stray NUL in UTF-8 text is reported with its line by the row check."""
    if head.startswith((b"\xff\xfe", b"\xfe\xff")) or head.count(b"\x00") * 4 > len(head):
        raise InputError(
            f"{file}:1: looks like UTF-16 (or UTF-32), not UTF-8",
            hint="save the list as CSV UTF-8",
        )


def _bad_byte_line(file: Path) -> tuple[int, str]:
    """The first line that is not UTF-8, and its first bad byte (read again, on error only)."""
    with file.open("rb") as raw:
        for number, line in enumerate(raw, start=1):
            try:
                line.decode("utf-8")
            except UnicodeDecodeError as exc:
                return number, f"0x{line[exc.start]:02X}"
    return 1, "?"


def read_csv(file: Path) -> Iterator[CsvRow]:
    """Stream the validated rows of one CSV; raise InputError naming file:line at the first
    bad one (blank lines are skipped)."""
    try:
        with file.open("rb") as raw:
            _sniff(file, raw.read(4096))
        handle = file.open(encoding="utf-8-sig", newline="")
    except OSError as exc:
        raise InputError(f"{file}: cannot read subscriber list: {exc.strerror or exc}") from None
    with handle:
        reader = csv.reader(handle, strict=True)
        start = 1
        try:
            first = next(reader, None)
            if first is None:
                raise InputError(f"{file}:1: empty file, expected a header line (email,...)")
            header = [check_text(name, "header", f"{file}:1").lower() for name in first]
            _check_header(file, header)
            start = reader.line_num + 1
            for fields in reader:
                if any(field.strip() for field in fields):
                    yield _row(file, start, header, fields)
                start = reader.line_num + 1
        except csv.Error as exc:
            if "unexpected end of data" in str(exc):
                raise InputError(
                    f"{file}:{start}: a quote opened on this line is never closed",
                    hint="the rest of the file would become one field: close the quote",
                ) from None
            raise InputError(f"{file}:{start}: bad quoting: {exc}") from None
        except UnicodeDecodeError:
            line, byte = _bad_byte_line(file)
            raise InputError(
                f"{file}:{line}: not UTF-8 (byte {byte}; latin-1 or Windows-1252?)",
                hint="save the list as CSV UTF-8",
            ) from None


def _check_header(file: Path, header: list[str]) -> None:
    if "email" not in header:
        raise InputError(f"{file}:1: header must name an 'email' column, got {header}")
    unknown = [name for name in header if name not in COLUMNS]
    if unknown:
        raise InputError(f"{file}:1: unknown column {unknown[0]!r} (known: {', '.join(COLUMNS)})")
    repeated = sorted({name for name in header if header.count(name) > 1})
    if repeated:
        raise InputError(f"{file}:1: column {repeated[0]!r} appears twice")


def csv_files(folder: Path) -> list[Path]:
    """The lists in the subscribers folder, by name; a missing folder is an error."""
    if not folder.is_dir():
        raise InputError(
            f"{folder}: subscribers folder not found",
            hint="create it (it may stay empty) or set [subscribers] dir",
        )
    return sorted(folder.glob("*.csv"))


def load_subscribers(folder: Path) -> SubscriberList:
    """Read every *.csv in folder (sorted by name) without importing: first occurrence of an
    address wins, later ones are reported as duplicates. Raises InputError naming file:line."""
    files = csv_files(folder)
    if not files:
        raise InputError(
            f"{folder}: no subscriber lists (*.csv) in the subscribers folder",
            hint="add a CSV with a header line: email,name,sections,status",
        )
    seen: dict[str, str] = {}
    subscribers: list[Subscriber] = []
    duplicates: list[str] = []
    for file in files:
        for row in read_csv(file):
            key = row.email.lower()
            if key in seen:
                duplicates.append(f"{row.where}: {row.email} already listed at {seen[key]}")
                continue
            seen[key] = row.where
            subscribers.append(row.subscriber())
    if not subscribers:
        raise InputError(f"{folder}: the subscriber lists hold no subscribers")
    return SubscriberList(tuple(subscribers), tuple(duplicates))


def csv_line(values: dict[str, str]) -> list[str]:
    """A row in COLUMNS order, for writing."""
    return [values.get(column, "") for column in COLUMNS]
