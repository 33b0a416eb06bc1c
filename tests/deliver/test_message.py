"""Messages parsed back with the stdlib parser: structure, headers, no injection."""

from __future__ import annotations

from email import message_from_bytes, policy
from email.message import EmailMessage
from email.utils import parsedate_to_datetime

import pytest

from digest.deliver.message import build_message
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
    """The fast path for a value that fits on one line gives what email.header.Header does."""
    import random
    import string
    from email.header import Header

    from digest.deliver.message import _encode_header

    rnd = random.Random(5)
    alphabet = string.ascii_letters + string.digits + " <>@.,;:\"'()[]=?_-!#$%&*+/\\^`{|}~"
    for _ in range(3000):
        name = rnd.choice(["To", "Subject", "List-Unsubscribe", "Message-ID"])
        value = "".join(rnd.choice(alphabet) for _ in range(rnd.randint(0, 80))).strip()
        folded = Header(value, "us-ascii", header_name=name).encode(linesep="\r\n")
        assert _encode_header(name, value) == f"{name}: {folded}\r\n", value
