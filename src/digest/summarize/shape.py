# ruff: noqa: RUF003 (text in other scripts is what this module handles)
"""The shape every key point must have, whichever summarizer wrote it.

A point is one sentence (or one compressed sentence) of at most `MAX_POINT_WORDS` words (a
sentence no faithful cut can shorten stays whole, up to `MAX_WHOLE_WORDS`) that stands alone:
it does not lean on the sentence before it ("He added...", "And Lesnar was listening."), is not
a bare attribution ("Yadav told ANI in Lucknow.") or a quotation nobody speaks, does not repeat
the headline and does not repeat another point. The extractive summarizer picks only candidates
that pass `fits`; the LLM summarizer's answer goes through `shape_points` as well.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence

from digest.summarize.features import ANAPHORA, TERMINAL, leans_back, stopwords, tokens
from digest.summarize.language import count_words, detect, rules
from digest.summarize.sentences import split_sentences

__all__ = [
    "MAX_HEADLINE_WORDS",
    "MAX_POINT_WORDS",
    "MAX_WHOLE_WORDS",
    "MIN_POINT_WORDS",
    "balance_quotes",
    "content",
    "fits",
    "is_fragment",
    "repeats",
    "repeats_headline",
    "shape_points",
    "word_count",
]

MAX_POINT_WORDS = 35
# A sentence no cut can shorten without changing what it says stays whole up to this length
# (issue 27: "when in doubt keep the sentence whole; the word cap may give before meaning does").
MAX_WHOLE_WORDS = 45
MIN_POINT_WORDS = 4
MAX_HEADLINE_WORDS = 14
REDUNDANCY = 0.5  # share of a new point's content words another point may already hold
CONTAINED = 0.75  # share of a point's content words a new point may hold again
HEADLINE_REPEAT = 0.75  # share of a point's content words found in the headline

_BARE_START = re.compile(r"^(?:and|but|or|so|yet|because|nor|plus)\b", re.IGNORECASE)
_SAY = (
    r"(?:said|says|told|added|adds|asked|noted|stated|explained|wrote|tweeted|insisted"
    r"|continued|recalled|claimed|reported|replied|admitted|confirmed|warned|quipped)"
)
_ATTRIBUTION = re.compile(
    rf"^[\"'\u201c\u201d\u2018\u2019]?(?:[\w.'\u2019-]+ ){{1,5}}{_SAY}"
    r"(?: (?:[A-Z][\w.-]*|reporters|journalists|the media|media persons|the \w+)){0,3}"
    r"(?: (?:in|on|at|during|after|before|to|from|via|through|over|later|earlier|yesterday"
    r"|today|tonight|afterwards|recently|last|this)\b[^,;:]{0,50})?"
    r"[.!][\"'\u201d\u2019]?$"
)

_SPEAKERLESS = re.compile(
    '^["\u201c\u00ab\u201e\u300c\u300e][^"\u201c\u201d\u00ab\u00bb\u201e\u300c\u300d\u300e\u300f]+'
    '["\u201d\u00bb\u201c\u300d\u300f][.!?\u3002\uff01\uff1f]?$'
)
_DOUBLE_QUOTES = re.compile('["\u201c\u201d]')
_SUBORDINATE = re.compile(
    r"^(?:when|while|if|although|though|because|as|after|before|since|unless|whereas|until"
    r"|once|whenever|wherever)\b",
    re.IGNORECASE,
)


def word_count(text: str) -> int:
    """Words of a text (two Chinese or Japanese characters count as one)."""
    return count_words(text)


def content(text: str, language: str = "en") -> frozenset[str]:
    """The content words of a text (what near-repeat checks compare)."""
    return frozenset(tokens(text)) - stopwords(language)


_COMMAS = ",\u060c\u3001\uff0c"  # , ، 、 ，


def is_fragment(text: str, language: str = "en") -> bool:
    """Does the point need the sentence before it, or say nothing but who spoke?

    In every language: too short, lower-case start, no full stop. English has its own lists;
    other languages with lists (`language.rules`) get pronoun, connective, subordinate-clause
    and bare-attribution checks from them; the rest only the language-neutral ones.
    """
    words = tokens(text)
    if len(words) < MIN_POINT_WORDS or text[:1].islower() or not TERMINAL.search(text):
        return True
    if _SPEAKERLESS.match(text):
        return True  # "“Every district is our asset.”": a quotation nobody is said to speak
    if language != "en":
        lang = rules(language)
        if leans_back(text, words, language):
            return True
        if words[0] in lang.subordinators and not any(c in text for c in _COMMAS):
            return True
        return len(words) <= 7 and any(word in lang.say for word in words)
    if words[0] in ANAPHORA or _BARE_START.match(text):
        return True
    if _SUBORDINATE.match(text) and "," not in text:
        return True  # "When large parts of India are being inundated." has no main clause
    return len(words) <= 9 and _ATTRIBUTION.match(text) is not None


# Quotation marks that open and close differently, by opener: « », „ “ (German) or „ ” (Polish),
# 「 」 and 『 』 (Chinese, Japanese).
_PAIRS = (("\u00ab", "\u00bb"), ("\u300c", "\u300d"), ("\u300e", "\u300f"))


def _balance_pair(text: str, opening: str, closing: str) -> str:
    opened, closed = text.count(opening), text.count(closing)
    space = " " if f"{opening} " in text or f" {closing}" in text else ""
    if opened > closed:
        return f"{text}{space}{closing}"
    if closed > opened:
        return f"{opening}{space}{text}"
    return text


def balance_quotes(text: str) -> str:
    """One sentence of a longer quotation gets the quote mark it lacks at its open end."""
    for opening, closing in _PAIRS:
        if opening in text or closing in text:
            text = _balance_pair(text, opening, closing)
    if "\u201e" in text:  # German „...“: the curly “ closes
        closing = "\u201d" if "\u201d" in text else "\u201c"
        return _balance_pair(text, "\u201e", closing)
    marks = _DOUBLE_QUOTES.findall(text)
    if len(marks) % 2 == 0:
        return text
    if marks[0] in "\u201c" or (marks[0] == '"' and text.lstrip()[:1] == '"'):
        close = "\u201d" if marks[0] == "\u201c" else '"'
        return text + close  # "\u201cMy wife opened the door." -> ...door.\u201d
    opening = "\u201c" if marks[-1] == "\u201d" else '"'
    return opening + text  # "...pushed her inside,\u201d said Khandelwal." gets its opening


def repeats(bag: frozenset[str], others: Iterable[frozenset[str]]) -> bool:
    """Does the point say little one of the others does not, or say most of one of them again?

    Two points about one story share names and topic words; what makes one a repeat is that
    it adds little (half its content words are in the other) or holds the other almost whole.
    """
    return any(
        len(bag & other) > REDUNDANCY * (len(bag) or 1)
        or len(bag & other) > CONTAINED * (len(other) or 1)
        for other in others
    )


def repeats_headline(bag: frozenset[str], headline: frozenset[str]) -> bool:
    return bool(bag) and len(bag & headline) >= HEADLINE_REPEAT * len(bag)


def fits(
    text: str,
    headline: frozenset[str],
    chosen: Sequence[frozenset[str]],
    language: str = "en",
    limit: int = MAX_POINT_WORDS,
) -> frozenset[str] | None:
    """The point's content words when it may join `chosen` under `headline`, else None."""
    if word_count(text) > limit or is_fragment(text, language):
        return None
    bag = content(text, language)
    if repeats_headline(bag, headline) or repeats(bag, chosen):
        return None
    return bag


def shape_points(
    points: Iterable[str], headline: str, max_points: int, language: str | None = None
) -> tuple[str, ...]:
    """Keep the points that fit (first sentence only, spaces normalised), at most `max_points`.

    A point that is several sentences keeps its first one; the caller decides what too few
    points means (the LLM summarizer then falls back to the extractive one). Without a
    `language` the points' own is detected.
    """
    texts = [" ".join(raw.split()) for raw in points]
    code = language or detect(" ".join([headline, *texts])) or ""
    kept: list[str] = []
    bags: list[frozenset[str]] = []
    title = content(headline, code)
    for text in texts:
        sentences = split_sentences(text, code)
        if not sentences:
            continue
        point = balance_quotes(sentences[0])
        bag = fits(point, title, bags, code)
        if bag is not None:
            kept.append(point)
            bags.append(bag)
        if len(kept) >= max_points:
            break
    return tuple(kept)
