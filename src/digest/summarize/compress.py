# ruff: noqa: RUF002 (text in other scripts is what this module handles)
"""Sentence compression: what a key point can lose and still say the same fact.

Each rule drops one kind of words a reader of a digest does not need: a dateline ("New Delhi,
Jul 30 (PTI)", "(CNN) --"), a photo caption's label ("Sharp dresser: The actress..."), a
closing attribution (", police said."), an opening one ("According to a report in Tech Times
on Sunday, "), a parenthetical aside ("(pictured)", "(AI)"), a leading connective ("However, ",
a bare "But "). A rule only fires when what is left is still a sentence of at least
`_MIN_WORDS` words. Together they raised ROUGE a little on both dev sets
(docs/performance-summarize.md). `shorten` brings a sentence within the point's word limit: it
cuts the tail at the last clause or phrase boundary that keeps the most words.

A cut must leave a sentence that says nothing the original does not: never before "and"/"or"
(the rest of a list or the second object goes: "a boycott by Saudi Arabia, Bahrain." for
"...Bahrain and the UAE"), never where the words up to the next comma hold a coordination (the
cut falls inside a list), never a parenthesis inside a quotation (the quote would change).
When no such cut exists the sentence stays whole. Only the dateline, the parentheses and a
bare leading connective ("Et", "Und", "Но") are removed in languages other than English; their
long sentences are never cut.
"""

from __future__ import annotations

import re

from digest.summarize.language import rules

__all__ = [
    "CONNECTIVES",
    "OPENER",
    "compress",
    "inside_list",
    "is_dateline",
    "shorten",
    "strip_connective",
]

_MIN_WORDS = 6
_AGENCY = r"(?:PTI|IANS|ANI|UNI|Reuters|AP|AFP|CNN|Xinhua|dpa|DPA)"
_PLACE = r"[A-Z][\w.'-]*(?: [A-Z][\w.'-]*){0,3}(?: \([A-Z][\w.]{0,5}\))?"
_MONTH = r"(?:Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Sept|Oct|Nov|Dec)[a-z]*\.?"
_DATELINE = re.compile(
    rf"^(?:By [A-Z][\w.' -]{{2,40}}? )?(?:{_PLACE},? )?(?:{_MONTH} \d{{1,2}} )?\({_AGENCY}\)\s*"
    r"(?:[-\u2013\u2014:]+\s*)?"
    rf"|^[A-Z][A-Z .'-]{{2,30}}(?:, [A-Z][\w .'-]{{2,30}})? (?:\({_AGENCY}\) )?[-\u2013\u2014]+\s+"
    rf"|^{_PLACE}, {_MONTH} \d{{1,2}}(?:, \d{{4}})?:?\s+(?=[A-Z])"
)
# Any language: "Москва, 1 дек —", "PARIS, 3. Oktober (dpa) -", "Madrid, 12 de marzo:".
_DATE = (
    r"(?:\d{1,2}\.?\s(?:de\s)?[^\W\d_]{3,10}\.?(?:\s(?:de\s)?\d{4})?"
    r"|[^\W\d_]{3,10}\.?\s\d{1,2}(?:,\s\d{4})?)"
)
_ANY_DATELINE = re.compile(
    rf"^(?P<place>[^\W\d_][\w.'\u2019-]*(?:\s[^\W\d_][\w.'\u2019-]*){{0,2}}),\s{_DATE}"
    r"\s*(?:\([^()]{1,30}\)\s*)?(?:[-\u2013\u2014:]+\s*|$)"
)
# A leading clause the main one can do without ("Days after Musk warned about AI, ...").
OPENER = re.compile(
    r"^(?:(?:just |only |hours |days |weeks |months |years |moments )?(?:after|before)|as|while"
    r"|when|despite|following|amid|although|though|if|once|since|with|in|on|at|during|for"
    r"|according to|speaking|addressing|asked|dated"
    # a gerund with a verb of its own is the subject: "Feeding stray dogs can cause nuisance,"
    r"|[a-z]+ing\b(?![^,]*\b(?:can|could|will|would|is|are|was|were|has|have|had|may|might"
    r"|must|should)\b))\b[^,\"\u201c]{3,200},\s+",
    re.IGNORECASE,
)
CONNECTIVES = re.compile(
    r"^(?:yet|but|and|so|however|meanwhile|instead|still|also|now|moreover|indeed|further"
    r"|furthermore|besides|in addition|additionally|earlier|separately|notably)\s*,\s+",
    re.IGNORECASE,
)
# "But the club will miss..." says its fact without the "But" (no comma, so not CONNECTIVES).
_BARE_CONNECTIVE = re.compile(r"^(?:and|but|yet)\s+(?=\S)", re.IGNORECASE)
_SAYER = (
    r"(?:(?:the |an? |media |local |news |police |state )?(?:[\w.'\u2019-]+ ){0,4}"
    r"(?:said|says|added|adds|noted|stated|reported|reports|claimed|confirmed|explained"
    r"|told [^,.;\"\u201c\u201d]{1,60}))"
    r"(?: on (?:Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday|\w+day))?"
    r"(?: in a (?:statement|tweet|post|release|report))?"
)
_TRAILING = re.compile(rf",\s+{_SAYER}\s*(?P<end>[.!])(?P<close>[\"'\u201d\u2019]?)$")
_LEADING = re.compile(
    r"^(?:According to|As per) [^,\"\u201c]{2,80}?, (?=[a-z]|the |The |[A-Z][a-z]+ [a-z])"
)
# A photo caption's label ("Sharp dresser: The actress dons...", "CLAIM: MP Jesse Norman..."):
# a few words and a colon before a capitalised sentence, no speaker ("Police said: The...").
_CAPTION_LABEL = re.compile(r"^[A-Z][\w'\u2019-]*(?: [\w'\u2019-]+){0,4}: (?=[A-Z])")
_SPEAKS = re.compile(
    r"\b(?:said|says|told|tells|added|adds|wrote|writes|tweeted|explained|stated|reads?|insisted)\b"
)
_PAREN = re.compile(r"\s+\([^()]{1,60}\)(?=[\s,.;:!?]|$)")
_OPEN_QUOTES = "\u201c\u00ab\u201e\u300c\u300e"
_CLOSE_QUOTES = "\u201d\u00bb\u300d\u300f"


