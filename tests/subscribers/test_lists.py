"""subscribers.lists: CSV files read strictly with the csv module, errors naming file:line."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from digest.errors import InputError
from digest.models import Subscriber
from digest.subscribers import load_subscribers, read_csv

SUBSCRIBER_DATA = Path(__file__).parents[1] / "data" / "subscribers"


def lists(tmp_path: Path, **files: str) -> Path:
    folder = tmp_path / "subscribers"
    folder.mkdir()
    for name, text in files.items():
        (folder / f"{name}.csv").write_text(text, encoding="utf-8")
    return folder


def fixture(tmp_path: Path, name: str) -> Path:
    """A copy of a file of tests/data/subscribers as the only list of a folder."""
    folder = tmp_path / "subscribers"
    folder.mkdir(exist_ok=True)
    return Path(shutil.copy(SUBSCRIBER_DATA / name, folder / name))


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


def test_unclosed_quote_is_an_error_naming_the_line_it_opened_on(tmp_path: Path) -> None:
    """The issue's first repro: two rows swallowed into one name, exit 0, list changed."""
    file = fixture(tmp_path, "unclosed-quote.csv")
    with pytest.raises(InputError, match=r"unclosed-quote\.csv:2: a quote opened on this line"):
        list(read_csv(file))


def test_line_separator_in_a_name_is_an_error_not_a_new_subscriber(tmp_path: Path) -> None:
    """The issue's second repro: U+2028 made x@y.com a subscriber (str.splitlines splits it)."""
    file = fixture(tmp_path, "line-separator.csv")
    with pytest.raises(InputError) as info:
        list(read_csv(file))
    assert "line-separator.csv:2: the name holds a line break (U+2028 LINE SEPARATOR)" in str(
        info.value
    )


def test_quoted_line_break_that_balances_is_still_refused(tmp_path: Path) -> None:
    folder = lists(tmp_path, a='email,name\na@b.com,"Two\nlines"\nc@d.com,C\n')
    with pytest.raises(InputError, match=r"a\.csv:2: the name holds a line break"):
        load_subscribers(folder)


@pytest.mark.parametrize(
    ("name", "message"),
    [
        ("latin1.csv", "latin1.csv:3: not UTF-8 (byte 0xEB"),
        ("utf16.csv", "utf16.csv:1: looks like UTF-16"),
        ("nul.csv", "nul.csv:3: the name holds a NUL byte"),
    ],
)
def test_wrong_encodings_name_file_and_line(tmp_path: Path, name: str, message: str) -> None:
    with pytest.raises(InputError) as info:
        list(read_csv(fixture(tmp_path, name)))
    assert message in str(info.value)


def test_bom_and_unicode_names_are_read(tmp_path: Path) -> None:
    rows = list(read_csv(fixture(tmp_path, "bom-unicode-duplicates.csv")))
    assert [row.email for row in rows][:2] == ["ada@example.com", "zoe@example.com"]
    assert rows[1].name == "Zoë 李" and rows[1].sections == ("World", "Science")
    assert rows[1].where.endswith("bom-unicode-duplicates.csv:3")


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("email,name\nada@example.com,Ada\nnot-an-address,X\n", "list.csv:3: invalid email"),
        ("name\nAda\n", "list.csv:1: header must name an 'email' column"),
        ("email,colour\na@example.com,red\n", "list.csv:1: unknown column 'colour'"),
        ("email,email\na@example.com,b@example.com\n", "list.csv:1: column 'email' appears twice"),
        ("email,status\na@example.com,paused\n", "list.csv:2: status must be active"),
        ("email\na@example.com,extra\n", "list.csv:2: more fields than the header"),
        ("email\n", "hold no subscribers"),
        ("", "list.csv:1: empty file"),
        (
            "email,frequency\na@example.com,hourly\n",
            "list.csv:2: frequency must be daily or weekly",
        ),
        ("email,timezone\na@example.com,Mars/Base\n", "list.csv:2: timezone must be an IANA zone"),
        ('email,name\na@b.com,"Ann "Q" Lee"\n', "list.csv:2: bad quoting"),
        ("email,name\na@b.com,Bell\x07\n", "list.csv:2: the name holds a control character"),
        (f"email\n{'a' * 65}@example.com\n", "list.csv:2: invalid email address"),
        (f"email\nann@{'b' * 250}.com\n", "list.csv:2: invalid email address"),
        (f"email,name\na@b.com,{'N' * 201}\n", "list.csv:2: the name is longer than 200"),
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
