"""The headline: the article's title, or, without one, a short complete phrase from its lead.

A lead sentence is rarely a headline: it runs 25-40 words. Cutting it at a character count
gives "Gary Locke will be confirmed as Kilmarnock's permanent manager on Friday - exactly…".
Instead the lead is compressed (dateline, attribution and a leading subordinate clause go:
"Days after Musk warned about AI, Facebook shut..." -> "Facebook shut...") and then cut at the
last clause or phrase boundary that keeps at most `MAX_HEADLINE_WORDS` words and does not end on
a word that needs a continuation ("of", "the", "that", ...).
"""

from __future__ import annotations

import re

from digest.summarize.compress import OPENER, compress
from digest.summarize.shape import MAX_HEADLINE_WORDS

__all__ = ["clean_headline", "lead_headline", "split_headline"]

_SITE_SUFFIX = re.compile(r"\s+[|\u2013\u2014-]\s+[^|\u2013\u2014]{2,40}$")
_MIN_WORDS = 4
# Where a phrase may end, strongest first: clause breaks, then the start of a phrase that only
# adds circumstances ("after...", "on Friday", "in Lucknow").
_CLAUSE = re.compile(
    r"\s*(?:[,;:]|\s[-\u2013\u2014])\s|\s(?=(?:after|as|while|when|amid|following|because|but"
    r"|despite|before|since|until|although|though|which|who|whose|where|with|without|by|over"
    r"|during|under|in|on|at|for|from|into|near|than|to|of|and)\s)"
)
_STRONG = re.compile(r"[,;:]|[-\u2013\u2014]")
_DANGLING = frozenset(
    """a an the of to and or but that which who whose whom as at by for from in into on with
    its his her their our your my this these those is are was were be been has have had will
    would can could should may might must than said says according due only so not it he she
    they we i you""".split()  # noqa: SIM905
)


def clean_headline(title: str | None) -> str:
    """The title without a site-name suffix ("... | World News") or surrounding spaces."""
    if not title:
        return ""
    text = " ".join(title.split())
    suffix = _SITE_SUFFIX.search(text)
    if suffix and len(text[: suffix.start()].split()) >= 3 and "|" in suffix.group(0):
        text = text[: suffix.start()]
    return text


def _complete(words: list[str]) -> bool:
    raw = words[-1].strip("\"'\u2019\u201d,.;:")
    last = raw.lower()
    if len(words) < _MIN_WORDS or last.endswith("\u2019s"):
        return False
    return raw[:1].isupper() or last not in _DANGLING  # "in May" ends; "it may" does not


def _phrase(text: str) -> str | None:
    """The longest prefix of `text` that ends at a boundary and fits the word limit."""
    words = text.split()
    if len(words) <= MAX_HEADLINE_WORDS and _complete(words):
        return text
    best: str | None = None
    best_strong = False
    for match in _CLAUSE.finditer(text):
        prefix = text[: match.start()].rstrip(" ,;:")
        count = len(prefix.split())
        if count > MAX_HEADLINE_WORDS:
            break
        strong = _STRONG.match(match.group(0).strip()) is not None
        if _complete(prefix.split()) and (strong or not best_strong or count > 9):
            best, best_strong = prefix, strong or best_strong
    return best


def lead_headline(sentence: str) -> str | None:
    """A headline of at most MAX_HEADLINE_WORDS words made from a lead sentence, or None."""
    text = compress(sentence, parentheses=True).rstrip()
    text = re.sub(r"[.!]+([\"'\u201d\u2019]?)$", r"\1", text)
    options = [text]
    opener = OPENER.match(text)
    if opener is not None:
        main = text[opener.end() :]
        options.insert(0, main[:1].upper() + main[1:])
    for option in options:
        phrase = _phrase(option)
        if phrase is not None:
            return phrase.rstrip(" ,;:")
    return None


def _looks_like_headline(line: str) -> bool:
    return len(line.split()) <= 20 and not line.endswith((".", ":", ";", ","))


def split_headline(text: str, title: str | None) -> tuple[str, str]:
    """(headline, body): the given title, else a plain-text document's heading-like first line.

    A body that repeats the title as its first line loses that line.
    """
    lines = [line for line in text.splitlines() if line.strip()]
    headline = clean_headline(title)
    first = clean_headline(lines[0]) if lines else ""
    if headline:
        if first.lower() == headline.lower():
            lines.pop(0)
    elif first and _looks_like_headline(first) and len(lines) > 1:
        headline = first
        lines.pop(0)
    return headline, "\n".join(lines)
