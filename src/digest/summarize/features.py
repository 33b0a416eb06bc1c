# ruff: noqa: RUF003 (text in other scripts is what this module handles)
"""Candidate key points of an article body and the features the summarizer scores them by.

A candidate is a sentence, or a list the article sets out together with its lead-in
("Putin laid out his terms: ending Western military aid; halting mobilization."). Headings
(short lines without a full stop, question lines) are never candidates; they start a new block,
so a sectioned article's parts stay known. Each candidate is tokenised once here; the features
and the redundancy check downstream reuse those tokens.

The features are ones that travel across outlets: position, length, overlap with the title (or
the lead), centrality in the article, quotes, and how many names and numbers a sentence holds
(`entities`, `numbers`: the facts a summary keeps; the two raised held-out ROUGE on both dev
sets, docs/performance-summarize.md).
"""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass

from digest.summarize.compress import CONNECTIVES, strip_connective
from digest.summarize.language import CJK, count_words, is_cjk, rules
from digest.summarize.sentences import split_sentences

__all__ = [
    "FEATURES",
    "STOPWORDS",
    "TERMINAL",
    "Candidate",
    "FeatureRows",
    "build_candidates",
    "candidate_features",
    "frames_a_question",
    "leans_back",
    "stopwords",
    "tokens",
]

# A full stop in any script, then closing quotes or brackets (” ’ “ » 」 』 ）).
TERMINAL = re.compile(
    "[.!?\u2026\u3002\uff01\uff1f\u061f\u0964]"
    "[\"'\u201d\u2019\u201c)\\]\u00bb\u300d\u300f\uff09]*(?:[ \u00a0\u202f]\u00bb)?$"
)
_BULLET = re.compile(r"^(?:[\u2022\u25cf\u25aa\u2023\u2013\u2014*\-]|\d{1,2}[.)])\s+")
_TOKEN = re.compile(r"[^\W_]+")  # letters and digits of any script
_CJK_SPLIT = re.compile(f"{CJK.pattern}+|[^{CJK.pattern[1:-1]}]+")
_DIGIT = re.compile(r"\d")
_DIGIT_RUN = re.compile(r"\d+(?:[.,]\d+)*")  # a number, "1,194" or "3.5" once
_QUOTE_CHARS = re.compile("[\"'\u201c\u201d\u2018\u2019]")
_QUOTES = "\"'\u201c\u201d\u2018\u2019"
# Word lists as one string each: a list literal would take a line per word once formatted.
ANAPHORA = frozenset(
    "he she it they his her its their this these those such that there them".split()  # noqa: SIM905
)
STOPWORDS = frozenset(
    """a an the and or but if of to in on at by for with from as is are was were be been being
    it its this that these those he she they his her their them we our you your i my me not no
    has have had do does did will would can could should may might must said says say also than
    then there here which who whom whose what when where why how all any some more most other
    into over after before about up out so such only just very s t""".split()  # noqa: SIM905
)


@dataclass(frozen=True, slots=True)
class Candidate:
    """A possible key point; `block` counts the headings above it, `words` its tokens."""

    text: str
    index: int
    block: int
    paragraph: int
    words: tuple[str, ...]
    is_list: bool = False
    language: str = "en"


def tokens(text: str) -> list[str]:
    """Lower-case words of any script (what every overlap measure here compares).

    Chinese and Japanese write no spaces: each run of their characters gives its overlapping
    character bigrams (a lone character stays itself), as the ROUGE scorer for them counts.
    """
    low = text.lower()
    found: list[str] = _TOKEN.findall(low)
    if low.isascii() or CJK.search(low) is None:
        return found
    out: list[str] = []
    for word in found:
        if CJK.search(word) is None:
            out.append(word)
            continue
        for part in _CJK_SPLIT.findall(word):
            if CJK.match(part) and len(part) > 1:
                out.extend(part[i : i + 2] for i in range(len(part) - 1))
            else:
                out.append(part)
    return out


