"""Compose stage: cluster other outlets' coverage, rank, cap, group into sections, subject.

What the rest may use: `compose` (summaries -> a Digest), `ComposeSettings` and
`compose_settings_from_table` (the [compose] table), `rank_score`, `cluster_articles`.

Modules: `settings` (the table), `cluster` (near-duplicate coverage), `edition` (ranking,
sections, subject and preheader).
"""

from digest.compose.cluster import cluster_articles
from digest.compose.edition import compose, rank_score
from digest.compose.settings import ComposeSettings, compose_settings_from_table

__all__ = [
    "ComposeSettings",
    "cluster_articles",
    "compose",
    "compose_settings_from_table",
    "rank_score",
]
