"""Group articles that cover the same story (across outlets) by a content fingerprint.

The fingerprint is the set of word 3-shingles of the title and the opening of the text; two
articles belong together when their fingerprints overlap enough (Jaccard) or their titles share
most of their words. Union-find over all pairs keeps the result independent of input order.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from digest.models import Article

__all__ = ["cluster_articles", "fingerprint", "jaccard"]

_WORD = re.compile(r"[^\W_]+", re.UNICODE)
_OPENING_WORDS = 120
SHINGLE_THRESHOLD = 0.25
TITLE_THRESHOLD = 0.75
_TITLE_STOP = frozenset("a an the of to in on at for and or as is are with by from".split())  # noqa: SIM905


def _words(text: str) -> list[str]:
    return [w.lower() for w in _WORD.findall(text)]


def fingerprint(article: Article) -> frozenset[tuple[str, ...]]:
    """Word 3-shingles of the title and the first words of the text."""
    words = _words(article.title) + _words(article.text)[:_OPENING_WORDS]
    return frozenset(tuple(words[i : i + 3]) for i in range(len(words) - 2))


def jaccard(a: frozenset[object] | set[object], b: frozenset[object] | set[object]) -> float:
    union = len(a | b)
    return len(a & b) / union if union else 0.0


def _title_words(article: Article) -> frozenset[object]:
    return frozenset(w for w in _words(article.title) if w not in _TITLE_STOP)


def _same_story(i: int, j: int, articles: Sequence[Article], prints: list[frozenset[object]],
                titles: list[frozenset[object]]) -> bool:  # fmt: skip
    if articles[i].url and articles[i].url == articles[j].url:
        return True
    if (
        len(titles[i]) >= 3
        and len(titles[j]) >= 3
        and jaccard(titles[i], titles[j]) >= TITLE_THRESHOLD
    ):
        return True
    return jaccard(prints[i], prints[j]) >= SHINGLE_THRESHOLD


def cluster_articles(articles: Sequence[Article]) -> list[list[int]]:
    """Clusters as lists of indices into `articles`, each sorted, clusters by first index."""
    prints: list[frozenset[object]] = [frozenset(fingerprint(a)) for a in articles]
    titles = [_title_words(a) for a in articles]
    parent = list(range(len(articles)))

    def root(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    for i in range(len(articles)):
        for j in range(i + 1, len(articles)):
            if root(i) != root(j) and _same_story(i, j, articles, prints, titles):
                parent[max(root(i), root(j))] = min(root(i), root(j))
    groups: dict[int, list[int]] = {}
    for i in range(len(articles)):
        groups.setdefault(root(i), []).append(i)
    return [groups[key] for key in sorted(groups)]
