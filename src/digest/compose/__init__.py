"""Compose stage: cluster other outlets' coverage, rank, cap, group into sections, subject.

What the rest may use: `compose` (summaries -> a Digest), `ComposeSettings` and
`compose_settings_from_table` (the [compose] table), `rank_score`, `cluster_articles`,
`Regrouping` (an editor's splits and merges of stories).

Modules: `settings` (the table), `cluster` (one event's coverage across outlets) over
`features` (TF-IDF vectors) and `linkage` (candidate pairs, average linkage), `regroup` (the
editor's corrections), `edition` (ranking, sections, subject and preheader).
"""

from digest.compose.cluster import cluster_articles
from digest.compose.edition import compose, rank_score
from digest.compose.regroup import Regrouping
from digest.compose.settings import ComposeSettings, compose_settings_from_table

__all__ = [
    "ComposeSettings",
    "Regrouping",
    "cluster_articles",
    "compose",
    "compose_settings_from_table",
    "rank_score",
]
