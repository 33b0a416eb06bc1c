"""Importing CSV lists into the state database: streaming, in batches, one transaction.

Rows are read one at a time and handled a batch at a time (one query per batch finds the
stored subscribers, suppressions and forgotten hashes), so 100,000 rows import in seconds and
in flat memory. The whole import is one transaction: a bad row anywhere leaves the list as it
was.

The rules:
- a new address is added with the row's status (active by default), unless it was forgotten
  (skipped and counted) or is suppressed (an old unsubscribe or bounce: added inactive);
- a stored subscriber gets only the columns that changed in the file since it was last
  imported, so choices made on the preferences page survive imports of an unchanged file
  (`replace=True`: the file's values win);
- an import never activates anyone already stored: who unsubscribed, bounced or complained
  stays so ("kept inactive"); a row saying so can make an active subscriber inactive;
- the same address twice (in any letter case) is merged: the first row wins, later ones are
  reported.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime
from itertools import islice
from pathlib import Path

from digest.errors import InputError
from digest.state import NewSubscriber, State, SubscriberRecord, key_of
from digest.subscribers.lifecycle import (
    INACTIVE,
    forget_salt,
    reconcile_suppressions,
    set_status,
    status_from_suppression,
)
from digest.subscribers.lists import CsvRow, csv_files, read_csv, split_sections
from digest.subscribers.tokens import address_hash

BATCH = 1000
REPORTED_MERGES = 20
EDITABLE = ("name", "sections", "frequency", "timezone")


@dataclass
class ImportReport:
    """What an import did; `merged` holds the first few merge messages of `merged_count`."""

    rows: int = 0
    added: int = 0
    updated: int = 0
    unchanged: int = 0
    kept_inactive: int = 0
    deactivated: int = 0
    forgotten: int = 0
    removed: int = 0
    merged_count: int = 0
    merged: list[str] = field(default_factory=list)
    files: list[str] = field(default_factory=list)
    unchanged_files: list[str] = field(default_factory=list)


def current_values(record: SubscriberRecord) -> dict[str, str]:
    """A stored subscriber as CSV text, column by column."""
    return {
        "email": record.email,
        "name": record.name,
        "sections": ";".join(record.sections),
        "frequency": record.frequency,
        "timezone": record.timezone or "",
        "status": record.status,
    }


def _decoded(column: str, value: str) -> object:
    if column == "sections":
        return split_sections(value)
    if column == "timezone":
        return value or None
    return value


class _Import:
    """One import run inside one transaction."""

    def __init__(self, state: State, now: datetime, replace: bool) -> None:
        self.state = state
        self.now = now
        self.replace = replace
        self.salt = forget_salt(state)
        self.report = ImportReport()
        state.subscribers.start_import()

    def file(self, path: Path, origin: str) -> None:
        self.report.files.append(str(path))
        rows = read_csv(path)
        while batch := list(islice(rows, BATCH)):
            self.batch(batch, origin)

    def batch(self, rows: list[CsvRow], origin: str) -> None:
        store = self.state.subscribers
        keys = [key_of(row.email) for row in rows]
        earlier = store.seen(keys)
        fresh: list[tuple[CsvRow, str]] = []
        for row, key in zip(rows, keys, strict=True):
            first = earlier.get(key)
            if first is None:
                earlier[key] = f"{row.where}|{row.email}"
                fresh.append((row, key))
                continue
            self.merged(row, first)
        store.mark_seen((key, f"{row.where}|{row.email}") for row, key in fresh)
        wanted = [key for _, key in fresh]
        existing = store.many(wanted)
        suppressed = self.state.ledger.suppressions_among(wanted)
        legacy = self.state.preferences.among(wanted)
        hashes = {key: address_hash(self.salt, key) for key in wanted if key not in existing}
        forgotten = store.forgotten(list(hashes.values()))
        new: list[tuple[CsvRow, NewSubscriber]] = []
        for row, key in fresh:
            self.report.rows += 1
            record = existing.get(key)
            if record is not None:
                self.update(row, record)
            elif hashes[key] in forgotten:
                self.report.forgotten += 1
            else:
                new.append((row, self.new(row, origin, suppressed.get(key), legacy.get(key))))
        self.add(new)

    def merged(self, row: CsvRow, first: str) -> None:
        where, email = first.split("|", 1)
        case = ", different case" if email != row.email else ""
        self.report.merged_count += 1
        if len(self.report.merged) < REPORTED_MERGES:
            self.report.merged.append(
                f"{row.where}: {row.email} merged with {where} (same address{case}; "
                "the first row's values are kept)"
            )

    def new(
        self, row: CsvRow, origin: str, suppressed: str | None, legacy: tuple[str, ...] | None
    ) -> NewSubscriber:
        status, reason = row.status, None
        if suppressed is not None and status not in INACTIVE:
            status, reason = status_from_suppression(suppressed), suppressed
            self.report.kept_inactive += 1
        sections = legacy if legacy is not None else row.sections
        return NewSubscriber(
            email=row.email,
            name=row.name,
            status=status,
            sections=sections,
            frequency=row.frequency,
            timezone=row.timezone,
            origin=origin,
            confirmed=status == "active",
            csv_row=row.values,
            status_reason=reason,
        )

    def add(self, new: list[tuple[CsvRow, NewSubscriber]]) -> None:
        if not new:
            return
        ids = self.state.subscribers.insert((subscriber for _, subscriber in new), self.now)
        events = []
        for subscriber_id, (row, subscriber) in zip(ids, new, strict=True):
            detail = f"{row.where}: added as {subscriber.status}"
            if subscriber.status_reason:
                detail += f" ({subscriber.status_reason})"
            events.append((subscriber_id, self.now, "csv import", "subscribed", detail))
            if subscriber.status in INACTIVE and subscriber.status_reason is None:
                self.state.ledger.suppress(subscriber.email, subscriber.status)
        self.state.events.add(events)
        self.report.added += len(new)

    def update(self, row: CsvRow, record: SubscriberRecord) -> None:
        current = current_values(record)
        baseline = record.csv_row
        changes: dict[str, object] = {}
        details: list[str] = []
        for column in EDITABLE:
            value = row.values.get(column)
            if value is None or value == current[column]:
                continue
            if self.replace or (baseline is not None and baseline.get(column) != value):
                changes[column] = _decoded(column, value)
                details.append(f"{column}: {current[column]!r} -> {value!r}")
        if row.values != baseline:
            changes["csv_row"] = row.values
        if changes:
            self.state.subscribers.update(record.id, changes)
        if details:
            detail = f"{row.where}: " + "; ".join(details)
            self.state.events.add([(record.id, self.now, "csv import", "updated", detail)])
        status = row.values.get("status")
        changed_status = False
        if status in INACTIVE and record.status not in INACTIVE:
            if self.replace or baseline is None or baseline.get("status") != status:
                reason = f"{status} in {row.where}"
                set_status(
                    self.state, record, status, source="csv import", reason=reason, now=self.now
                )
                self.report.deactivated += 1
                changed_status = True
        elif record.status in INACTIVE and row.status not in INACTIVE:
            self.report.kept_inactive += 1
        if details or changed_status:
            self.report.updated += 1
        else:
            self.report.unchanged += 1

    def remove_missing(self, origin: str, source: Path) -> None:
        """`--replace`: who came from this list and is not in the file any more stops
        receiving it (unsubscribed, with the reason recorded)."""
        for subscriber_id in self.state.subscribers.not_seen(origin):
            record = self.state.subscribers.by_id(subscriber_id)
            if record is None:
                continue
            reason = f"not in {source.name} (import --replace)"
            set_status(
                self.state, record, "unsubscribed", source="csv import", reason=reason, now=self.now
            )
            self.report.removed += 1


def import_file(
    state: State, file: Path, *, now: datetime, origin: str | None = None, replace: bool = False
) -> ImportReport:
    """Import one CSV file as list `origin` (default: the file's name); all or nothing."""
    if not file.is_file():
        raise InputError(f"{file}: file not found")
    with state.db.transaction():
        run = _Import(state, now, replace)
        run.file(file, origin or file.name)
        if run.report.rows == 0:
            raise InputError(f"{file}: the list holds no subscribers")
        if replace:
            run.remove_missing(origin or file.name, file)
        reconcile_suppressions(state, now=now)
    return run.report


def file_hash(file: Path) -> str:
    digest = hashlib.sha256()
    with file.open("rb") as raw:
        for block in iter(lambda: raw.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def import_folder(state: State, folder: Path, *, now: datetime) -> ImportReport:
    """Import every *.csv of the subscribers folder that changed since its last import, in
    one transaction (a bad row in any file leaves the list as it was). Idempotent: an
    unchanged file is not read again, and a changed one applies only what changed."""
    files = csv_files(folder)
    with state.db.transaction():
        run = _Import(state, now, replace=False)
        for file in files:
            fingerprint = file_hash(file)
            if state.subscribers.fingerprint(file.name) == fingerprint:
                run.report.unchanged_files.append(str(file))
                continue
            run.file(file, file.name)
            state.subscribers.set_fingerprint(file.name, fingerprint)
        reconcile_suppressions(state, now=now)
    return run.report


def validate_files(files: list[Path]) -> Iterator[CsvRow]:
    """Every row of the files, validated, without importing anything."""
    for file in files:
        yield from read_csv(file)
