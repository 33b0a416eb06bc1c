"""Templated batches: many subscribers' messages as one template and values per recipient.

Every message of an edition is the edition's literals with a few personal values between
them (`render.personal_parts`: the greeting, the signed unsubscribe and preference links, the
story count of the sections chosen). Messages whose literals are the same, in the same order
(the same sections kept) and whose subject and shared headers are the same, differ only in
those values: a provider that substitutes per-recipient values into one body (SendGrid
`substitutions`, Mailgun `recipient-variables`, SES `SendBulkEmail`) can send them in one
call. `batches` groups a provider call's messages that way; each `Batch` writes the template
in the provider's placeholder syntax (slot `h3` is the 4th value of the HTML, `t0` the first
of the text) and gives each recipient's values and personal headers. What substitution gives
back is, byte for byte, the message's own HTML and text (tested against the providers'
stand-ins). Messages that cannot be grouped (alone in their layout, built without their
parts, or holding text that looks like the provider's placeholder syntax) are left for one
call each.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from digest.models import OutgoingMessage
from digest.render import PersonalParts

# Headers that differ per recipient; every other header is the edition's.
PERSONAL_HEADERS = frozenset({"to", "message-id", "list-unsubscribe"})


@dataclass(frozen=True)
class ComposedMessage(OutgoingMessage):
    """An OutgoingMessage that keeps what its bodies are made of (`personal.Composer`)."""

    parts: PersonalParts | None = None


Check = Callable[[str], bool]  # whether a text may go into the provider's template as it is


@dataclass(frozen=True)
class Batch:
    """Messages (at their `indexes` in the provider call) that share one template."""

    indexes: tuple[int, ...]
    messages: tuple[ComposedMessage, ...]

    @property
    def first(self) -> ComposedMessage:
        return self.messages[0]

    def template(self, slot: Callable[[str], str]) -> tuple[str, str]:
        """(html, text) with slot(name) where each personal value goes."""
        parts = self._parts(self.first)
        return _joined(parts.html, "h", slot), _joined(parts.text, "t", slot)

    def values(self, message: ComposedMessage) -> dict[str, str]:
        """One recipient's values, by slot name."""
        parts = self._parts(message)
        found = {f"h{n}": text for n, text in enumerate(_values(parts.html))}
        found.update({f"t{n}": text for n, text in enumerate(_values(parts.text))})
        return found

    def shared_headers(self) -> list[tuple[str, str]]:
        return [(k, v) for k, v in self.first.headers if k.lower() not in PERSONAL_HEADERS]

    @staticmethod
    def personal_headers(message: OutgoingMessage) -> list[tuple[str, str]]:
        return [(k, v) for k, v in message.headers if k.lower() in PERSONAL_HEADERS]

    @staticmethod
    def _parts(message: ComposedMessage) -> PersonalParts:
        assert message.parts is not None
        return message.parts


def batches(
    messages: Sequence[OutgoingMessage],
    *,
    literal: Check,
    value: Check,
    most: int,
    touch: str = "",
    header: Check = lambda text: True,
    eligible: Callable[[PersonalParts], bool] = lambda parts: True,
) -> tuple[list[Batch], list[int]]:
    """Group messages into Batches of 2 to `most`, and the indexes left for one call each.

    literal(text) and value(text) say whether an edition literal, or a personal value, can go
    into the provider's template unchanged, header(text) the same for a personal header's
    value (where the provider fills those from the recipient's values too); a literal may not end
    or begin with a character of `touch` next to a value's placeholder (SES would read
    "{" + "{{h0}}" as another placeholder); eligible(parts) whether a message may be batched
    at all (a provider's limit on one recipient's values).
    """
    groups: dict[tuple[object, ...], list[int]] = {}
    alone: list[int] = []
    checked: dict[tuple[object, ...], bool] = {}
    for index, message in enumerate(messages):
        parts = message.parts if isinstance(message, ComposedMessage) else None
        if parts is None or not eligible(parts) or not _fits(message, parts, value, header):
            alone.append(index)
            continue
        key = _layout(message, parts)
        if key not in checked:
            checked[key] = all(literal(text) for text in _literals(parts)) and not (
                touch and (_touches(parts.html, touch) or _touches(parts.text, touch))
            )
        if checked[key]:
            groups.setdefault(key, []).append(index)
        else:
            alone.append(index)
    found: list[Batch] = []
    for indexes in groups.values():
        if len(indexes) < 2:
            alone.extend(indexes)
            continue
        for start in range(0, len(indexes), most):
            chunk = tuple(indexes[start : start + most])
            if len(chunk) < 2:
                alone.extend(chunk)
                continue
            composed = tuple(messages[i] for i in chunk)
            found.append(Batch(chunk, composed))  # type: ignore[arg-type]
    return found, sorted(alone)


def _layout(message: OutgoingMessage, parts: PersonalParts) -> tuple[object, ...]:
    """What two messages must share to share a template: subject, shared headers, literals."""
    shared = tuple((k, v) for k, v in message.headers if k.lower() not in PERSONAL_HEADERS)
    return (
        message.edition_id,
        parts.subject,
        shared,
        tuple(text if is_shared else None for text, is_shared in parts.html),
        tuple(text if is_shared else None for text, is_shared in parts.text),
    )


def _fits(message: OutgoingMessage, parts: PersonalParts, value: Check, header: Check) -> bool:
    personal = [v for k, v in message.headers if k.lower() in PERSONAL_HEADERS]
    return (
        message.subject == parts.subject
        and all(value(text) for text in [*_values(parts.html), *_values(parts.text)])
        and all(header(text) for text in personal)
    )


def _literals(parts: PersonalParts) -> list[str]:
    return [parts.subject, *(t for t, s in parts.html if s), *(t for t, s in parts.text if s)]


def _touches(pieces: Sequence[tuple[str, bool]], touch: str) -> bool:
    """Whether a literal ends or begins with a character of `touch` next to a value."""
    if any("\0" in text for text, shared in pieces if shared):
        return True
    joined = "".join(text if shared else "\0" for text, shared in pieces)
    near = re.escape(touch)
    return re.search(f"[{near}]\0|\0[{near}]", joined) is not None


def _values(pieces: Sequence[tuple[str, bool]]) -> list[str]:
    return [text for text, shared in pieces if not shared]


def _joined(pieces: Sequence[tuple[str, bool]], prefix: str, slot: Callable[[str], str]) -> str:
    out: list[str] = []
    count = 0
    for text, shared in pieces:
        if shared:
            out.append(text)
        else:
            out.append(slot(f"{prefix}{count}"))
            count += 1
    return "".join(out)