def _in_quote(text: str, at: int) -> bool:
    """Is position `at` inside a quotation (more marks opened than closed before it)?"""
    before = text[:at]
    if before.count('"') % 2:
        return True
    opened = sum(before.count(mark) for mark in _OPEN_QUOTES)
    if "\u201e" in before:  # German „...“ closes with the mark English opens with
        opened -= before.count("\u201c")
    return opened > sum(before.count(mark) for mark in _CLOSE_QUOTES)


def drop_parentheses(text: str) -> str:
    """The text without its short parenthetical asides, except those inside a quotation."""
    return _PAREN.sub(lambda m: m.group(0) if _in_quote(text, m.start()) else "", text)


def is_dateline(text: str) -> bool:
    """Is the sentence only a dateline ("Москва, 1 дек — РИА Новости.")?"""
    match = _ANY_DATELINE.match(text)
    return (
        match is not None
        and match.group("place")[:1].isupper()
        and len(text[match.end() :].split()) <= 3
    )


def _strip_dateline(text: str) -> str:
    match = _ANY_DATELINE.match(text)
    if match is None or not match.group("place")[:1].isupper():
        return text
    rest = text[match.end() :]
    return rest if rest[:1].isupper() or rest[:1] in '"\u201c\u00ab\u201e' else text


