"""What an article is about, as a sparse TF-IDF vector over the day's articles.

Terms are Unicode words cut to a short prefix (a language-blind stand-in for a stemmer:
"recalls", "recalled" and "recall" meet), and character bigrams where words fail (runs of
Chinese, Japanese or Thai script, which carry no spaces); a number is a term whatever its
length ("iOS 7"). Names count more: a term is a name when, in the day's sentence-case text, it
is written with a capital in most of its non-initial uses ("Ukraine", "Geneva", "Trump").
Numbers are not weighted up: "kill 11" joined unrelated stories, and cross-validated F1 was
0.009 lower with them counted as names. Title Case headlines
("Stocks Fall On Weak Data") capitalise everything and so say nothing about names: they are
left out of that count. The headline counts more than the opening of the text; a source's
credit before the text ("[Capital FM] Nairobi --", as aggregators write it) is not read: it is
the outlet, not the story, and joined every pair of that outlet's articles.

Numbers and sparse matrices through numpy/scipy: the day's articles become one CSR matrix whose
rows are L2-normalised, so a sparse product gives every cosine at once.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import NamedTuple

import numpy as np
from scipy import sparse

from digest.compose.cluster import FeatureSettings
from digest.models import Article

__all__ = ["FeatureSettings", "Features", "tfidf", "tfidf_matrix"]

# A word, or a mark after which the next word starts a sentence (its capital says nothing).
_WORD_OR_BREAK = re.compile(r"([.!?:\u3002\u201c\"'|\u2014-])|([^\W_]+)")
# Scripts written without spaces between words: Han, kana, Thai, Lao, Khmer, Myanmar.
_NO_SPACE = re.compile(
    r"[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\u0e00-\u0eff\u1000-\u109f\u1780-\u17ff]+"
)


# A source's credit in brackets before the text: "[Ghanaian Times] The Embassy of ...".
_CREDIT = re.compile(r"^\s*\[[^\]\n]{1,80}\]")

_UPPER, _LOWER, _NUMBER, _SCRIPT = 0, 1, 2, 3
Token = tuple[str, int, bool]  # term, shape (one of the four above), first word of a sentence


def _classify(word: str, settings: FeatureSettings) -> list[tuple[str, int]]:
    """The terms of one word: itself cut to its prefix, a number, or script bigrams."""
    found: list[tuple[str, int]] = []
    if not word.isascii():
        for run in _NO_SPACE.findall(word):
            pairs = [run[i : i + 2] for i in range(len(run) - 1)] or [run]
            found.extend((pair, _SCRIPT) for pair in pairs)
        if found:
            word = _NO_SPACE.sub(" ", word).strip()
            if not word or " " in word:
                return found
    if not word.isalpha() and any(c.isdigit() for c in word):
        found.append((word.lower(), _NUMBER))  # "iOS 7": even one digit
    elif len(word) >= settings.min_letters:
        lowered = word.lower()
        term = lowered[: settings.prefix] if settings.prefix else lowered
        found.append((term, _UPPER if word[0].isupper() else _LOWER))
    return found


class _Tokenizer:
    """Words to terms, each distinct word worked out once per day (news repeats its words)."""

    def __init__(self, settings: FeatureSettings) -> None:
        self.settings = settings
        self.known: dict[str, list[tuple[str, int]]] = {}

    def __call__(self, text: str) -> list[Token]:
        out: list[Token] = []
        initial = True
        known = self.known
        for mark, word in _WORD_OR_BREAK.findall(text):
            if mark:
                initial = True
                continue
            terms = known.get(word)
            if terms is None:
                terms = known[word] = _classify(word, self.settings)
            out.extend((term, shape, initial) for term, shape in terms)
            initial = False
        return out


def _title_case(tokens: Sequence[Token]) -> bool:
    """A headline whose words are nearly all capitalised ("Stocks Fall On Weak Data")."""
    shapes = [shape for _, shape, _ in tokens if shape in (_UPPER, _LOWER)]
    return len(shapes) >= 3 and shapes.count(_UPPER) >= 0.7 * len(shapes)


class Features(NamedTuple):
    """The day's vectors, which articles have a text beside their headline, and the names
    their headlines write."""

    matrix: sparse.csr_matrix  # one L2-normalised row per article
    texts: np.ndarray  # bool per row: an opening of at least `min_text_words` words
    heads: sparse.csr_matrix  # 1 where the headline writes a name with its capital


def tfidf_matrix(articles: Sequence[Article], settings: FeatureSettings) -> sparse.csr_matrix:
    """One L2-normalised row per article: sublinear term counts x smoothed IDF x name weight."""
    return tfidf(articles, settings).matrix


def tfidf(articles: Sequence[Article], settings: FeatureSettings) -> Features:
    """The TF-IDF matrix, the rows whose article has a text, and the headlines' names."""
    tokenize = _Tokenizer(settings)
    vocabulary: dict[str, int] = {}
    rows: list[int] = []
    columns: list[int] = []
    shapes: list[int] = []
    weights: list[float] = []
    counted: list[bool] = []  # a use that may tell a name: sentence case, not sentence-initial
    texts = np.zeros(len(articles), dtype=bool)
    in_title: list[bool] = []
    for n, article in enumerate(articles):
        title = tokenize(article.title)
        opening = _CREDIT.sub("", article.text, count=1).split()[: settings.body_words]
        texts[n] = len(opening) >= settings.min_text_words
        body = tokenize(" ".join(opening))
        title_case = _title_case(title)
        for part, weight, plain in ((title, 1.0, not title_case), (body, settings.body_weight, True)):  # fmt: skip  # noqa: E501
            for term, shape, initial in part:
                rows.append(n)
                columns.append(vocabulary.setdefault(term, len(vocabulary)))
                shapes.append(shape)
                weights.append(weight)
                counted.append(plain and not initial and shape <= _LOWER)
                in_title.append(part is title and shape == _UPPER)
    size = len(vocabulary)
    column = np.asarray(columns, dtype=np.int64)
    shape_of = np.asarray(shapes, dtype=np.int8)
    usable = np.asarray(counted, dtype=bool)
    seen = np.bincount(column[usable], minlength=size)
    upper = np.bincount(column[usable & (shape_of == _UPPER)], minlength=size)
    named = upper * 2 > seen
    data = np.asarray(weights) * np.where(named[column], settings.name_weight, 1.0)
    matrix = sparse.csr_matrix(
        (data, (np.asarray(rows, dtype=np.int64), column)), shape=(len(articles), size)
    )
    matrix.sum_duplicates()
    matrix.data = np.where(matrix.data > 1, 1.0 + np.log(np.maximum(matrix.data, 1.0)), matrix.data)
    df = np.bincount(matrix.indices, minlength=size)
    matrix = sparse.csr_matrix(matrix.multiply(np.log((1 + len(articles)) / (1 + df)) + 1.0))
    norms = np.sqrt(np.asarray(matrix.multiply(matrix).sum(axis=1)).ravel())
    norms[norms == 0] = 1.0
    # A headline's names: capitalised there, and a name in the day's text or never seen in
    # sentence case ("Bangladesh" opens both its headline and its text).
    head = np.asarray(in_title, dtype=bool) & (named | (seen == 0))[column]
    heads = sparse.csr_matrix(
        (np.ones(int(head.sum())), (np.asarray(rows, dtype=np.int64)[head], column[head])),
        shape=(len(articles), size),
    )
    heads.data[:] = 1.0
    return Features(sparse.csr_matrix(matrix.multiply(1.0 / norms[:, None])), texts, heads)
