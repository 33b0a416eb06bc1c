"""subscribers.importer: CSV into the state database, idempotent, never re-activating anyone."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest

from digest.errors import InputError
from digest.state import State
from digest.subscribers import (
    add_subscriber,
    export_file,
    forget,
    import_file,
    import_folder,
    save_preferences,
    unsubscribe,
)
from tests.subscribers.conftest import NOW, write

LIST = "email,name,sections,status\nada@example.com,Ada,,active\nbob@example.com,Bob,World,active\n"


def statuses(state: State) -> dict[str, str]:
    return {r.email: r.status for r in state.subscribers.iterate()}


def test_import_adds_rows_with_an_event_each(state: State, tmp_path: Path) -> None:
    report = import_file(state, write(tmp_path / "members.csv", LIST), now=NOW)
    assert (report.rows, report.added) == (2, 2)
    bob = state.subscribers.get("BOB@example.com")
    assert bob is not None and bob.sections == ("World",) and bob.origin == "members.csv"
    assert bob.confirmed == NOW and len(bob.uid) >= 16
    (event,) = state.events.history(bob.id)
    assert (event.source, event.action) == ("csv import", "subscribed")
    assert "members.csv:3: added as active" in event.detail


def test_folder_import_is_idempotent(state: State, tmp_path: Path) -> None:
    folder = tmp_path / "subscribers"
    write(folder / "a.csv", LIST)
    assert import_folder(state, folder, now=NOW).added == 2
    again = import_folder(state, folder, now=NOW + timedelta(hours=1))
    assert again.added == 0 and again.unchanged_files == [str(folder / "a.csv")]
    ada = state.subscribers.get("ada@example.com")
    assert ada is not None and len(state.events.history(ada.id)) == 1


def test_changed_rows_update_only_what_changed_in_the_file(state: State, tmp_path: Path) -> None:
    folder = tmp_path / "subscribers"
    write(folder / "a.csv", LIST)
    import_folder(state, folder, now=NOW)
    bob = state.subscribers.get("bob@example.com")
    assert bob is not None
    save_preferences(state, bob, sections=("Science",), frequency="weekly", timezone=None, now=NOW)
    write(folder / "a.csv", LIST.replace("Ada,,", "Ada Lovelace,,"))
    report = import_folder(state, folder, now=NOW)
    assert (report.updated, report.unchanged) == (1, 1)
    ada, bob = state.subscribers.get("ada@example.com"), state.subscribers.get("bob@example.com")
    assert ada is not None and ada.name == "Ada Lovelace"
    assert bob is not None and bob.sections == ("Science",) and bob.frequency == "weekly"


def test_nobody_inactive_is_reactivated_by_an_import(state: State, tmp_path: Path) -> None:
    file = write(tmp_path / "a.csv", LIST)
    import_file(state, file, now=NOW)
    assert unsubscribe(state, "ada@example.com", source="one-click unsubscribe", now=NOW)
    report = import_file(state, file, now=NOW, replace=True)
    assert report.kept_inactive == 1
    assert statuses(state)["ada@example.com"] == "unsubscribed"
    assert state.ledger.is_suppressed("ada@example.com")


def test_web_signups_survive_imports(state: State, tmp_path: Path) -> None:
    add_subscriber(state, "web@example.net", origin="web", now=NOW)
    folder = tmp_path / "subscribers"
    write(folder / "a.csv", LIST)
    import_folder(state, folder, now=NOW)
    import_file(state, folder / "a.csv", now=NOW, replace=True)
    assert statuses(state)["web@example.net"] == "active"


def test_case_duplicates_are_merged_and_reported(state: State, data_dir: Path) -> None:
    file = data_dir / "subscribers" / "bom-unicode-duplicates.csv"
    report = import_file(state, file, now=NOW)
    assert report.rows == 3 and report.merged_count == 1
    assert "bom-unicode-duplicates.csv:4: Ada@example.com merged with" in report.merged[0]
    assert "bom-unicode-duplicates.csv:2 (same address, different case" in report.merged[0]
    ada = state.subscribers.get("ada@example.com")
    assert ada is not None and ada.name == "Ada Lovelace"
    assert statuses(state)["former@example.org"] == "unsubscribed"
    assert state.ledger.is_suppressed("former@example.org")


def test_a_bad_row_anywhere_changes_nothing(state: State, tmp_path: Path) -> None:
    import_file(state, write(tmp_path / "a.csv", LIST), now=NOW)
    bad = write(tmp_path / "b.csv", "email\nnew@example.com\nbroken\n")
    with pytest.raises(InputError, match=r"b\.csv:3: invalid email address 'broken'"):
        import_file(state, bad, now=NOW)
    assert set(statuses(state)) == {"ada@example.com", "bob@example.com"}
    folder = tmp_path / "subscribers"
    write(folder / "a.csv", "email\nfirst@example.com\n")
    write(folder / "b.csv", 'email,name\nsecond@example.com,"open\n')
    with pytest.raises(InputError, match=r"b\.csv:2: a quote opened"):
        import_folder(state, folder, now=NOW)
    assert state.subscribers.get("first@example.com") is None
    assert state.subscribers.fingerprint("a.csv") is None


def test_forgotten_addresses_are_not_re_added(state: State, tmp_path: Path) -> None:
    file = write(tmp_path / "a.csv", LIST)
    import_file(state, file, now=NOW)
    ada = state.subscribers.get("ada@example.com")
    assert ada is not None
    assert forget(state, "Ada@example.com", now=NOW) == 2  # the row and its one event
    assert state.subscribers.get("ada@example.com") is None
    assert state.events.history(ada.id) == []
    rows = state.db.conn.execute("SELECT hash FROM forgotten").fetchall()
    assert len(rows) == 1 and len(rows[0][0]) == 64 and "@" not in rows[0][0]
    report = import_file(state, file, now=NOW)
    assert report.forgotten == 1 and state.subscribers.get("ada@example.com") is None
    add_subscriber(state, "ada@example.com", now=NOW)  # the operator, on request: allowed
    assert statuses(state)["ada@example.com"] == "active"


def test_replace_unsubscribes_those_no_longer_in_the_list(state: State, tmp_path: Path) -> None:
    import_file(state, write(tmp_path / "members.csv", LIST), now=NOW)
    smaller = write(tmp_path / "members.csv", "email,name\nbob@example.com,Robert\n")
    report = import_file(state, smaller, now=NOW, replace=True)
    assert report.removed == 1 and report.updated == 1
    assert statuses(state)["ada@example.com"] == "unsubscribed"
    ada = state.subscribers.get("ada@example.com")
    assert ada is not None and ada.status_reason == "not in members.csv (import --replace)"


def test_old_unsubscribes_and_section_choices_are_carried_over(
    state: State, tmp_path: Path
) -> None:
    state.ledger.suppress("ada@example.com", "unsubscribed")
    state.ledger.suppress("bob@example.com", "2026-11-20: 550 no such user")
    state.preferences.choose("Bob@Example.com", ("Science",), NOW)
    report = import_file(state, write(tmp_path / "a.csv", LIST), now=NOW)
    assert report.kept_inactive == 2
    assert statuses(state) == {"ada@example.com": "unsubscribed", "bob@example.com": "bounced"}
    bob = state.subscribers.get("bob@example.com")
    assert bob is not None and bob.sections == ("Science",)


def test_export_round_trips_through_import(state: State, data_dir: Path, tmp_path: Path) -> None:
    import_file(state, data_dir / "subscribers" / "bom-unicode-duplicates.csv", now=NOW)
    add_subscriber(state, "weekly@example.net", frequency="weekly", timezone="Asia/Tokyo", now=NOW)
    out = tmp_path / "export.csv"
    assert export_file(state, out) == 4
    lines = out.read_text(encoding="utf-8").splitlines()
    assert lines[0] == "email,name,sections,frequency,timezone,status"
    assert "zoe@example.com,Zoë 李,World;Science,weekly,Asia/Tokyo,active" in lines
    before = [
        (r.email, r.name, r.sections, r.status, r.timezone) for r in state.subscribers.iterate()
    ]
    report = import_file(state, out, now=NOW, replace=True)
    assert report.updated == 0 and report.added == 0 and report.unchanged == 4
    after = [
        (r.email, r.name, r.sections, r.status, r.timezone) for r in state.subscribers.iterate()
    ]
    assert after == before
