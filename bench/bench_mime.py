"""Per-message MIME cost: the pre-encoded template vs the stdlib EmailMessage baseline.

.venv/bin/python bench/bench_mime.py [MESSAGES]
"""

from __future__ import annotations

import sys
import time
from email import message_from_bytes, policy
from email.message import EmailMessage
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from tests.deliver.factories import NEWSLETTER, NOW, links, message

BODY_HTML = (
    "<p>"
    + "A realistic digest paragraph with a <a href='https://x.example/a'>link</a>. " * 400
    + "</p>"
)
BODY_TEXT = "A realistic digest paragraph with a link https://x.example/a.\n" * 400


def baseline(email: str) -> bytes:
    msg = EmailMessage()
    msg["From"] = NEWSLETTER.sender
    msg["To"] = email
    msg["Subject"] = "Five stories for Monday"
    msg["Date"] = NOW
    msg["Message-ID"] = f"<x.{email}>"
    msg["List-Unsubscribe"] = (
        f"<{links(email).unsubscribe_url}>, <{links(email).unsubscribe_mailto}>"
    )
    msg["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click"
    msg["Precedence"] = "bulk"
    msg.set_content(BODY_TEXT)
    msg.add_alternative(BODY_HTML, subtype="html")
    return msg.as_bytes(policy=policy.SMTP)


def ours(email: str) -> bytes:
    from digest.deliver.message import build_message
    from digest.models import RenderedEmail, Subscriber

    return build_message(
        edition_id="2026-05-04",
        newsletter=NEWSLETTER,
        subscriber=Subscriber(email),
        email=RenderedEmail("Five stories for Monday", BODY_HTML, BODY_TEXT),
        links=links(email),
        now=NOW,
    ).raw


def timed(build: object, count: int) -> float:
    started = time.perf_counter()
    for i in range(count):
        build(f"reader{i}@example.com")  # type: ignore[operator]
    return (time.perf_counter() - started) / count * 1000


def main() -> None:
    count = int(sys.argv[1]) if len(sys.argv) > 1 else 2000
    parsed = message_from_bytes(ours("check@example.com"), policy=policy.default)
    assert [p.get_content_type() for p in parsed.iter_parts()] == ["text/plain", "text/html"]
    message("warm@example.com")
    base = timed(baseline, count)
    fast = timed(ours, count)
    size = len(ours("size@example.com"))
    print(
        f"messages={count} size={size / 1024:.0f} KB  EmailMessage={base:.3f} ms/msg  "
        f"template={fast:.3f} ms/msg  speedup={base / fast:.1f}x"
    )


if __name__ == "__main__":
    main()
