# ruff: noqa: RUF002, RUF003 (text in other scripts is what this module handles)
"""A fast rule-based sentence splitter for news text in any language.

Why not pysbd: it is correct but runs near 40 documents/s. Why not sentencex (fast, ~300
languages): it splits "M. Dupont" and "Dr. Smith" and knows none of the scrape faults below
(bench/bench_sentences.py measures the three). This splitter runs thousands of documents per
second and handles what scraped news needs: abbreviations ("U.S.", "Dr.", "No. 10", per
language: "M.", "z.B.", "т.е."), initials in any script ("В. В. Путин"), ordinals in the
languages that write them with a full stop ("am 3. Oktober"), decimals, closing quotes after the
full stop (» ” 」), the full stops of Chinese and Japanese (。！？, no space after them), the
Arabic question mark (؟) and the Devanagari danda (।), paragraphs glued without a space
("...said.The minister", "in 2017.The", "that.A photo") and, in English, photo captions glued on
without a full stop ("...Ronald Reagan The document states..."). Lines (paragraphs, list items)
are never joined across.
"""

from __future__ import annotations

import re
from functools import cache

from digest.summarize.language import rules

__all__ = ["ABBREVIATIONS", "split_paragraphs", "split_sentences"]

ABBREVIATIONS: frozenset[str] = frozenset(
    """mr mrs ms mx dr prof sr jr st mt ft gen lt col maj capt cpt sgt cmdr adm gov sen rep pres
    rev hon fr messrs mme mlle jan feb mar apr jun jul aug sep sept oct nov dec mon tue wed thu
    fri sat sun inc ltd co corp bros plc llc vs v etc al approx est dept univ assn ave blvd rd
    fig figs vol vols ed eds pp op cit ca cf viz""".split()  # noqa: SIM905
)

# Words that take "No." as "number" only before a digit ("No. 10"); "No." alone ends a sentence.
_BEFORE_DIGIT = frozenset({"no", "nos", "nr", "art", "p"})

# After a dotted acronym ("U.S.") a new sentence starts only with one of these words.
_SENTENCE_STARTERS = frozenset(
    """the a an he she it they we i you his her its their our this that these those there but
    and so yet however meanwhile in on at for after before when while if as officials police
    authorities""".split()  # noqa: SIM905
)

_CLOSERS = "\"'\u201d\u2019\u201c)\\]\u00bb\u300d\u300f\uff09"  # ” ’ “ ) ] » 」 』 ）
_SPACES = " \u00a0\u202f"
# "fini. »": French sets a (narrow) space before its closing guillemet.
_CANDIDATE = re.compile(
    f"[.!?\u2026\u3002\uff01\uff1f\u061f\u0964]+[{_CLOSERS}]*(?:[{_SPACES}]\u00bb)?"
)
_FULL_WIDTH = frozenset("\u3002\uff01\uff1f")  # 。！？ end a sentence with no space after
_OPENING = "\"'\u201c\u2018\u201e\u00ab\u300c\u300e([\u00bf\u00a1"  # “ ‘ „ « 「 『 ( [ ¿ ¡
_WORD_BEFORE = re.compile(r"([^\W\d_][\w.]*)$")
_NUMBER_BEFORE = re.compile(r"(?<![\d.,])(\d{1,3})$")


def split_paragraphs(text: str) -> list[str]:
    """Paragraphs: blocks separated by newlines (scraped text has one paragraph per line)."""
    return [" ".join(words) for line in text.splitlines() if (words := line.split())]


def _glued_boundary(text: str, start: int, rest: str) -> bool:
    """ "said.The", "in 2017.The", "the BJP.The": a paragraph glued on without a space.

    Only before a capitalised word, and never after an abbreviation ("Mr.Smith") or a dotted
    acronym ("U.S.The" stays whole: its last letter could be an initial).
    """
    if len(rest) < 2 or not rest[0].isupper() or start < 2:
        return False
    if not (rest[1].islower() or (rest[0] in "AI" and rest[1] == " ")):  # "that.A photo"
        return False
    last, before = text[start - 1], text[start - 2]
    if last in ")\"'\u201d\u2019":  # "Veterinary Corps (IAVC).The"
        return True
    if last.isdigit():
        return before.isdigit() or before.isalpha() or before == " "  # "on August 2.According"
    if not (last.isalpha() and before.isalpha()):
        return False
    match = _WORD_BEFORE.search(text, max(0, start - 40), start)
    return match is None or match.group(1).lower() not in ABBREVIATIONS


def _opens(after: str) -> bool:
    """Can a sentence start here? Not with a lower-case letter or a closing mark."""
    first = after.lstrip(_OPENING + _SPACES)[:1]
    return bool(first) and (first.isdigit() or (first.isalpha() and not first.islower()))


def _ordinal(text: str, start: int, after: str, language: str) -> bool:
    """ "am 3. Oktober", "der 2. Weltkrieg": a short number, a full stop, then no function word."""
    if (
        not rules(language).ordinals
        or _NUMBER_BEFORE.search(text, max(0, start - 4), start) is None
    ):
        return False
    next_word = after.split(" ", 1)[0].strip(_OPENING).lower()
    return next_word not in rules(language).stopwords


