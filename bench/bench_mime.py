"""Per-message cost of building the MIME message, against the stdlib EmailMessage baseline.

Three ways to the same message of the render tests' fixture edition (a ~45 KB message):
`EmailMessage` with the personalised bodies (the obvious way, the baseline); `build_message`
(a skeleton encoded once per edition, each subscriber's two bodies quoted-printable encoded
whole); and `Composer`, what the send uses: the signed links, the personal pieces and the
bodies encoded from pieces, the edition's literals encoded once for every subscriber (the same
bytes as `build_message`, checked here). The first two get the personalised email for free;
the Composer's figure includes personalising and the links.

    .venv/bin/python bench/bench_mime.py [MESSAGES]
"""

from __future__ import annotations

import sys
import time
from collections.abc import Callable
from datetime import UTC, datetime
from email import message_from_bytes, policy
from email.message import EmailMessage
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from tests.render.sample import load_sample

from digest.deliver import Composer, build_message, personal_links
from digest.models import Subscriber
from digest.render import RenderSettings, personalise, render_edition

NOW = datetime(2025, 11, 27, 7, 0, tzinfo=UTC)
SECRET = "s" * 32


def main() -> None:
    count = int(sys.argv[1]) if len(sys.argv) > 1 else 2000
    digest, newsletter = load_sample()
    rendered = render_edition(digest, newsletter, RenderSettings())
    compose = Composer(newsletter, rendered, SECRET, NOW)
    people = [
        Subscriber(f"reader{n}@example.com", f"Reader {n}", key=f"k{n}") for n in range(count)
    ]
    links = {
        p.email: personal_links(newsletter, SECRET, p.email, rendered.edition_id, p.key)
        for p in people
    }
    emails = {p.email: personalise(rendered, p, links[p.email]) for p in people}

    def baseline(person: Subscriber) -> bytes:
        email, link = emails[person.email], links[person.email]
        msg = EmailMessage()
        msg["From"] = newsletter.sender
        msg["To"] = f"{person.name} <{person.email}>"
        msg["Subject"] = email.subject
        msg["Date"] = NOW
        msg["Message-ID"] = f"<x.{person.email}>"
        msg["List-Unsubscribe"] = f"<{link.unsubscribe_url}>, <{link.unsubscribe_mailto}>"
        msg["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click"
        msg["Precedence"] = "bulk"
        msg.set_content(email.text)
        msg.add_alternative(email.html, subtype="html")
        return msg.as_bytes(policy=policy.SMTP)

    def whole(person: Subscriber) -> bytes:
        return build_message(
            edition_id=rendered.edition_id,
            newsletter=newsletter,
            subscriber=person,
            email=emails[person.email],
            links=links[person.email],
            now=NOW,
            list_id=newsletter.list_id,
            feedback_id=newsletter.feedback_id,
        ).raw

    def pieces(person: Subscriber) -> bytes:
        return compose(person).raw

    assert all(pieces(p) == whole(p) for p in people[:50]), "the Composer's bytes differ"
    parsed = message_from_bytes(pieces(people[0]), policy=policy.default)
    assert [p.get_content_type() for p in parsed.iter_parts()] == ["text/plain", "text/html"]
    size = len(pieces(people[0]))

    def timed(build: Callable[[Subscriber], bytes]) -> float:
        build(people[0])
        started = time.perf_counter()
        for person in people:
            build(person)
        return (time.perf_counter() - started) / count * 1000

    base, template, fast = timed(baseline), timed(whole), timed(pieces)
    print(
        f"messages={count} size={size / 1024:.0f} KB  EmailMessage={base:.3f} ms/msg  "
        f"build_message (bodies encoded whole)={template:.3f} ms/msg  "
        f"Composer (links, pieces, MIME)={fast:.3f} ms/msg"
    )
    print(f"speedup: build_message {base / template:.1f}x, Composer {base / fast:.1f}x")
    print(
        f"TABLE\tMIME\tComposer per message (links, personal pieces, bodies encoded from "
        f"pieces) vs EmailMessage\t{fast:.3f} ms vs {base:.3f} ms: {base / fast:.0f}x"
    )


if __name__ == "__main__":
    main()
