"""Text as it enters digest: mojibake repaired (ftfy), bidi controls removed, spaces normalised.

Every title, author and body line a feed or page gives passes through `entering` once, so no
later stage meets "fÃ¼r" or a right-to-left override that makes "\u202egnp.cod" display as
"doc.png".
"""

from __future__ import annotations

import re

__all__ = ["entering", "one_line"]

# Embedding, override and isolate controls (U+202A-U+202E, U+2066-U+2069): they reorder what a
# reader sees. Marks (U+200E/U+200F) only hint direction and are harmless, so they stay.
_BIDI = dict.fromkeys([*range(0x202A, 0x202F), *range(0x2066, 0x206A)])
# Lead characters of UTF-8 read as Latin-1/cp1252; only then is ftfy (90 ms to import,
# ~0.5 ms per paragraph) asked to look.
_MOJIBAKE_HINT = re.compile("[\u00c2-\u00c5\u00d0\u00d1\u00e2\u00e3][\u0080-\u00bf\u0152-\u2122]")
_CONTROLS = tuple(map(chr, _BIDI))
_LEADS = "\u00c2\u00c3\u00c4\u00c5\u00d0\u00d1\u00e2\u00e3"
_SPACE = re.compile(r"\s+")


def entering(text: str) -> str:
    """Repair mojibake and drop bidi controls; line breaks are kept."""
    if text.isascii():  # neither mojibake nor bidi controls: the cheap common case
        return text
    if any(lead in text for lead in _LEADS) and _MOJIBAKE_HINT.search(text):
        import ftfy

        # fix_encoding only: fix_text would also straighten curly quotes and change more.
        text = ftfy.fix_encoding(text)
    if any(control in text for control in _CONTROLS):  # substring tests: far cheaper than re
        text = text.translate(_BIDI)
    return text


def one_line(text: str) -> str:
    """`entering`, then all whitespace runs to single spaces (titles, authors)."""
    return _SPACE.sub(" ", entering(text)).strip()
