"""What an article is about, as a sparse TF-IDF vector over the day's articles.

Terms are Unicode words cut to a short prefix (a language-blind stand-in for a stemmer:
"recalls", "recalled" and "recall" meet), and character bigrams where words fail (runs of
Chinese, Japanese or Thai script, which carry no spaces). Names and numbers count more: a term
is name-like when it is a number or when, in the day's sentence-case text, it is written with a
capital in most of its non-initial uses ("Ukraine", "Geneva", "Trump"). Title Case headlines
("Stocks Fall On Weak Data") capitalise everything and so say nothing about names: they are
left out of that count. The headline counts more than the opening of the text.

Numbers and sparse matrices through numpy/scipy: the day's articles become one CSR matrix whose
rows are L2-normalised, so a sparse product gives every cosine at once.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from scipy import sparse

from digest.models import Article

__all__ = ["FeatureSettings", "article_terms", "tfidf_matrix"]

_WORD = re.compile(r"[^\W_]+", re.UNICODE)
# Scripts written without spaces between words: Han, kana, Thai, Lao, Khmer, Myanmar.
_NO_SPACE = re.compile(
    r"[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\u0e00-\u0eff\u1000-\u109f\u1780-\u17ff]+"
)


@dataclass(frozen=True)
class FeatureSettings:
    """How articles become vectors (defaults chosen by cross-validation, see bench/)."""

    prefix: int = 6  # letters a word keeps (0: whole words)
    name_weight: float = 1.5  # a name or number counts this many times a plain word
    body_weight: float = 0.5  # a word of the opening text, against one of the headline
    body_words: int = 60  # how much of the text is read
    min_letters: int = 2  # shorter words are not terms (numbers always are)


@dataclass(frozen=True)
class _Token:
    term: str
    shape: str  # "upper": capitalised; "lower"; "number"; "script": no-space script bigram
    initial: bool  # first word of its sentence or headline


def _tokens(text: str, settings: FeatureSettings) -> list[_Token]:
    out: list[_Token] = []
    previous_end = -1
    for match in _WORD.finditer(text):
        word = match.group()
        gap = text[previous_end : match.start()] if previous_end >= 0 else "."
        initial = previous_end < 0 or any(c in ".!?:\u3002\u201c\"'|-\u2014" for c in gap)
        previous_end = match.end()
        runs = _NO_SPACE.findall(word)
        if runs:
            for run in runs:
                pairs = [run[i : i + 2] for i in range(len(run) - 1)] or [run]
                out.extend(_Token(p, "script", False) for p in pairs)
            word = _NO_SPACE.sub(" ", word).strip()
            if not word or " " in word:
                continue
        if any(c.isdigit() for c in word):
            out.append(_Token(word.lower(), "number", initial))  # "iOS 7": even one digit
            continue
        if len(word) < settings.min_letters:
            continue
        lowered = word.lower()
        term = lowered[: settings.prefix] if settings.prefix else lowered
        out.append(_Token(term, "upper" if word[0].isupper() else "lower", initial))
    return out


def _title_case(tokens: Sequence[_Token]) -> bool:
    """A headline whose words are nearly all capitalised ("Stocks Fall On Weak Data")."""
    words = [t for t in tokens if t.shape in ("upper", "lower")]
    return len(words) >= 3 and sum(t.shape == "upper" for t in words) >= 0.7 * len(words)


def article_terms(
    articles: Sequence[Article], settings: FeatureSettings
) -> list[tuple[list[_Token], list[_Token]]]:
    """Each article's headline tokens and opening-text tokens."""
    found = []
    for article in articles:
        body = " ".join(article.text.split()[: settings.body_words])
        found.append((_tokens(article.title, settings), _tokens(body, settings)))
    return found


def _name_terms(tokens: Sequence[tuple[list[_Token], list[_Token]]]) -> set[str]:
    """Terms written with a capital in most of their non-initial sentence-case uses."""
    upper: Counter[str] = Counter()
    seen: Counter[str] = Counter()
    for title, body in tokens:
        for part in ([] if _title_case(title) else title, body):
            for token in part:
                if token.shape in ("upper", "lower") and not token.initial:
                    seen[token.term] += 1
                    upper[token.term] += token.shape == "upper"
    return {term for term, n in seen.items() if upper[term] * 2 > n}


def tfidf_matrix(articles: Sequence[Article], settings: FeatureSettings) -> sparse.csr_matrix:
    """One L2-normalised row per article: sublinear term counts x smoothed IDF x name weight."""
    tokens = article_terms(articles, settings)
    names = _name_terms(tokens)
    vocabulary: dict[str, int] = {}
    rows: list[dict[int, float]] = []
    for title, body in tokens:
        counts: dict[int, float] = {}
        for part, weight in ((title, 1.0), (body, settings.body_weight)):
            for token in part:
                column = vocabulary.setdefault(token.term, len(vocabulary))
                named = token.shape == "number" or token.term in names
                counts[column] = counts.get(column, 0.0) + weight * (
                    settings.name_weight if named else 1.0
                )
        rows.append(counts)
    n = len(rows)
    df = np.zeros(len(vocabulary))
    for counts in rows:
        df[list(counts)] += 1
    idf = np.log((1 + n) / (1 + df)) + 1.0
    indptr = [0]
    indices: list[int] = []
    data: list[float] = []
    for counts in rows:
        columns = sorted(counts)
        indices.extend(columns)
        data.extend(1.0 + math.log(counts[c]) if counts[c] > 1 else counts[c] for c in columns)
        indptr.append(len(indices))
    matrix = sparse.csr_matrix(
        (np.asarray(data, dtype=np.float64), np.asarray(indices), np.asarray(indptr)),
        shape=(n, len(vocabulary)),
    )
    matrix = matrix.multiply(idf).tocsr()
    norms = np.sqrt(np.asarray(matrix.multiply(matrix).sum(axis=1)).ravel())
    norms[norms == 0] = 1.0
    return sparse.csr_matrix(matrix.multiply(1.0 / norms[:, None]))