def _is_boundary(text: str, start: int, end: int, language: str) -> bool:
    """Decide whether the punctuation run text[start:end] ends a sentence."""
    punct = text[start:end]
    rest = text[end:]
    if punct[0] in _FULL_WIDTH:
        # 「議会は行き詰まった。議会が…」: a full stop inside a quotation ends no sentence;
        # 「…。」と述べた: a quotation the sentence goes on from is not its end either
        before = text[:start]
        if before.count("\u300c") > before.count("\u300d") and punct[-1] in _FULL_WIDTH:
            return False
        return punct[-1] in _FULL_WIDTH or not rest[:1] or rest[:1].isspace()
    glued = not rest[:1].isspace()
    after = rest.lstrip()
    if not after:
        return True
    if glued:
        return _glued_boundary(text, start, rest)
    if not _opens(after):
        return False  # lower-case continuation: "e.g. the", "3 p.m. local time"
    if punct[0] != ".":
        return True
    match = _WORD_BEFORE.search(text, max(0, start - 40), start)
    if match is None:
        if _ordinal(text, start, after, language):
            return False
        return not text[start - 1 : start].isdigit() or not after[:1].isdigit()
    word = match.group(1)
    lower = word.lower()
    if "." in word:  # dotted acronym: "U.S.", "e.g.", "a.m."
        next_word = after.split(" ", 1)[0].strip(_OPENING).lower()
        if language != "en":
            return next_word in rules(language).stopwords and lower not in _abbreviations(language)
        return next_word in _SENTENCE_STARTERS
    if lower in _abbreviations(language) and len(word) <= 5:
        return False
    if lower in _BEFORE_DIGIT:
        return not after[:1].isdigit()
    return not (len(word) == 1 and word.isupper())  # an initial: "J. K. Rowling"


# Captions glued to the next sentence without a full stop ("...Ronald Reagan The document
# states..."): a long sentence breaks before a capitalised opener that a lower-case word ends
# on, unless that word is one after which a title may follow ("by The Mail on Sunday").
_GLUED_OPENER = re.compile(
    r"(?<=[a-z0-9%\u2019'\"])\s(?=(?:The|A|An|He|She|They|His|Her|Their|This|These|It|In|But)"
    r"\s[a-z])"
)
_TITLE_MAY_FOLLOW = frozenset(
    """by in of from at on for to with and or said says told called named as than that into
    about like against via read reads titled dubbed see saw starring film movie book show
    the is was are were be vs versus a an his her their its our my your this what when where
    which who how why while if because""".split()  # noqa: SIM905
)
_CAPTION_MIN_WORDS = 20
# Chinese and Japanese put no space inside a sentence: a space between two of their characters
# is where a flattened page glued a caption, a byline or a subheading to the next sentence
# ("イギリスのボリス・ジョンソン首相 ジョンソン首相は…", "トライですぐ逆転 先制点は…").
_CJK_TEXT = "\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uff66-\uff9f"
_CJK_GLUE = re.compile(
    f"(?<=[{_CJK_TEXT}\u300d\u300f\u3011\uff09\uff1e])[{_SPACES}]+"
    f"(?=[{_CJK_TEXT}\u300c\u300e\u3010\uff08\uff1c])"
)


_NAME_PART = re.compile("(?:^|[\\s\u3002\uff01\uff1f\u300d])(?:[\u30a0-\u30ff]+|\\w{1,3})$")


def _unglued(sentence: str) -> list[str]:
    """A Chinese or Japanese sentence split where a space glued two lines: never inside 「」,
    nor after what may be half of a name written with a space ("安倍 晋三", "ドナルド トランプ":
    up to three characters, or katakana alone)."""
    pieces: list[str] = []
    begin = 0
    for match in _CJK_GLUE.finditer(sentence):
        before = sentence[begin : match.start()]
        if sentence.count("\u300c", 0, match.start()) > sentence.count("\u300d", 0, match.start()):
            continue
        if _NAME_PART.search(before):
            continue
        pieces.append(before)
        begin = match.end()
    pieces.append(sentence[begin:])
    return pieces


def _caption_breaks(sentence: str) -> list[str]:
    if sentence.count(" ") < _CAPTION_MIN_WORDS:
        return [sentence]
    out: list[str] = []
    begin = 0
    for match in _GLUED_OPENER.finditer(sentence):
        piece = sentence[begin : match.start()]
        previous = piece.rsplit(" ", 1)[-1].lower().strip("\"'\u2019")
        if previous in _TITLE_MAY_FOLLOW or piece.count(" ") < 5:
            continue
        out.append(piece)
        begin = match.end()
    out.append(sentence[begin:])
    return out


@cache
def _abbreviations(language: str) -> frozenset[str]:
    extra = rules(language).abbreviations
    return ABBREVIATIONS | extra if extra else ABBREVIATIONS


def _split_line(line: str, language: str) -> list[str]:
    sentences: list[str] = []
    begin = 0
    for match in _CANDIDATE.finditer(line):
        if _is_boundary(line, match.start(), match.end(), language):
            piece = line[begin : match.end()].strip()
            if piece:
                sentences.append(piece)
            begin = match.end()
    tail = line[begin:].strip()
    if tail:
        sentences.append(tail)
    if language in ("ja", "zh"):
        return [piece for sentence in sentences for piece in _unglued(sentence)]
    if len(line) < 120 or language != "en":  # too short to hold a glued caption
        return sentences
    return [piece for sentence in sentences for piece in _caption_breaks(sentence)]


def split_sentences(text: str, language: str = "en") -> list[str]:
    """Split text into sentences; every line (paragraph, list item) ends a sentence."""
    out: list[str] = []
    for line in split_paragraphs(text):
        out.extend(_split_line(line, language))
    return out
