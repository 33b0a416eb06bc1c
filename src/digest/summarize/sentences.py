"""A fast rule-based sentence splitter for news text.

Why not pysbd: it is correct but runs near 40 documents/s; this splitter runs thousands per
second and handles what scraped news needs: abbreviations ("U.S.", "Dr.", "No. 10"), initials,
decimals, closing quotes after the full stop, and paragraphs glued without a space
("...said.The minister"). Lines (paragraphs, list items) are never joined across.
"""

from __future__ import annotations

import re

__all__ = ["ABBREVIATIONS", "split_paragraphs", "split_sentences"]

ABBREVIATIONS: frozenset[str] = frozenset(
    [
        "mr",
        "mrs",
        "ms",
        "mx",
        "dr",
        "prof",
        "sr",
        "jr",
        "st",
        "mt",
        "ft",
        "gen",
        "lt",
        "col",
        "maj",
        "capt",
        "cpt",
        "sgt",
        "cmdr",
        "adm",
        "gov",
        "sen",
        "rep",
        "pres",
        "rev",
        "hon",
        "fr",
        "messrs",
        "mme",
        "mlle",
        "jan",
        "feb",
        "mar",
        "apr",
        "jun",
        "jul",
        "aug",
        "sep",
        "sept",
        "oct",
        "nov",
        "dec",
        "mon",
        "tue",
        "wed",
        "thu",
        "fri",
        "sat",
        "sun",
        "inc",
        "ltd",
        "co",
        "corp",
        "bros",
        "plc",
        "llc",
        "vs",
        "v",
        "etc",
        "al",
        "approx",
        "est",
        "dept",
        "univ",
        "assn",
        "ave",
        "blvd",
        "rd",
        "fig",
        "figs",
        "vol",
        "vols",
        "ed",
        "eds",
        "pp",
        "op",
        "cit",
        "ca",
        "cf",
        "viz",
    ]
)

# Words that take "No." as "number" only before a digit ("No. 10"); "No." alone ends a sentence.
_BEFORE_DIGIT = frozenset({"no", "nos", "nr", "art", "p"})

# After a dotted acronym ("U.S.") a new sentence starts only with one of these words.
_SENTENCE_STARTERS = frozenset(
    [
        "the",
        "a",
        "an",
        "he",
        "she",
        "it",
        "they",
        "we",
        "i",
        "you",
        "his",
        "her",
        "its",
        "their",
        "our",
        "this",
        "that",
        "these",
        "those",
        "there",
        "but",
        "and",
        "so",
        "yet",
        "however",
        "meanwhile",
        "in",
        "on",
        "at",
        "for",
        "after",
        "before",
        "when",
        "while",
        "if",
        "as",
        "his",
        "officials",
        "police",
        "authorities",
    ]
)

_CANDIDATE = re.compile(r"[.!?\u2026]+[\"'\u201d\u2019)\]]*")
_OPENER = re.compile(r"[\"'\u201c\u2018(\[]*([A-Z0-9\u00c0-\u024f]|[^\x00-\x7f])")
_WORD_BEFORE = re.compile(r"([A-Za-z][A-Za-z.]*)$")


def split_paragraphs(text: str) -> list[str]:
    """Paragraphs: blocks separated by newlines (scraped text has one paragraph per line)."""
    return [" ".join(words) for line in text.splitlines() if (words := line.split())]


def _is_boundary(text: str, start: int, end: int) -> bool:
    """Decide whether the punctuation run text[start:end] ends a sentence."""
    punct = text[start:end]
    rest = text[end:]
    glued = not rest[:1].isspace()
    after = rest.lstrip()
    if not after:
        return True
    if glued:
        # "said.The": only a period glued between a lower-case word and a capitalised word.
        return (
            start >= 2
            and text[start - 2 : start].isalpha()
            and text[start - 1].islower()
            and len(rest) >= 2
            and rest[0].isupper()
            and rest[1].islower()
        )
    if not _OPENER.match(after):
        return False  # lower-case continuation: "e.g. the", "3 p.m. local time"
    if punct[0] != ".":
        return True
    match = _WORD_BEFORE.search(text, max(0, start - 40), start)
    if match is None:
        return not text[start - 1 : start].isdigit() or not after[:1].isdigit()
    word = match.group(1)
    lower = word.lower()
    if "." in word:  # dotted acronym: "U.S.", "e.g.", "a.m."
        next_word = after.split(" ", 1)[0].strip("\"'\u201c\u2018").lower()
        return next_word in _SENTENCE_STARTERS
    if lower in ABBREVIATIONS and len(word) <= 5:
        return False
    if lower in _BEFORE_DIGIT:
        return not after[:1].isdigit()
    return not (len(word) == 1 and word.isupper())  # an initial: "J. K. Rowling"


def _split_line(line: str) -> list[str]:
    sentences: list[str] = []
    begin = 0
    for match in _CANDIDATE.finditer(line):
        if _is_boundary(line, match.start(), match.end()):
            piece = line[begin : match.end()].strip()
            if piece:
                sentences.append(piece)
            begin = match.end()
    tail = line[begin:].strip()
    if tail:
        sentences.append(tail)
    return sentences


def split_sentences(text: str) -> list[str]:
    """Split text into sentences; every line (paragraph, list item) ends a sentence."""
    out: list[str] = []
    for line in split_paragraphs(text):
        out.extend(_split_line(line))
    return out
