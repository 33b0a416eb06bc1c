"""subscribers: CSV lists validated row by row, atomic appends, link tokens."""

from __future__ import annotations

from pathlib import Path

import pytest

from digest.errors import InputError
from digest.models import Subscriber
from digest.subscribers import (
    append_subscriber,
    import_list,
    load_subscribers,
    unsubscribe_token,
    verify_token,
)


def lists(tmp_path: Path, **files: str) -> Path:
    folder = tmp_path / "subscribers"
    folder.mkdir()
    for name, text in files.items():
        (folder / f"{name}.csv").write_text(text)
    return folder


def test_bundled_subscribers(repo_root: Path) -> None:
    found = load_subscribers(repo_root / "subscribers")
    assert len(found.active) >= 3
    assert all(s.active for s in found.active)
    assert any(not s.active for s in found.subscribers)


def test_rows_columns_and_duplicates(tmp_path: Path) -> None:
    folder = lists(
        tmp_path,
        a="email,name,sections,status\nA@Example.com, Ann  Lee ,World; Science,\n\n",
        b="email\na@example.com\nb@example.com\n",
    )
    found = load_subscribers(folder)
    assert found.subscribers[0] == Subscriber("A@example.com", "Ann Lee", ("World", "Science"))
    assert [s.email for s in found.subscribers] == ["A@example.com", "b@example.com"]
    assert "already listed at" in found.duplicates[0] and "a.csv:2" in found.duplicates[0]
    assert found.find("a@EXAMPLE.com") is not None


def test_frequency_and_timezone_columns(tmp_path: Path) -> None:
    folder = lists(tmp_path, a="email,frequency,timezone\na@example.com,Weekly,Asia/Tokyo\n")
    (found,) = load_subscribers(folder).subscribers
    assert (found.frequency, found.timezone) == ("weekly", "Asia/Tokyo")
    assert Subscriber("b@example.com").frequency == "daily"


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("email,name\nada@example.com,Ada\nnot-an-address,X\n", "list.csv:3: invalid email"),
        ("name\nAda\n", "list.csv:1: header must name an 'email' column"),
        ("email,colour\na@example.com,red\n", "list.csv:1: unknown column 'colour'"),
        ("email,status\na@example.com,paused\n", "list.csv:2: status must be active"),
        ("email\na@example.com,extra\n", "list.csv:2: more fields than the header"),
        ("email\n", "hold no subscribers"),
        (
            "email,frequency\na@example.com,hourly\n",
            "list.csv:2: frequency must be daily or weekly",
        ),
        ("email,timezone\na@example.com,Mars/Base\n", "list.csv:2: timezone must be an IANA zone"),
    ],
)
def test_bad_rows_name_file_and_line(tmp_path: Path, text: str, message: str) -> None:
    folder = lists(tmp_path, list=text)
    with pytest.raises(InputError) as info:
        load_subscribers(folder)
    assert message in str(info.value)


def test_empty_or_missing_folder(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="no subscriber lists"):
        load_subscribers(lists(tmp_path))
    with pytest.raises(InputError, match="folder not found"):
        load_subscribers(tmp_path / "nowhere")


def test_append_keeps_existing_rows_and_header(tmp_path: Path) -> None:
    folder = lists(tmp_path, list="email,name\nada@example.com,Ada\n")
    append_subscriber(folder / "list.csv", Subscriber("bob@example.com", "Bob, Jr.", ("World",)))
    found = load_subscribers(folder)
    assert [s.name for s in found.subscribers] == ["Ada", "Bob, Jr."]
    append_subscriber(folder / "new.csv", Subscriber("cy@example.com", sections=("A", "B")))
    assert load_subscribers(folder).find("cy@example.com") == Subscriber(
        "cy@example.com", "", ("A", "B")
    )
    assert not list(folder.glob(".*"))


def test_tokens_are_per_address_and_secret() -> None:
    token = unsubscribe_token("s3cret", "Ada@Example.com")
    assert verify_token("s3cret", "ada@example.com", token)
    assert not verify_token("other", "ada@example.com", token)
    assert not verify_token("s3cret", "bob@example.com", token)


def test_import_validates_everything_before_writing(tmp_path: Path) -> None:
    folder = lists(tmp_path, members="email\nold@example.com\n")
    good = tmp_path / "export.csv"
    good.write_text("email,name\nnew@example.com,New\nother@example.com,Other\n")
    rows = import_list(good, folder, "members.csv")
    assert [s.email for s in rows] == ["new@example.com", "other@example.com"]
    assert load_subscribers(folder).find("old@example.com") is None  # replaced whole
    bad = tmp_path / "bad.csv"
    bad.write_text("email\nfine@example.com\nbroken\n")
    with pytest.raises(InputError, match=r"bad\.csv:3: invalid email address 'broken'"):
        import_list(bad, folder, "members.csv")
    assert load_subscribers(folder).find("new@example.com") is not None  # untouched
    with pytest.raises(InputError, match=r"must be a \.csv file"):
        import_list(good, folder, "members.txt")
