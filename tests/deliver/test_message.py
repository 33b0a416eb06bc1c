"""Messages parsed back with the stdlib parser: structure, headers, no injection."""

from __future__ import annotations

import random
import re
import string
from email import message_from_bytes, policy
from email.message import EmailMessage
from email.utils import parsedate_to_datetime
from typing import Any

import pytest

from digest.deliver.headers import fold
from digest.deliver.message import _encode_header, build_message
from digest.errors import PermanentDeliveryError
from digest.models import Newsletter, Subscriber

from .factories import NEWSLETTER, NOW, links, message, rendered

INJECTION = "Hello\r\nBcc: x@evil.example\r\n\r\nbody"


def parse(raw: bytes) -> EmailMessage:
    parsed = message_from_bytes(raw, policy=policy.default)
    assert isinstance(parsed, EmailMessage)
    assert not parsed.defects
    return parsed


def test_structure_and_standard_headers() -> None:
    out = message("ann@example.com", name="Ann")
    parsed = parse(out.raw)
    assert parsed.get_content_type() == "multipart/alternative"
    parts = list(parsed.iter_parts())
    assert [p.get_content_type() for p in parts] == ["text/plain", "text/html"]
    assert "Unsubscribe: https://brief.example.org/u/ann-at-example.com" in parts[0].get_content()
    assert '<a href="https://brief.example.org/u/ann-at-example.com">' in parts[1].get_content()
    assert parsed["From"] == "Morning Brief <news@brief.example.org>"
    assert parsed["To"] == "Ann <ann@example.com>"
    assert parsed["Reply-To"] == "editor@brief.example.org"
    assert parsed["Subject"] == "Five stories for Monday"
    assert parsedate_to_datetime(parsed["Date"]) == NOW
    assert parsed["Message-ID"].endswith("@brief.example.org>")
    assert parsed["MIME-Version"] == "1.0"
    assert parsed["List-Unsubscribe"] == (
        "<https://brief.example.org/u/ann-at-example.com>, "
        "<mailto:unsubscribe@brief.example.org?subject=unsubscribe%20ann-at-example.com>"
    )
    assert parsed["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert parsed["List-Id"] == "Morning Brief <morning-brief.brief.example.org>"
    assert parsed["Precedence"] == "bulk"
    assert parsed["Feedback-ID"] == "2026-05-04:digest:brief"
    assert all(len(line) <= 998 for line in out.raw.split(b"\r\n"))
    assert b"\n" not in out.raw.replace(b"\r\n", b"")


def test_message_id_is_stable_per_recipient_and_unique_across() -> None:
    a1, a2, b = message("a@example.com"), message("a@example.com"), message("b@example.com")
    assert a1.message_id == a2.message_id != b.message_id
    assert message("a@example.com", edition_id="2026-05-05").message_id != a1.message_id


def test_non_ascii_subject_and_names_are_encoded() -> None:
    newsletter = Newsletter(
        title="Café Brief",
        sender="Café Brief <news@brief.example.org>",
        address="x",
        base_url="https://brief.example.org",
    )
    email = rendered("z@example.com", subject="Zoë\u2019s pick: naïve café — ünïcode")
    out = build_message(
        edition_id="e1",
        newsletter=newsletter,
        subscriber=Subscriber("z@example.com", "Zoë Ünal"),
        email=email,
        links=links("z@example.com"),
        now=NOW,
    )
    assert out.raw.isascii()
    parsed = parse(out.raw)
    assert parsed["Subject"] == "Zoë\u2019s pick: naïve café — ünïcode"
    assert parsed["From"].addresses[0].display_name == "Café Brief"
    assert parsed["To"].addresses[0].display_name == "Zoë Ünal"
    assert "naïve" not in out.raw.decode("ascii")


@pytest.mark.parametrize("field", ["subject", "name", "title", "sender", "unsubscribe"])
def test_crlf_in_any_field_cannot_add_a_header(field: str) -> None:
    newsletter = NEWSLETTER
    if field == "title":
        newsletter = Newsletter(**{**NEWSLETTER.__dict__, "title": INJECTION})
    if field == "sender":  # quoted: unquoted, the name's "x@evil.example" makes it ambiguous
        newsletter = Newsletter(
            **{**NEWSLETTER.__dict__, "sender": f'"{INJECTION}" <n@brief.example.org>'}
        )
    person_links = links("v@example.com")
    if field == "unsubscribe":
        person_links = type(person_links)(
            **{
                **person_links.__dict__,
                "unsubscribe_url": "https://x.example/u\r\nBcc: x@evil.example",
            }
        )
    email = rendered("v@example.com", subject=INJECTION if field == "subject" else "Hi")
    out = build_message(
        edition_id="e1",
        newsletter=newsletter,
        subscriber=Subscriber("v@example.com", INJECTION if field == "name" else "V"),
        email=email,
        links=person_links,
        now=NOW,
    )
    parsed = parse(out.raw)
    assert parsed["Bcc"] is None
    assert "evil" not in " ".join(parsed.keys()).lower()
    assert [p.get_content_type() for p in parsed.iter_parts()] == ["text/plain", "text/html"]


@pytest.mark.parametrize(
    "address",
    [
        "a@example.com\r\nBcc: x@evil.example",
        "not-an-address",
        "a b@example.com",
        "<a@example.com>",
    ],
)
def test_bad_recipient_address_is_a_permanent_error(address: str) -> None:
    with pytest.raises(PermanentDeliveryError):
        build_message(
            edition_id="e1",
            newsletter=NEWSLETTER,
            subscriber=Subscriber(address),
            email=rendered("a@example.com"),
            links=links("a@example.com"),
            now=NOW,
        )


def test_bodies_round_trip_exactly() -> None:
    text = "Line one\nA line that is long " + "x" * 200 + "\n. leading dot\ntrailing space \n"
    html = "<p>caf\u00e9 &amp; tea</p>\n<p>" + "y" * 300 + "</p>"
    email = type(rendered("r@example.com"))(subject="s", html=html, text=text)
    out = build_message(
        edition_id="e1",
        newsletter=NEWSLETTER,
        subscriber=Subscriber("r@example.com"),
        email=email,
        links=links("r@example.com"),
        now=NOW,
    )
    plain, rich = parse(out.raw).iter_parts()
    assert plain.get_content().replace("\r\n", "\n") == text
    assert rich.get_content().replace("\r\n", "\n").rstrip("\n") == html


def test_short_ascii_headers_skip_the_folder_with_its_exact_output() -> None:
    """The fast path for a value that fits on one line gives what the folder does."""
    rnd = random.Random(5)
    alphabet = string.ascii_letters + string.digits + " <>@.,;:\"'()[]=?_-!#$%&*+/\\^`{|}~"
    for _ in range(3000):
        name = rnd.choice(["To", "Subject", "List-Unsubscribe", "Message-ID"])
        value = " ".join("".join(rnd.choice(alphabet) for _ in range(rnd.randint(0, 80))).split())
        if value:
            assert _encode_header(name, value) == fold(name, value), value


ENCODED_WORD = re.compile(r"=\?[^?]+\?[bBqQ]\?[^?]*\?=")
ALPHABET = (
    list("abcdefgh ijk lmn opq rst uvwxyz  ABC, .;:!?()\"'=_<>@")
    + list("éüßøñ—’“”")  # noqa: RUF001
    + list("日本語中文Путинعربي🎉")
)


def _read_back(name: str, folded: str) -> Any:
    head = message_from_bytes(folded.encode("ascii") + b"\r\n", policy=policy.default)
    value = head[name]
    assert not value.defects, (folded, value.defects)
    return value


@pytest.mark.parametrize("seed", range(4))
def test_folded_headers_read_back_exactly(seed: int) -> None:
    """Random subjects and display names in many scripts: the stdlib parser reads back the
    value; every encoded-word is at most 75 characters, every line at most 78 (a word too long
    for any line aside), the first line never empty."""
    rnd = random.Random(seed)
    for _ in range(500):
        words = "".join(rnd.choice(ALPHABET) for _ in range(rnd.randint(1, 160))).split()
        if not words:
            continue
        subject = " ".join(words)
        name = " ".join(word[:12] for word in words[:12])
        for header, folded in (
            ("Subject", fold("Subject", subject)),
            ("To", fold("To", name, address="a@example.com")),
        ):
            assert folded.endswith("\r\n") and "\n" not in folded[:-2].replace("\r\n ", "")
            lines = folded[:-2].split("\r\n")
            assert lines[0] != f"{header}:" and lines[0].startswith(f"{header}: ")
            assert all(len(line) <= 78 for line in lines), folded
            assert all(len(word) <= 75 for word in ENCODED_WORD.findall(folded)), folded
            value = _read_back(header, folded)
            if header == "Subject":
                assert str(value) == subject
            else:
                (address,) = value.addresses
                assert address.addr_spec == "a@example.com"
                # the stdlib joins two encoded-words of a phrase with a space of its own
                assert " ".join(address.display_name.split()) == name


def test_only_the_non_ascii_runs_are_encoded() -> None:
    folded = fold("Subject", "Zoë’s pick: naïve café — and more")  # noqa: RUF001
    assert " pick: " in folded and " and more" in folded
    assert fold("Subject", "Short café").startswith("Subject: Short =?utf-8?")
    assert fold("To", "Zoë Ünal", address="z@example.com").endswith(" <z@example.com>\r\n")
    # an ASCII word that reads as an encoded-word is encoded, so it reads back as typed
    assert str(_read_back("Subject", fold("Subject", "=?utf-8?q?x?= y"))) == "=?utf-8?q?x?= y"
    named = _read_back("To", fold("To", "Bob =?utf-8?q?x?= Smith", address="b@example.com"))
    assert named.addresses[0].display_name == "Bob =?utf-8?q?x?= Smith"


def test_message_headers_fold_and_keep_urls_whole() -> None:
    """The whole head of a message with a long unsubscribe URL and a Cyrillic subject."""
    subject = "Путин и Трамп говорили два с половиной часа о войне и мире в Европе, и ещё"  # noqa: RUF001
    person = links("v@example.com")
    long_url = "https://brief.example.org/unsubscribe?t=" + "k1." + "A" * 60
    out = build_message(
        edition_id="e1",
        newsletter=NEWSLETTER,
        subscriber=Subscriber("v@example.com", "Zoë Ünal"),
        email=rendered("v@example.com", subject=subject),
        links=type(person)(**{**person.__dict__, "unsubscribe_url": long_url}),
        now=NOW,
    )
    head = out.raw.split(b"\r\n\r\n", 1)[0].decode("ascii")
    lines = head.split("\r\n")
    long = [line for line in lines if len(line) > 78]
    assert long == [f"List-Unsubscribe: <{long_url}>,"]  # RFC 2369: no space inside <...>
    assert all(len(word) <= 75 for word in ENCODED_WORD.findall(head))
    parsed = parse(out.raw)
    assert parsed["Subject"] == subject
    assert parsed["List-Unsubscribe"] == f"<{long_url}>, <{person.unsubscribe_mailto}>"
    assert parsed["To"].addresses[0].display_name == "Zoë Ünal"
    assert parsed.get_content_type() == "multipart/alternative"
