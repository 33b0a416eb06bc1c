"""deliver.templated: which messages share a template, and that filling the template with a
recipient's values gives back that recipient's own bodies."""

from __future__ import annotations

from datetime import UTC, datetime

from digest.deliver import Composer
from digest.deliver.templated import ComposedMessage, batches
from digest.models import OutgoingMessage, Subscriber
from digest.render import RenderSettings, render_edition
from tests.render.sample import load_sample

from .factories import message

NOW = datetime(2025, 11, 27, 7, 0, tzinfo=UTC)


def compose() -> Composer:
    digest, newsletter = load_sample()
    return Composer(newsletter, render_edition(digest, newsletter, RenderSettings()), "s" * 32, NOW)


def everyone(count: int, **extra: object) -> list[OutgoingMessage]:
    build = compose()
    return [
        build(Subscriber(f"r{n}@example.com", f"Reader {n}", key=f"k{n}", **extra))  # type: ignore[arg-type]
        for n in range(count)
    ]


def anything(text: str) -> bool:
    return True


def test_filling_the_template_gives_each_recipient_their_own_bodies() -> None:
    messages = [*everyone(3), *everyone(2, sections=("World",))]
    found, alone = batches(messages, literal=anything, value=anything, most=10)
    assert [b.indexes for b in found] == [(0, 1, 2), (3, 4)] and alone == []
    for batch in found:
        html, text = batch.template(lambda name: f"<<{name}>>")
        for sent in batch.messages:
            values = batch.values(sent)
            filled_html, filled_text = html, text
            for name, value in values.items():
                filled_html = filled_html.replace(f"<<{name}>>", value)
                filled_text = filled_text.replace(f"<<{name}>>", value)
            assert (filled_html, filled_text) == (sent.html, sent.text)
            assert dict(batch.personal_headers(sent))["List-Unsubscribe"] in {
                v for k, v in sent.headers
            }
        assert ("Subject", batch.first.subject) in batch.shared_headers()


def test_batches_stay_within_the_providers_limit_and_singles_go_alone() -> None:
    messages = [*everyone(5), message("plain@example.com")]
    found, alone = batches(messages, literal=anything, value=anything, most=2)
    assert [b.indexes for b in found] == [(0, 1), (2, 3)]
    assert alone == [4, 5]  # the last of its layout, and one built without its parts


def test_text_that_looks_like_a_placeholder_keeps_messages_apart() -> None:
    messages = everyone(3)
    parts = messages[0].parts
    assert isinstance(messages[0], ComposedMessage) and parts is not None
    a_literal = next(text for text, shared in parts.html if shared and len(text) > 20)
    found, alone = batches(messages, literal=lambda t: t != a_literal, value=anything, most=9)
    assert found == [] and alone == [0, 1, 2]
    found, alone = batches(messages, literal=anything, value=lambda v: "t=k1." not in v, most=9)
    assert [b.indexes for b in found] == [(0, 2)] and alone == [1]
    found, alone = batches(
        messages, literal=anything, value=anything, header=lambda h: False, most=9
    )
    assert found == [] and alone == [0, 1, 2]
    found, alone = batches(
        messages, literal=anything, value=anything, most=9, eligible=lambda p: False
    )
    assert found == []


def test_a_literal_touching_a_placeholder_with_a_special_character() -> None:
    messages = everyone(2)
    html = messages[0].parts.html if isinstance(messages[0], ComposedMessage) else ()
    before = next(text for n, (text, shared) in enumerate(html) if shared and not html[n + 1][1])
    found, _ = batches(messages, literal=anything, value=anything, most=9, touch=before[-1])
    assert found == []
    found, _ = batches(messages, literal=anything, value=anything, most=9, touch="\x01")
    assert len(found) == 1
