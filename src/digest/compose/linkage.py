"""Candidate pairs from a sparse product, then average-link grouping over them.

Candidates: rows are L2-normalised TF-IDF vectors, so one sparse product of the matrix with its
transpose gives every cosine of every pair that shares a term. The commonest terms (in more than
`max_df` of the day's articles, or in more than `max_df_cap` articles however big the day: the
stop words of whatever language) are left out of the product: they would make it dense (every
pair shares "the") and its cost grow with the square of the day, and they weigh little in a
cosine anyway. The product runs over blocks of rows and keeps only pairs at or above `floor`,
so memory grows with the articles, not with their pairs (bench/bench_cluster.py). On a small
day a term is common only past `min_df_cap` articles: the day's biggest story (Iran's talks in
16 of 116 articles) must keep "Iran" and "talks", or its articles share nothing left to count.

Two articles that both have a text share more than a headline's few words when they tell one
event ("Congress", "removes", "Jerí", "corruption"); two events that share only a country
("Germany", "Sudan", "Ghana") share one term and little else. So between two texts the one term
they share most keeps only `single` of its part of their cosine. Headlines alone (the labelled
windows) are left as they are: a shared name is often all two headlines of one event share.

Grouping: average linkage (UPGMA) over the candidate graph, merging the closest two groups while
their mean pairwise cosine is at least `threshold` (a pair that is not a candidate counts as 0).
Unlike single linkage it does not chain A-B-C into one story when only A-B and B-C are close,
so two different events that share one name ("Trump", "Apple") stay apart unless their
articles agree on average. Ties break on the smaller indices: the same input order gives the
same groups (the caller fixes the order).
"""

from __future__ import annotations

import heapq

import numpy as np
from scipy import sparse

__all__ = ["average_link", "candidate_pairs", "names_apart"]

_BLOCK = 256


def candidate_pairs(
    matrix: sparse.csr_matrix,
    *,
    floor: float,
    max_df: float,
    min_df_cap: int = 20,
    max_df_cap: int = 100,
    texts: np.ndarray | None = None,
    single: float = 1.0,
) -> dict[tuple[int, int], float]:
    """(i, j) with i < j -> cosine over the rarer terms, kept when at or above `floor`; when
    both rows are `texts`, the largest single term's part of it counts `single` times."""
    n = matrix.shape[0]
    if n < 2:
        return {}
    df = np.bincount(matrix.indices, minlength=matrix.shape[1])
    rare = df <= max(min_df_cap, min(max_df_cap, int(max_df * n)))
    pruned = sparse.csr_matrix(matrix[:, np.flatnonzero(rare)])
    pruned_t = pruned.T.tocsr()
    pairs: dict[tuple[int, int], float] = {}
    for start in range(0, n, _BLOCK):
        block = sparse.coo_matrix(pruned[start : start + _BLOCK] @ pruned_t)
        rows = block.row + start
        chosen = (rows < block.col) & (block.data >= floor)
        left, right, values = rows[chosen], block.col[chosen], block.data[chosen]
        if texts is not None and single < 1 and len(values):
            values = _one_term_less(pruned, left, right, values, texts, single)
        for i, j, value in zip(left.tolist(), right.tolist(), values.tolist(), strict=True):
            pairs[(i, j)] = value
    return pairs


def _one_term_less(
    matrix: sparse.csr_matrix,
    left: np.ndarray,
    right: np.ndarray,
    values: np.ndarray,
    texts: np.ndarray,
    single: float,
) -> np.ndarray:
    """The pairs' cosines with, between two texts, the largest shared term counted `single`."""
    both = texts[left] & texts[right]
    if not both.any():
        return values
    shared = sparse.csr_matrix(matrix[left[both]].multiply(matrix[right[both]]))
    top = shared.max(axis=1).toarray().ravel()
    out = values.copy()
    out[both] -= (1.0 - single) * top
    return out


def names_apart(
    pairs: dict[tuple[int, int], float],
    matrix: sparse.csr_matrix,
    heads: sparse.csr_matrix,
    texts: np.ndarray,
    factor: float,
) -> dict[tuple[int, int], float]:
    """The pairs, with the cosine of two texts whose headlines' names are nowhere in the other
    article counted `factor` times. "Takaichi will be reappointed as Japan's prime minister"
    and "Bangladesh's new prime minister is sworn in" share "prime minister", "landslide
    election" and "last week", but neither text names the other's country: a text has room to
    name who and where its story is, a headline alone does not (the labelled windows)."""
    if factor >= 1 or not pairs:
        return pairs
    keys = list(pairs)
    left = np.fromiter((i for i, _ in keys), dtype=np.int64, count=len(keys))
    right = np.fromiter((j for _, j in keys), dtype=np.int64, count=len(keys))
    present = sparse.csr_matrix(matrix != 0, dtype=np.float64)
    named = np.asarray(heads.sum(axis=1)).ravel() > 0
    there = np.asarray(heads[left].multiply(present[right]).sum(axis=1)).ravel()
    back = np.asarray(heads[right].multiply(present[left]).sum(axis=1)).ravel()
    apart = texts[left] & texts[right] & named[left] & named[right] & (there == 0) & (back == 0)
    return {
        key: value * factor if far else value
        for key, value, far in zip(keys, pairs.values(), apart.tolist(), strict=True)
    }


def average_link(n: int, pairs: dict[tuple[int, int], float], threshold: float) -> list[list[int]]:
    """Groups of 0..n-1 by average linkage over the candidate pairs, each sorted, by first."""
    size = [1] * n
    links: list[dict[int, float]] = [{} for _ in range(n)]  # group -> neighbour -> sum of cosines
    for (i, j), value in pairs.items():
        links[i][j] = value
        links[j][i] = value
    members: dict[int, list[int]] = {i: [i] for i in range(n)}
    heap = [(-value, i, j) for (i, j), value in pairs.items() if value >= threshold]
    heapq.heapify(heap)
    while heap:
        negative, a, b = heapq.heappop(heap)
        if a not in members or b not in members:
            continue
        current = links[a].get(b, 0.0) / (size[a] * size[b])
        if abs(current + negative) > 1e-12:
            continue  # stale: one side grew since this entry was pushed
        # b joins a (a < b): a's id survives, so ids stay the smallest member.
        members[a].extend(members.pop(b))
        size[a] += size[b]
        for other, total in links[b].items():
            if other == a:
                continue
            links[other].pop(b, None)
            links[a][other] = links[a].get(other, 0.0) + total
        links[b] = {}
        links[a].pop(b, None)
        for other, total in links[a].items():
            links[other][a] = total
            mean = total / (size[a] * size[other])
            if mean >= threshold:
                heapq.heappush(heap, (-mean, min(a, other), max(a, other)))
    return sorted(sorted(group) for group in members.values())
