"""Quoted-printable bodies, whole or assembled from pieces encoded once per edition.

`encode(text)` is the reference: CR/CRLF to LF, UTF-8, `binascii.b2a_qp`, CRLF line ends.
`encode_pieces(pieces)` gives the same bytes for the concatenation of `pieces`, but encodes
each piece the edition shares with every subscriber once and only the personal values per
message. A rendered HTML body is one long line with the personal values inside it, so
encoding line by line would save nothing.

Why it is exact: b2a_qp is a left-to-right transducer whose only state at a piece boundary
is the column of the current line (it breaks a line before a character that would pass 76),
and which looks one character ahead (a space or a lone "." before a newline or the end is
escaped; no soft break is put before a last character or a newline). So a piece's encoding
depends only on (the column it starts in, whether the next character is a newline, another
character, or the end). `_piece` computes it with b2a_qp itself on the piece with a prefix of
that many literal "x" and a one-character suffix standing for what follows, and cuts both off
again. Input with CR or NUL (other lookahead cases) takes the whole-text path. Tested against
`encode` on random pieces (tests/deliver/test_qp.py).
"""

from __future__ import annotations

import binascii
from collections.abc import Sequence
from functools import lru_cache

# A piece of a body: (text, shared). Shared pieces are the edition's own literals (the same
# string objects for every subscriber), so their encodings are cached; the others are not.
Piece = tuple[str, bool]

_END, _NEWLINE, _OTHER = 0, 1, 2
# The last column a run of plain characters may end in without b2a_qp breaking the line
# before one of them (it breaks before a character that would reach column 76).
MAX_LITERAL_END = 75
_SUFFIX = {_END: b"", _NEWLINE: b"\n", _OTHER: b"x"}


def encode(text: str) -> bytes:
    """Quoted-printable body with CRLF line ends (lines stay under 76 columns)."""
    normalized = text.replace("\r\n", "\n").replace("\r", "\n")
    encoded = binascii.b2a_qp(normalized.encode("utf-8"), quotetabs=False, istext=True)
    return encoded.replace(b"\n", b"\r\n")


def _piece(data: bytes, column: int, after: int) -> tuple[bytes, int]:
    """(encoding of `data` starting at `column` with `after` following, column at its end)."""
    if data[:1] == b"\n":
        column = 0  # a newline first: nothing before it matters
    suffix = _SUFFIX[after]
    out = binascii.b2a_qp(b"x" * column + data + suffix, quotetabs=False, istext=True)
    body = out[column : len(out) - len(suffix)]
    newline = body.rfind(b"\n")
    end = column + len(body) if newline < 0 else len(body) - newline - 1
    return body.replace(b"\n", b"\r\n"), end


@lru_cache(maxsize=16384)
def _shared(text: str, column: int, after: int) -> tuple[bytes, int] | None:
    if "\r" in text or "\0" in text:
        return None
    return _piece(text.encode("utf-8"), column, after)


def _value(text: str, column: int, after: int) -> tuple[bytes, int] | None:
    """A personal value's encoding; None if it holds CR or NUL (the whole text's path)."""
    if (
        text.isascii()
        and text.isprintable()  # no control character (tabs and newlines included)
        and "=" not in text
        and column + len(text) <= MAX_LITERAL_END
        and not (column == 0 and text[0] == ".")
        and not (text[-1] == " " and after != _OTHER)
    ):
        # Nothing to escape and no soft break to make: b2a_qp would copy it unchanged.
        return text.encode("ascii"), column + len(text)
    if "\r" in text or "\0" in text:
        return None
    return _piece(text.encode("utf-8"), column, after)


def encode_pieces(pieces: Sequence[Piece]) -> bytes:
    """`encode("".join(text for text, _ in pieces))`, with shared pieces encoded once."""
    kept = [(text, shared) for text, shared in pieces if text]
    follows = [_NEWLINE if text[0] == "\n" else _OTHER for text, _ in kept[1:]] + [_END]
    out: list[bytes] = []
    column = 0
    for (text, shared), after in zip(kept, follows, strict=False):  # no pieces: no _END
        found = _shared(text, column, after) if shared else _value(text, column, after)
        if found is None:
            return encode("".join(text for text, _ in kept))
        body, column = found
        out.append(body)
    return b"".join(out)
