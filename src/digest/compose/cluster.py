"""Group articles that tell the same event, in the same or different words, across outlets.

Each article becomes a TF-IDF vector over the day's articles (`features`: word prefixes, CJK
and Thai character bigrams, names weighted up, the headline above the opening);
candidate pairs come from one blocked sparse product over the rarer terms, never from all
pairs in Python; groups form by average linkage over those pairs at a cosine threshold
(`linkage`). The threshold and weights were chosen by cross-validation over held-out windows
of real labelled headlines (`bench/eval_clustering.py`).

Guards against joining different events that share a name or a few words, read on a real day
of world feeds (tests/compose/test_real_day.py), between two articles that both have a text:
the one term they share most counts half; when neither headline's names (written with their
capital) are anywhere in the other article, their cosine counts half (`linkage`). Articles
published more than `max_days` apart are never one story (a feed that still lists last year's
"Gaza" stories beside today's).

Copies of one text from several outlets (a wire story carried by 40 papers) are grouped first,
by their opening words, and enter the TF-IDF once: otherwise the day's biggest story would have
its words counted as common as "the" and lose both their weight and the story.

The result does not depend on the input order: articles are put in one canonical order (by
URL, headline, outlet, text) before anything is computed, and the groups are mapped back.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC

from digest.compose.settings import GROUP_THRESHOLD
from digest.models import Article

__all__ = ["Candidates", "ClusterSettings", "FeatureSettings", "candidates", "cluster_articles"]

_COPY_WORDS = 40


@dataclass(frozen=True)
class FeatureSettings:
    """How articles become vectors (defaults chosen by cross-validation, see bench/)."""

    prefix: int = 6  # letters a word keeps (0: whole words)
    name_weight: float = 1.5  # a name counts this many times a plain word
    body_weight: float = 0.5  # a word of the opening text, against one of the headline
    body_words: int = 60  # how much of the text is read
    min_letters: int = 2  # shorter words are not terms (numbers always are)
    min_text_words: int = 15  # an opening this long is a text (more than a headline's words)


@dataclass(frozen=True)
class ClusterSettings:
    """Grouping knobs; the defaults are the cross-validated ones."""

    threshold: float = GROUP_THRESHOLD  # mean cosine two groups need to become one story
    floor: float = 0.05  # a pair below this counts as 0 in the means (and is not kept)
    max_df: float = 0.1  # terms in more of the day's articles than this are stop words ...
    min_df_cap: int = 20  # ... once they are in more than this many
    single: float = 0.5  # between two texts, the part of the one term they share most kept
    apart: float = 0.5  # two texts whose headlines' names are nowhere in the other: this much
    max_days: float = 7.0  # articles published further apart are not one story (0: no limit)
    features: FeatureSettings = field(default_factory=FeatureSettings)


def _canonical(article: Article) -> tuple[str, str, str, str, str]:
    published = article.published.isoformat() if article.published else ""
    return (article.url, article.title, article.source, article.text, published)


def _copy_key(article: Article) -> str:
    """Copies of one text (a wire story in many papers) share this: the opening of the text
    when there is one, else the headline, lower-cased with spaces normalised."""
    words = article.text.lower().split()[:_COPY_WORDS]
    if len(words) < _COPY_WORDS // 2:
        words = article.title.lower().split() + words
    return " ".join(words)


@dataclass(frozen=True)
class Candidates:
    """The day's articles ready to group: `order[k]` is the input index of the k-th article in
    canonical order, `copies[g]` the canonical indices of one text's copies, `pairs` the
    candidate pairs of copies with their cosines."""

    order: list[int]
    copies: list[list[int]]
    pairs: dict[tuple[int, int], float]

    def groups(self, threshold: float) -> list[list[int]]:
        """Groups of input indices at this threshold, each sorted, by first index."""
        from digest.compose.linkage import average_link

        linked = average_link(len(self.copies), self.pairs, threshold)
        return sorted(
            sorted(self.order[i] for g in group for i in self.copies[g]) for group in linked
        )


def candidates(articles: Sequence[Article], settings: ClusterSettings) -> Candidates:
    """Canonical order, copies of one text together, candidate pairs between them."""
    # numpy and scipy load when a day is first grouped, not when digest starts: they add about
    # 0.5 s to every command's start (measured), and the scheduler must start within seconds.
    from digest.compose.features import tfidf
    from digest.compose.linkage import candidate_pairs, names_apart

    order = sorted(range(len(articles)), key=lambda i: _canonical(articles[i]))
    ordered = [articles[i] for i in order]
    copies: dict[str, list[int]] = {}
    for i, article in enumerate(ordered):
        copies.setdefault(_copy_key(article), []).append(i)
    members = list(copies.values())
    found = tfidf([ordered[g[0]] for g in members], settings.features)
    pairs = candidate_pairs(
        found.matrix,
        floor=settings.floor,
        max_df=settings.max_df,
        min_df_cap=settings.min_df_cap,
        texts=found.texts,
        single=settings.single,
    )
    pairs = names_apart(pairs, found.matrix, found.heads, found.texts, settings.apart)
    if settings.max_days > 0:
        pairs = _within(pairs, [_seconds(ordered[g[0]]) for g in members], settings.max_days)
    return Candidates(order, members, pairs)


def _seconds(article: Article) -> float | None:
    """When the article was published, as a POSIX time (a date without a zone read as UTC)."""
    when = article.published
    if when is None:
        return None
    return (when if when.tzinfo else when.replace(tzinfo=UTC)).timestamp()


def _within(
    pairs: dict[tuple[int, int], float], published: list[float | None], days: float
) -> dict[tuple[int, int], float]:
    """The pairs whose articles were published at most `days` apart (or have no date)."""
    limit = days * 86400
    return {
        (i, j): value
        for (i, j), value in pairs.items()
        if (a := published[i]) is None or (b := published[j]) is None or abs(a - b) <= limit
    }


def cluster_articles(
    articles: Sequence[Article], settings: ClusterSettings | None = None
) -> list[list[int]]:
    """Clusters as lists of indices into `articles`, each sorted, clusters by first index."""
    chosen = settings or ClusterSettings()
    if not articles:
        return []
    return candidates(articles, chosen).groups(chosen.threshold)
