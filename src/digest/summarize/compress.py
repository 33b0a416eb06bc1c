"""Sentence compression: what a key point can lose and still say the same fact.

Each rule drops one kind of words a reader of a digest does not need: a dateline ("New Delhi,
Jul 30 (PTI)", "(CNN) --"), a closing attribution (", police said."), an opening one
("According to a report in Tech Times on Sunday, "), a parenthetical aside ("(pictured)",
"(AI)"), a leading connective ("However, "). A rule only fires when what is left is still a
sentence of at least `_MIN_WORDS` words. Together they raised ROUGE a little on both dev sets
(docs/performance-summarize.md). `shorten` brings a sentence within the point's word limit.
"""

from __future__ import annotations

import re

__all__ = ["CONNECTIVES", "OPENER", "compress", "shorten", "strip_connective"]

_MIN_WORDS = 6
_AGENCY = r"(?:PTI|IANS|ANI|UNI|Reuters|AP|AFP|CNN|Xinhua|dpa|DPA)"
_PLACE = r"[A-Z][\w.'-]*(?: [A-Z][\w.'-]*){0,3}(?: \([A-Z][\w.]{0,5}\))?"
_MONTH = r"(?:Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Sept|Oct|Nov|Dec)[a-z]*\.?"
_DATELINE = re.compile(
    rf"^(?:By [A-Z][\w.' -]{{2,40}}? )?(?:{_PLACE}, )?(?:{_MONTH} \d{{1,2}} )?\({_AGENCY}\)\s*"
    r"(?:[-\u2013\u2014:]+\s*)?"
    rf"|^[A-Z][A-Z .'-]{{2,30}}(?:, [A-Z][\w .'-]{{2,30}})? (?:\({_AGENCY}\) )?[-\u2013\u2014]+\s+"
    rf"|^{_PLACE}, {_MONTH} \d{{1,2}}(?:, \d{{4}})?:?\s+(?=[A-Z])"
)
# A leading clause the main one can do without ("Days after Musk warned about AI, ...").
OPENER = re.compile(
    r"^(?:(?:just |only |hours |days |weeks |months |years |moments )?(?:after|before)|as|while"
    r"|when|despite|following|amid|although|though|if|once|since|with|in|on|at|during|for"
    r"|according to|speaking|addressing|asked|dated|[a-z]+ing)\b[^,\"\u201c]{3,200},\s+",
    re.IGNORECASE,
)
CONNECTIVES = re.compile(
    r"^(?:yet|but|and|so|however|meanwhile|instead|still|also|now|moreover|indeed|further"
    r"|furthermore|besides|in addition|additionally|earlier|separately|notably)\s*,\s+",
    re.IGNORECASE,
)
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
_PAREN = re.compile(r"\s+\([^()]{1,60}\)(?=[\s,.;:!?]|$)")


# Where a long sentence may end early and still say its main fact: before a clause that only
# adds (", which...", ", leaving...", " - exactly eight weeks after..."), strongest first.
_CUT = re.compile(
    r",\s(?=(?:which|who|whose|where|while|as|after|before|when|with|without|leaving|adding"
    r"|saying|following|amid|despite|because|although|though|and|but|including|according"
    r"|prompting|making|taking|giving|sparking|bringing|forcing|even|just|only|in|on|at|for"
    r"|from|by|during|until|since|if|so|thus|than|[a-z]+ing)\b)"
    r"|\s[-\u2013\u2014]+\s|;\s"
    r"|\s(?=(?:after|as|while|because|following|amid|despite|before|since|until|when|where"
    r"|although|though|leaving|prompting|saying|claiming|amid)\s)"
)
# Weaker: before a phrase of circumstances ("... Kamal Haasan for allegedly hurting ...").
_WEAK_CUT = re.compile(
    r"\s(?=(?:for|due to|over|against|amid|in|on|at|with|during|near|across|under|through"
    r"|about|into|within|outside|inside|via|towards?)\s)"
)
_ANY_CUT = re.compile(f"{_CUT.pattern}|{_WEAK_CUT.pattern}")
_QUOTE_MARKS = re.compile('["\u201c\u201d]')
_MIN_CUT_WORDS = 10


def _last_cut(text: str, limit: int) -> str | None:
    best = None
    for match in _ANY_CUT.finditer(text):
        prefix = text[: match.start()].rstrip(" ,;:")
        count = _words(prefix)
        if count > limit:
            break
        last = prefix.rsplit(" ", 1)[-1].lower()
        balanced = len(_QUOTE_MARKS.findall(prefix)) % 2 == 0
        if count >= _MIN_CUT_WORDS and balanced and last not in _DANGLING:
            best = prefix
    return best


_DANGLING = frozenset(
    """a an the of to and or but that which who as at by for from in into on with its his her
    their our this these those is are was were be been has have had will would can could
    should may might must than said says not""".split()  # noqa: SIM905
)


def shorten(text: str, limit: int) -> str | None:
    """A sentence over `limit` words cut before the last clause that keeps it within the limit.

    None when no such cut leaves a sentence of at least `_MIN_CUT_WORDS` words with its quotes
    balanced.
    """
    if _words(text) <= limit:
        return text
    if "(" in text:
        text = _PAREN.sub("", text)
        if _words(text) <= limit:
            return text
    opener = OPENER.match(text)
    if opener is not None and _words(text[opener.end() :]) >= _MIN_CUT_WORDS:
        text = _capital(text[opener.end() :])  # a cut must keep the main clause: drop this
        if _words(text) <= limit:
            return text
    best = _last_cut(text, limit)
    if best is None:
        return None
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


def compress(text: str, *, parentheses: bool = True) -> str:
    """The sentence without dateline, attribution, asides and leading connective."""
    out = _DATELINE.sub("", text, count=1) or text
    if _words(out) < _MIN_WORDS:
        out = text
    trailing = _TRAILING.search(out)
    if trailing is not None and not _quoted(out):
        shorter = out[: trailing.start()].rstrip(",;: ") + trailing.group("end")
        if _words(shorter) >= _MIN_WORDS:
            out = shorter
    leading = _LEADING.match(out)
    if leading is not None and _words(out[leading.end() :]) >= _MIN_WORDS:
        out = out[leading.end() :]
    if parentheses and "(" in out:
        shorter = _PAREN.sub("", out)
        if _words(shorter) >= _MIN_WORDS:
            out = shorter
    stripped = strip_connective(out)
    if _words(stripped) >= _MIN_WORDS:
        out = stripped
    return _capital(out)
