"""Marker comments and tokens that let one compiled edition be filled for each subscriber.

Personal values are tokens (`@@dg-<nonce>:name@@`); every block that depends on the subscriber
sits between marker comments. The nonce is a hash of the inputs, so feed text cannot contain a
marker or token (it would have to hold its own hash).
"""

from __future__ import annotations

import re
from functools import lru_cache

from markupsafe import Markup

# ("text", literal) | ("token", field name) | ("begin", block key) | ("end", block key)
Segment = tuple[str, str]
# (text, shared): shared is True for the edition's literals, False for a personal value
Piece = tuple[str, bool]


class Marks:
    """Marker comments that delimit personal blocks; valid in HTML and inert in MJML."""

    def __init__(self, nonce: str) -> None:
        self.nonce = nonce

    def begin(self, key: str) -> Markup:
        return Markup(f"<!--dg-{self.nonce}:begin:{key}-->")

    def end(self, key: str) -> Markup:
        return Markup(f"<!--dg-{self.nonce}:end:{key}-->")


@lru_cache(maxsize=64)
def _marker_pattern(nonce: str) -> re.Pattern[str]:
    return re.compile(rf"<!--dg-{nonce}:(?:begin|end):[\w-]+-->\n?")


@lru_cache(maxsize=64)
def _segment_pattern(nonce: str) -> re.Pattern[str]:
    return re.compile(rf"<!--dg-{nonce}:(begin|end):([\w-]+)-->\n?|@@dg-{nonce}:(\w+)@@")


@lru_cache(maxsize=8)
def segments(content: str, nonce: str) -> tuple[Segment, ...]:
    """Split compiled output into literals, tokens and block markers, once per edition.

    Cached on the content: a str caches its hash, so later subscribers of the same edition
    (even one revived from storage) pay a dict lookup, and RenderedEdition stays plain data.
    """
    segments: list[Segment] = []
    position = 0
    for found in _segment_pattern(nonce).finditer(content):
        if found.start() > position:
            segments.append(("text", content[position : found.start()]))
        if found[3]:
            segments.append(("token", found[3]))
        else:
            segments.append((found[1], found[2]))
        position = found.end()
    segments.append(("text", content[position:]))
    return tuple(segments)


def pieces(segments: tuple[Segment, ...], drop: set[str], values: dict[str, str]) -> list[Piece]:
    """The segments kept for one subscriber, in order, skipping dropped blocks (up to their
    first matching end marker): literals as (the edition's own string, True), personal
    values as (value, False), so a later encoding can reuse its work on the literals."""
    parts: list[Piece] = []
    skipping: str | None = None
    for kind, value in segments:
        if skipping is not None:
            if kind == "end" and value == skipping:
                skipping = None
        elif kind == "text":
            parts.append((value, True))
        elif kind == "token":
            parts.append((values[value], False))
        elif kind == "begin" and value in drop:
            skipping = value
    return parts


def strip_markers(content: str, nonce: str) -> str:
    return _marker_pattern(nonce).sub("", content)
