"""Group articles that tell the same event, in the same or different words, across outlets.

Each article becomes a TF-IDF vector over the day's articles (`features`: word prefixes, CJK
and Thai character bigrams, names and numbers weighted up, the headline above the opening);
candidate pairs come from one blocked sparse product over the rarer terms, never from all
pairs in Python; groups form by average linkage over those pairs at a cosine threshold
(`linkage`). The threshold and weights were chosen by cross-validation over held-out windows
of real labelled headlines (`bench/eval_clustering.py`).

The result does not depend on the input order: articles are put in one canonical order (by
URL, headline, outlet, text) before anything is computed, and the groups are mapped back.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from digest.compose.features import FeatureSettings, tfidf_matrix
from digest.compose.linkage import average_link, candidate_pairs
from digest.models import Article

__all__ = ["ClusterSettings", "cluster_articles"]


@dataclass(frozen=True)
class ClusterSettings:
    """Grouping knobs; the defaults are the cross-validated ones."""

    threshold: float = 0.15  # mean cosine two groups need to become one story
    floor: float = 0.05  # a pair below this counts as 0 in the means (and is not kept)
    max_df: float = 0.2  # terms in more of the day's articles than this are stop words
    features: FeatureSettings = field(default_factory=FeatureSettings)


def _canonical(article: Article) -> tuple[str, str, str, str, str]:
    published = article.published.isoformat() if article.published else ""
    return (article.url, article.title, article.source, article.text, published)


def cluster_articles(
    articles: Sequence[Article], settings: ClusterSettings | None = None
) -> list[list[int]]:
    """Clusters as lists of indices into `articles`, each sorted, clusters by first index."""
    chosen = settings or ClusterSettings()
    order = sorted(range(len(articles)), key=lambda i: _canonical(articles[i]))
    ordered = [articles[i] for i in order]
    if not ordered:
        return []
    matrix = tfidf_matrix(ordered, chosen.features)
    pairs = candidate_pairs(matrix, floor=chosen.floor, max_df=chosen.max_df)
    groups = average_link(len(ordered), pairs, chosen.threshold)
    return sorted(sorted(order[i] for i in group) for group in groups)
