"""The headline: the article's title, or, without one, a complete clause from its lead.

A lead sentence is rarely a headline: it runs 25-40 words. Cutting it at a character count
gives "Gary Locke will be confirmed as Kilmarnock's permanent manager on Friday - exactly…",
and cutting it at any phrase boundary gives "The Supreme Court on Thursday refused" or
"Bollywood star Amitabh Bachchan". So a headline is either the whole (compressed) lead
sentence when it has at most `WHOLE_SENTENCE_WORDS` words, or, in English, the lead cut where
a clause or a phrase of circumstances begins (", which", " after", " on Friday", " - ...") and
only when what is kept is a complete clause: it has a predicate (`has_predicate`: an
auxiliary, a past form, "says"...) that is not its last word, and it ends on no word that
needs a continuation ("of", "the", "that"...). Never before "to", "of", "and", "by", "with":
those carry the verb's object. `is_complete` is the same check, used by bench/eval_headlines.py
to count complete headlines. In languages without English's rules only the whole sentence
is a headline; the first short enough sentence of the lead, else the lead itself.
"""

from __future__ import annotations

import re

from digest.summarize.compress import OPENER, compress, inside_list
from digest.summarize.language import count_words
from digest.summarize.shape import MAX_HEADLINE_WORDS

__all__ = [
    "WHOLE_SENTENCE_WORDS",
    "clean_headline",
    "has_predicate",
    "is_complete",
    "lead_headline",
    "split_headline",
    "whole_headline",
]

WHOLE_SENTENCE_WORDS = 20
_SITE_SUFFIX = re.compile(r"\s+[|\u2013\u2014-]\s+[^|\u2013\u2014]{2,40}$")
_MIN_WORDS = 4
# Where a headline may end: clause breaks, then the start of a phrase that only adds
# circumstances ("after...", "on Friday", "in Lucknow").
_CLAUSE = re.compile(
    r"\s*(?:[,;:]|\s[-\u2013\u2014])\s|\s(?=(?:after|as|while|when|amid|following|because|but"
    r"|despite|before|since|until|although|though|which|who|whose|where|over|during|in|on|at"
    r"|near)\s)"
)
_DANGLING = frozenset(
    """a an the of to and or but that which who whose whom as at by for from in into on with
    its his her their our your my this these those is are was were be been has have had will
    would can could should may might must than said says according due only so not it he she
    they we i you up out off down away""".split()  # noqa: SIM905
)
_AUXILIARIES = frozenset(
    """is are was were be been has have had will would can could shall should may might must
    did does do says said gets got won lost took made gave went came saw found told left held
    led paid sold bought brought met ran fell rose spent sent built became began broke chose
    drew drove flew grew hit kept knew let meant put quit read set shot shut spoke stood stole
    struck swore taught thought threw wore wrote fought caught sought cut cost beat bid hurt
    sank sang slid split spread sprang stuck stung swung tore woke wins loses believes thinks
    claims plans wants tells warns expects faces makes takes becomes seems remains needs
    shows reveals admits denies calls urges vows hopes fears feels knows means""".split()  # noqa: SIM905
)
_VERB_ENDING = re.compile(r"^[a-z]{3,}ed$")


_NOT_BEFORE_VERB = frozenset(
    """the a an and or of in for with to by from on at as its his her their this
    that""".split()  # noqa: SIM905
)
_RELATIVE = frozenset(("who", "which", "that", "whom", "whose"))


def _is_verb(word: str, before: str) -> bool:
    if word in _AUXILIARIES or word.endswith("n't"):
        return True
    if before.endswith(","):  # ", pronounced as tequila": a participle, not the predicate
        return False
    return _VERB_ENDING.match(word) is not None and before not in _NOT_BEFORE_VERB


def has_predicate(words: list[str]) -> int:
    """Index of the first word that looks like a finite English verb of the main clause, or 0.

    Not the first word; not inside a relative clause ("A landlord who was convicted"); an
    "-ed" word only where an adjective could not stand ("undocumented immigrants").
    """
    relative = False
    for i, raw in enumerate(words[1:], 1):
        word = raw.strip("\"'\u2019\u201d,.;:").lower()
        before = words[i - 1].lower()
        if word in _RELATIVE:
            relative = True
        elif relative:
            relative = not raw.endswith(",")
        elif _is_verb(word, before):
            return i
    return 0


