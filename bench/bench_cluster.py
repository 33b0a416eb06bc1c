"""Story grouping at the size of a big day: 1,000 and 5,000 articles on one core.

    .venv/bin/python bench/bench_cluster.py [--rounds 3]

The articles are synthetic but shaped like a real day: stories of 1-8 outlets drawn as in the
labelled windows (1 with probability 4/13, 2-3 with 5/13, 4-8 with 4/13), each story a handful
of rare topic words, each article a headline and a 60-word opening mixing its story's words
with common ones in Zipf proportions, so candidate pairs and stop words behave as in news.
Prints the best of `rounds` CPU times (one thread; process time, which other work on a shared
machine disturbs less than wall time) at each size, the ratio 5,000 / 1,000 (linear would be 5x,
all pairs 25x; the target is <= 7x and <= 2 s at 5,000), the peak memory traced at each size,
and, as a baseline measured in the same run, the previous grouping (every pair compared in
Python: word-shingle Jaccard) at 400 articles against the new one at 400.
"""

from __future__ import annotations

import argparse
import random
import re
import time
import tracemalloc
from collections.abc import Callable, Sequence

from digest.compose import cluster_articles
from digest.models import Article

COMMON = 3000  # words of the shared vocabulary (stop words first, Zipf weights)
TOPIC_WORDS = 6


def _vocabulary(rng: random.Random, size: int) -> list[str]:
    letters = "abcdefghijklmnopqrstuvwxyz"
    words = set()
    while len(words) < size:
        words.add("".join(rng.choice(letters) for _ in range(rng.randint(3, 10))))
    return sorted(words)


def story_sizes(rng: random.Random, total: int) -> list[int]:
    sizes = []
    while sum(sizes) < total:
        draw = rng.random() * 13
        sizes.append(1 if draw < 4 else rng.randint(2, 3) if draw < 9 else rng.randint(4, 8))
    sizes[-1] -= sum(sizes) - total
    return [s for s in sizes if s > 0]


def day(n: int, seed: int = 1) -> list[Article]:
    """`n` articles of a synthetic day (deterministic for a seed)."""
    rng = random.Random(seed)
    common = _vocabulary(rng, COMMON)
    weights = [1 / (rank + 1) for rank in range(COMMON)]
    rare = _vocabulary(random.Random(seed + 1), 40 * n)
    articles = []
    for story, size in enumerate(story_sizes(rng, n)):
        topic = rng.sample(rare, TOPIC_WORDS)
        for copy in range(size):
            title = rng.sample(topic, 3) + rng.choices(common, weights, k=5)
            body = rng.choices(topic, k=12) + rng.choices(common, weights, k=48)
            rng.shuffle(title)
            rng.shuffle(body)
            articles.append(
                Article(
                    url=f"https://outlet{copy}.example/{story}",
                    title=" ".join(title).capitalize(),
                    text=" ".join(body).capitalize() + ".",
                    source=f"Outlet {copy}",
                )
            )
    rng.shuffle(articles)
    return articles


def best_of(rounds: int, work: Callable[[], object]) -> float:
    times = []
    for _ in range(rounds):
        start = time.process_time()
        work()
        times.append(time.process_time() - start)
    return min(times)


def peak_mb(work: Callable[[], object]) -> float:
    tracemalloc.start()
    work()
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    return peak / 1e6


_WORD = re.compile(r"[^\W_]+")


def previous_grouping(articles: Sequence[Article]) -> list[list[int]]:
    """The grouping before issue 21, for the baseline: all pairs, word 3-shingle Jaccard >= 0.25
    on the title and first 120 words, union-find."""
    prints = []
    for a in articles:
        words = [w.lower() for w in _WORD.findall(a.title)]
        words += [w.lower() for w in _WORD.findall(a.text)][:120]
        prints.append({tuple(words[i : i + 3]) for i in range(len(words) - 2)})
    parent = list(range(len(articles)))

    def root(i: int) -> int:
        while parent[i] != i:
            i = parent[i]
        return i

    for i in range(len(articles)):
        for j in range(i + 1, len(articles)):
            union = len(prints[i] | prints[j])
            if union and len(prints[i] & prints[j]) / union >= 0.25:
                parent[max(root(i), root(j))] = min(root(i), root(j))
    groups: dict[int, list[int]] = {}
    for i in range(len(articles)):
        groups.setdefault(root(i), []).append(i)
    return list(groups.values())


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--rounds", type=int, default=3)
    args = ap.parse_args()
    small, large, tiny = day(1000), day(5000), day(400)
    cluster_articles(tiny)  # imports and first-call costs out of the way
    t_small = best_of(args.rounds, lambda: cluster_articles(small))
    t_large = best_of(args.rounds, lambda: cluster_articles(large))
    groups = cluster_articles(large)
    for label, articles, seconds in (("1,000", small, t_small), ("5,000", large, t_large)):
        peak = peak_mb(lambda articles=articles: cluster_articles(articles))
        print(f"{label} articles: {seconds:.3f} s CPU; peak traced memory {peak:.0f} MB")
    drawn = len(story_sizes(random.Random(1), 5000))
    print(f"  {len(groups)} stories of {len(large)} articles ({drawn} drawn)")
    ratio = t_large / t_small
    print(f"ratio 5,000/1,000: {ratio:.2f}x (target <= 7x; linear 5x, all pairs 25x)")
    t_new = best_of(args.rounds, lambda: cluster_articles(tiny))
    t_old = best_of(1, lambda: previous_grouping(tiny))
    print(f"400 articles: previous all-pairs grouping {t_old:.3f} s, now {t_new:.3f} s")
    print(f"ratio previous/now at 400: {t_old / t_new:.1f}x")
    what = "cluster_articles 5,000 vs 1,000 articles (one core)"
    print(f"TABLE\tcompose\t{what}\t{ratio:.2f}x ({t_large:.2f} s at 5,000)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
