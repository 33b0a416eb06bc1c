"""deliver.qp: a body encoded from its pieces is byte for byte the body encoded whole."""

from __future__ import annotations

import random

import pytest

from digest.deliver.qp import Piece, encode, encode_pieces

# Characters that make quoted-printable branch: spaces and tabs (escaped before a line end),
# "=" and non-ASCII (escaped), "." (escaped alone on a line), newlines, runs long enough to
# need soft line breaks around the 76-column limit.
ALPHABET = ["a", "b", " ", "\t", ".", "=", "\n", "é", "€", "x" * 30, " \n", ".\n", "_", "~", "\x7f"]


def random_pieces(rnd: random.Random) -> list[Piece]:
    pieces: list[Piece] = []
    for _ in range(rnd.randint(0, 9)):
        length = rnd.randint(0, rnd.choice([2, 10, 80, 200]))
        text = "".join(rnd.choice(ALPHABET) for _ in range(length))
        pieces.append((text, rnd.random() < 0.5))
    return pieces


def test_pieces_encode_to_the_bytes_of_the_whole() -> None:
    rnd = random.Random(20261201)
    for _ in range(4000):
        pieces = random_pieces(rnd)
        whole = "".join(text for text, _ in pieces)
        assert encode_pieces(pieces) == encode(whole), pieces


def test_every_start_column_of_a_shared_piece() -> None:
    """A personal value of each length 0..80 puts the shared literal after it in a new column."""
    shared = '<td style="padding:0 20px">caf\u00e9 = good. ' * 9
    for width in range(81):
        pieces: list[Piece] = [("y" * width, False), (shared, True), (" \n", False), (".", True)]
        assert encode_pieces(pieces) == encode("".join(t for t, _ in pieces)), width


@pytest.mark.parametrize("odd", ["a\r\nb", "a\rb", "nul\0here"])
def test_carriage_returns_and_nul_take_the_whole_text_path(odd: str) -> None:
    pieces: list[Piece] = [("x" * 70, True), (odd, False), ("\ny", True)]
    assert encode_pieces(pieces) == encode("".join(t for t, _ in pieces))


def test_no_pieces_and_empty_pieces() -> None:
    assert encode_pieces([]) == encode("") == b""
    assert encode_pieces([("", True), ("a", False), ("", True)]) == encode("a")