def is_complete(headline: str, sentence: str | None = None, language: str = "en") -> bool:
    """Is the headline a complete clause: the whole sentence, or a clause with its predicate?"""
    text = headline.rstrip(" .!")
    if not text or not _balanced(text):
        return False
    if sentence is not None and text == compress(sentence, language=language).rstrip(" .!"):
        return True
    if language != "en":
        return False
    words = text.split()
    lower = [word.lower().strip("\"'\u2019\u201d,.;:") for word in words]
    if lower[0] in _RELATIVE or lower[0] in _SUBORDINATORS or "than" in lower[-3:]:
        return False  # "Which read H982 FKL, ...", "While the BBC claimed", "rather than ..."
    if "," in text and len(text.rsplit(",", 1)[1].split()) <= 2:
        return False  # "... his upcoming film, Toilet": an apposition cut short
    verb = has_predicate(words)
    says = [i for i, word in enumerate(lower) if word in _SAYS]
    if says and not has_predicate(words[says[-1] :]):
        return False  # "Congress said in Rajya Sabha", "Kumar has said his upcoming film"
    return (0 < verb < len(words) - 1 and _complete(words)) or (verb > 0 and _ends_clause(words))


_SAYS = frozenset("said says told asked added claimed stated announced".split())  # noqa: SIM905
_SUBORDINATORS = frozenset(
    "while when if although though because as after before since unless whereas".split()  # noqa: SIM905
)


def _ends_clause(words: list[str]) -> bool:
    """A clause may end on its verb when the verb takes no object ("died", "resigned")."""
    return words[-1].lower().strip(".,") in _INTRANSITIVE and len(words) >= _MIN_WORDS


_INTRANSITIVE = frozenset(
    """died resigned collapsed crashed exploded retired arrived won lost rose fell dies resigns
    collapses crashes explodes retires arrives wins loses rises falls""".split()  # noqa: SIM905
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
    """The longest complete clause of `text` that ends at a boundary and fits the word limit."""
    words = text.split()
    if len(words) <= MAX_HEADLINE_WORDS and _complete(words):
        return text
    best: str | None = None
    for match in _CLAUSE.finditer(text):
        prefix = text[: match.start()].rstrip(" ,;:")
        count = len(prefix.split())
        if count > MAX_HEADLINE_WORDS:
            break
        if is_complete(prefix) and _balanced(prefix) and not inside_list(text, match.start()):
            best = prefix
    if best is None and len(words) <= WHOLE_SENTENCE_WORDS and _complete(words):
        return text if _balanced(text) else None  # no shorter clause: the whole sentence
    return best


def _balanced(text: str) -> bool:
    opened = text.count(" '") + text.count(" \u2018") + (text[:1] in "'\u2018")
    closed = len(re.findall("['\u2019](?=[\\s.,;:!?]|$)", text))
    double = text.count('"') % 2 == 0 and text.count("\u201c") == text.count("\u201d")
    return double and opened <= closed


def lead_headline(sentence: str, language: str = "en") -> str | None:
    """A headline made from a lead sentence (see the module docstring), or None."""
    text = whole_headline(sentence, language)
    if language == "zh":
        return _chinese(text)
    if language != "en":
        return text if count_words(text) <= WHOLE_SENTENCE_WORDS else None
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


_ZH_CLAUSE = re.compile("[\uff0c\uff1b\uff1a,;]")  # full-width comma, semicolon, colon
_ZH_MIN_CHARS = 8


def _chinese(text: str) -> str | None:
    """Chinese: the lead's first clause that says something (8 characters or more), as
    Chinese headlines are written ("雅虎发布2014年第四季度财报"), else the whole short sentence."""
    for clause in _ZH_CLAUSE.split(text)[:2]:
        if len(clause) >= _ZH_MIN_CHARS and count_words(clause) <= WHOLE_SENTENCE_WORDS:
            return clause if clause != text else text
    return text if count_words(text) <= WHOLE_SENTENCE_WORDS else None


def whole_headline(sentence: str, language: str = "en") -> str:
    """The lead sentence as a headline, however long (when no sentence gives a shorter one)."""
    text = compress(sentence, parentheses=True, language=language).rstrip()
    return re.sub(r"[.!\u3002\uff01]+([\"'\u201d\u2019\u00bb\u300d]?)$", r"\1", text)


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