def leans_back(text: str, words: Sequence[str], language: str = "en") -> bool:
    """Does the sentence open with a pronoun or a connective that needs the one before?"""
    if language == "en":
        return bool(CONNECTIVES.match(text)) or (bool(words) and words[0] in ANAPHORA)
    lang = rules(language)
    if not words:
        return False
    low = text[:20].lower()
    return (
        words[0] in lang.anaphora
        or words[0] in lang.connectives
        or any(low.startswith(phrase) for phrase in lang.leaning)
    )


def stopwords(language: str) -> frozenset[str]:
    """The function words of a language (English's own list, else the language's)."""
    return STOPWORDS if language == "en" else rules(language).stopwords


_FRAMING = re.compile(
    r"\bquestions? (?:now |here |still )?(?:is|are|remains?) (?:whether|how|if|what|why|who)\b",
    re.IGNORECASE,
)


def frames_a_question(text: str) -> bool:
    """ "The key question now is whether...": a question in disguise, not a fact."""
    return _FRAMING.search(text) is not None


def is_heading(line: str) -> bool:
    """A short line without a full stop, or a line that is only a question."""
    words = count_words(line)
    if line.endswith("?") and words <= 12:
        return True
    return words <= 12 and not line.endswith(":") and not TERMINAL.search(line)


def _join_list(out: list[Candidate], items: list[str]) -> None:
    """Fold list items into the "...:" sentence before them (and the one it points back to)."""
    last = out[-1] if out else None
    if last is None or not last.text.endswith(":"):
        return
    low = [item[:1].lower() + item[1:] for item in items]
    listed = low[-1]
    if len(low) > 1:
        listed = ", ".join(low[:-1]) + ("," if len(low) > 2 else "") + " and " + low[-1]
    lead = last.text[:-1]
    before = out[-2] if len(out) > 1 else None
    language = last.language
    pointer = len(last.words) <= 3 and leans_back(lead, last.words, language)
    if before is not None and before.paragraph == last.paragraph and pointer:
        out.pop()  # "These include:" only points at the sentence before it
        lead = before.text.rstrip(".")
        last = before
    elif (
        before is not None
        and before.paragraph == last.paragraph
        and leans_back(lead, last.words, language)
    ):
        out.pop()  # "It set two conditions:" needs the sentence before it: one sentence of both
        lead = f"{before.text.rstrip('.!')}; {lead[:1].lower()}{lead[1:]}"
        last = before
    lead = lead[:-1] if lead.endswith(":") else lead
    text = f"{strip_connective(lead)}: {listed}."
    text = text[:1].upper() + text[1:]
    words = tuple(tokens(text))
    out[-1] = Candidate(text, last.index, last.block, last.paragraph, words, True, language)


def build_candidates(body: str, language: str = "en", *, headings: bool = True) -> list[Candidate]:
    """Candidates of a cleaned body, headings dropped, lists joined to their lead-in.

    With `headings` false, heading-like lines are candidates too (a text of nothing else).
    """
    out: list[Candidate] = []
    block = 0
    paragraph = 0
    pending: list[str] = []
    for raw in body.splitlines():
        line = raw.strip()
        if not line:
            continue
        if _BULLET.match(line):
            item = _BULLET.sub("", line)
            if count_words(item) <= _LIST_ITEM_WORDS:
                pending.append(item.rstrip(".;,"))
                continue
            line = item  # a paragraph behind a bullet ("• Ouverture de la PMA L'Assemblée a...")
        if pending:
            _join_list(out, pending)
            pending = []
        paragraph += 1
        if headings and is_heading(line):
            block += 1 if out else 0
            continue
        sentences = split_sentences(line, language)
        for n, sentence in enumerate(sentences):
            if headings and n < len(sentences) - 1 and _glued_on(sentence, language):
                continue
            words = tuple(tokens(sentence))
            out.append(Candidate(sentence, len(out), block, paragraph, words, False, language))
    if pending:
        _join_list(out, pending)
    return out


_LIST_ITEM_WORDS = 40


