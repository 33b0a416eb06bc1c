"""An editor's corrections to the grouping, applied over what `cluster_articles` found.

`apart`: articles that are a story of their own (split off a wrong group). `together`: pairs of
articles whose stories are one (two stories of one event). Splits apply first, then merges, so
an article split off one story can be merged into another. A choice naming an article that is
not in the edition is ignored.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

__all__ = ["Regrouping", "regrouped"]


@dataclass(frozen=True)
class Regrouping:
    """The editor's splits and merges for one edition, by article key."""

    apart: frozenset[str] = frozenset()
    together: tuple[tuple[str, str], ...] = ()


def regrouped(
    clusters: Sequence[Sequence[int]], keys: Sequence[str], choice: Regrouping
) -> list[list[int]]:
    """`clusters` (indices into `keys`) with the editor's splits and merges, sorted as before."""
    groups: list[list[int]] = []
    for members in clusters:
        kept = [i for i in members if keys[i] not in choice.apart]
        groups.extend([[i] for i in members if keys[i] in choice.apart])
        if kept:
            groups.append(kept)
    owner = {keys[i]: n for n, group in enumerate(groups) for i in group}
    parent = list(range(len(groups)))

    def root(n: int) -> int:
        while parent[n] != n:
            n = parent[n]
        return n

    for first, second in choice.together:
        if first in owner and second in owner:
            a, b = root(owner[first]), root(owner[second])
            parent[max(a, b)] = min(a, b)
    merged: dict[int, list[int]] = {}
    for n, group in enumerate(groups):
        merged.setdefault(root(n), []).extend(group)
    return sorted(sorted(group) for group in merged.values())