# Where a long sentence may end early and still say its main fact: before a clause that only
# adds (", which...", ", leaving...", " - exactly eight weeks after..."), strongest first.
_CUT = re.compile(
    r",\s(?=(?:which|who|whose|where|while|as|after|before|when|with|without|leaving|adding"
    r"|saying|following|amid|despite|because|although|though|but|including|according"
    r"|prompting|making|taking|giving|sparking|bringing|forcing|even|just|only|in|on|at|for"
    r"|from|by|during|until|since|if|so|thus|than|[a-z]+ing)\b)"
    r"|\s[-\u2013\u2014]+\s|;\s"
    r"|\s(?=(?:after|as|while|because|following|amid|despite|before|since|until|when|where"
    r"|although|though|leaving|prompting|saying|claiming|amid)\s)"
)
# Weaker: before a phrase of circumstances ("... Kamal Haasan for allegedly hurting ...").
_WEAK_CUT = re.compile(
    r"\s(?=(?:for|due to|over|against|amid|in|on|at|with|during|near|across|under|through"
    r"|about|into|within|outside|inside|via|towards?|from|by|including|like)\s)"
)
_ANY_CUT = re.compile(f"{_CUT.pattern}|{_WEAK_CUT.pattern}")
_QUOTE_MARKS = re.compile('["\u201c\u201d]')
# After a comma, a phrase like the one before it whose words up to the next comma go on with a
# coordination ("in Delhi, in Mumbai and in Pune"; "cooking, cleaning or washing"): the cut
# would fall inside a list.
_COORDINATED = re.compile(
    r",\s(?:(?:in|on|at|for|from|by|to|with|during|until|since)\s|[a-z]+ing\b)"
    r"[^,;:.!?]*\b(?:and|or|nor|as well as)\b"
)
_MIN_CUT_WORDS = 10
_MAIN_CLAUSE_WORDS = 8  # of the main clause a cut that keeps a leading clause must keep


def _last_cut(text: str, limit: int) -> str | None:
    best = None
    for match in _ANY_CUT.finditer(text):
        prefix = text[: match.start()].rstrip(" ,;:")
        count = _words(prefix)
        if count > limit:
            break
        last = prefix.rsplit(" ", 1)[-1].lower()
        balanced = len(_QUOTE_MARKS.findall(prefix)) % 2 == 0
        in_list = inside_list(text, match.start())
        weak = _CUT.match(text, match.start()) is None
        if weak and _takes_object(prefix):
            continue  # "have been looking | for new partners": the phrase is the verb's object
        if count >= _MIN_CUT_WORDS and balanced and last not in _DANGLING and not in_list:
            best = prefix
    return best


_VERB_FORM = re.compile(r"(?:ed|ing)$")
_BE = frozenset("is are was were be been being".split())  # noqa: SIM905


def _takes_object(prefix: str) -> bool:
    """Does the prefix end on a verb whose phrase the cut would take ("to declare", "looking"),
    or inside a clause that "and" began?"""
    words = prefix.lower().split()
    last = words[-1].strip("\"'\u2019\u201d")
    clause = prefix.rsplit(",", 1)[-1].split()  # ", and officials | in Doha have been..."
    if len(clause) < len(words) and clause[0].lower() in ("and", "or", "but", "nor"):
        return True
    if len(words) > 1 and words[-2] == "to":
        return True
    if last.endswith("ed") and len(words) > 1 and words[-2] in _BE:
        return False  # a passive ("was arrested | in Delhi") takes no object
    return _VERB_FORM.search(last) is not None


_DANGLING = frozenset(
    """a an the of to and or but that which who as at by for from in into on with its his her
    their our this these those is are was were be been has have had will would can could
    should may might must than said says not due because such instead""".split()  # noqa: SIM905
)


def inside_list(text: str, at: int) -> bool:
    """Would a cut at `at` fall inside a list or a coordination?

    Before "and"/"or" it would ("Saudi Arabia, Bahrain." for "...Bahrain and the UAE"), and at
    a comma followed by a phrase like the one before it that goes on with "and"/"or"
    ("in Delhi, in Mumbai and in Pune"; "dancing, singing and beating drums").
    """
    following = text[at:].lstrip(" ,").split(" ", 1)[0].lower()
    if following in ("and", "or", "nor"):
        return True
    if _COORDINATED.match(text, at) is None:
        return False
    if following.endswith("ing"):
        return text[:at].rstrip(" ,").rsplit(" ", 1)[-1].endswith("ing")
    return True