def _glued_on(sentence: str, language: str) -> bool:
    """In Chinese or Japanese, a sentence with no full stop that its line goes on after was
    glued on with a space by a flattened page (the splitter breaks there:
    `sentences._CJK_GLUE`): a byline, a subheading or a caption. It is no candidate unless, in
    Japanese, it ends on a predicate (a verb, an adjective or the copula end in one of
    `_JA_PREDICATE_ENDS`): "…と名付けた" states a fact, "イギリスのボリス・ジョンソン首相",
    "写真は2014年9月、下院情報委員会で" and "…に掲載したもの" do not."""
    if not is_cjk(language) or TERMINAL.search(sentence):
        return False
    return not (language == "ja" and sentence.rstrip()[-1:] in _JA_PREDICATE_ENDS)


# The kana a Japanese predicate ends on: verbs (う く ぐ す つ ぬ ぶ む る, past た だ),
# adjectives and negatives (い), the copula (だ, である, です).
_JA_PREDICATE_ENDS = frozenset(
    "\u3046\u304f\u3050\u3059\u3064\u306c\u3076\u3080\u308b\u305f\u3060\u3044"
)


FEATURES: tuple[str, ...] = (
    "bias",
    "first",
    "second",
    "third",
    "fourth",
    "inv_position",
    "relative_position",
    "paragraph_first",
    "block_first",
    "log_length",
    "short",
    "long",
    "very_long",
    "topic_overlap",
    "topic_coverage",
    "centrality",
    "quote",
    "number",
    "no_terminal",
    "anaphora",
    "capitals",
    "entities",
    "numbers",
)


class FeatureRows:
    """Document-wide statistics once, then a candidate's feature vector only when asked.

    The pick walks the article from the top and usually stops after a few sentences, so most
    rows of a long article are never computed.
    """

    def __init__(self, candidates: Sequence[Candidate], title: str | None) -> None:
        self.candidates = candidates
        self.title = title
        self.language = candidates[0].language if candidates else "en"
        stop = stopwords(self.language)
        self.content = [frozenset(c.words) - stop for c in candidates]
        doc_df: Counter[str] = Counter()
        for bag in self.content:
            doc_df.update(bag)
        log_df = {w: math.log(n) for w, n in doc_df.items()}
        if title:
            self.topic = frozenset(tokens(title)) - stop
        else:
            self.topic = self.content[0] if self.content else frozenset()
        self.centrality = [
            sum(map(log_df.__getitem__, bag)) / (len(bag) + 3) for bag in self.content
        ]
        self.top = max(self.centrality, default=0.0) or 1.0
        self.anaphora = ANAPHORA if self.language == "en" else rules(self.language).anaphora

    def __len__(self) -> int:
        return len(self.candidates)

    def row(self, i: int) -> list[float]:
        """The feature vector of candidate i, in the order of FEATURES."""
        cand = self.candidates[i]
        previous = self.candidates[i - 1] if i > 0 else None
        text = cand.text
        length = len(cand.words)
        bag = self.content[i]
        shared = len(bag & self.topic) if self.title or i > 0 else 0
        overlap = shared / (len(bag) or 1)
        spaced = text.split()
        entities = sum(1 for w in spaced[1:] if w[:1].isupper())  # names, places, bodies
        capitals = entities / max(len(spaced) - 1, 1)
        quoted = text[:1] in _QUOTES or len(_QUOTE_CHARS.findall(text)) >= 2
        return [
            1.0,
            float(i == 0),
            float(i == 1),
            float(i == 2),
            float(i == 3),
            1.0 / (1.0 + i),
            i / len(self.candidates),
            float(previous is None or previous.paragraph != cand.paragraph),
            float(previous is not None and previous.block != cand.block),
            math.log1p(length) / _LOG50,
            float(length < 10),
            float(length > 35),
            float(length > 50),
            overlap,
            shared / (len(self.topic) or 1),
            self.centrality[i] / self.top,
            float(quoted),
            float(_DIGIT.search(text) is not None),
            float(not TERMINAL.search(text)),
            float(bool(cand.words) and cand.words[0] in self.anaphora),
            capitals,
            math.log1p(entities) / _LOG50,
            math.log1p(len(_DIGIT_RUN.findall(text))) / _LOG50,
        ]


_LOG50 = math.log(50.0)


def candidate_features(candidates: Sequence[Candidate], title: str | None) -> list[list[float]]:
    """One feature vector per candidate, in the order of FEATURES."""
    table = FeatureRows(candidates, title)
    return [table.row(i) for i in range(len(candidates))]