def shorten(text: str, limit: int, language: str = "en") -> str | None:
    """A sentence over `limit` words cut before the last clause or phrase that keeps it within.

    Parentheticals go first. A leading clause ("After a controversy over ..., the authorities
    placed ...") goes when the main clause then fits, or when keeping it would leave fewer
    than `_MAIN_CLAUSE_WORDS` words of the main clause; otherwise the longer of the two cuts
    wins (more of the fact kept). None when no cut leaves a sentence of at least
    `_MIN_CUT_WORDS` words with its quotes balanced.
    """
    if _words(text) <= limit:
        return text
    if "(" in text:
        text = drop_parentheses(text)
        if _words(text) <= limit:
            return text
    if language != "en":
        return None  # no clause rules for it: the sentence stays whole
    options = [(text, 0)]  # (text to cut, words the cut must keep)
    opener = OPENER.match(text)
    if opener is not None and _words(text[opener.end() :]) >= _MIN_CUT_WORDS:
        main = _capital(text[opener.end() :])
        if _words(main) <= limit:
            return main
        options = [(main, 0), (text, _words(text[: opener.end()]) + _MAIN_CLAUSE_WORDS)]
    cuts = [
        cut
        for option, least in options
        if (cut := _last_cut(option, limit)) is not None and _words(cut) >= least
    ]
    if not cuts:
        return None
    best = max(cuts, key=_words)
    closing = "" if best[-1:] in ".!" else "."
    return best + closing


def strip_connective(text: str) -> str:
    """ "However, the bank..." -> "the bank..." (the caller capitalises)."""
    return CONNECTIVES.sub("", text)


def _words(text: str) -> int:
    return text.count(" ") + 1


def _capital(text: str) -> str:
    return text[:1].upper() + text[1:]


def _quoted(text: str) -> bool:
    return text[:1] in "\"'\u201c\u2018"


def compress(text: str, *, parentheses: bool = True, language: str = "en") -> str:
    """The sentence without dateline, attribution, asides and leading connective."""
    if language != "en":
        return _compress_other(text, parentheses=parentheses, language=language)
    out = _strip_dateline(_DATELINE.sub("", text, count=1) or text)
    if _words(out) < _MIN_WORDS:
        out = text
    label = _CAPTION_LABEL.match(out)
    if label and not _SPEAKS.search(label.group(0)) and _words(out[label.end() :]) >= _MIN_WORDS:
        out = out[label.end() :]
    trailing = _TRAILING.search(out)
    if trailing is not None and not _quoted(out):
        shorter = out[: trailing.start()].rstrip(",;: ") + trailing.group("end")
        if _words(shorter) >= _MIN_WORDS:
            out = shorter
    leading = _LEADING.match(out)
    if leading is not None and _words(out[leading.end() :]) >= _MIN_WORDS:
        out = out[leading.end() :]
    if parentheses and "(" in out:
        shorter = drop_parentheses(out)
        if _words(shorter) >= _MIN_WORDS:
            out = shorter
    stripped = _BARE_CONNECTIVE.sub("", strip_connective(out), count=1)
    if _words(stripped) >= _MIN_WORDS:
        out = stripped
    return _capital(out)


def _compress_other(text: str, *, parentheses: bool, language: str) -> str:
    """Dateline, asides and a bare leading connective, in a language without English's rules."""
    out = _strip_dateline(text)
    if parentheses and "(" in out:
        out = drop_parentheses(out)
    first, _, rest = out.partition(" ")
    connective = first.lower().rstrip(",") in rules(language).connectives
    if connective and _words(rest) >= _MIN_WORDS and not rest[:1].islower():
        out = rest
    elif connective and _words(rest) >= _MIN_WORDS and rest[:1].isalpha():
        out = _capital(rest)
    return out if _words(out) >= _MIN_WORDS // 2 else text
