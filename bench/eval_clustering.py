"""Cross-validated quality of `cluster_articles` on the labelled headline windows.

    .venv/bin/python bench/eval_clustering.py [EVAL_DIR] [--folds 5] [--grid]

EVAL_DIR (default ../shared/eval/clustering beside the repo) holds windows_dev.jsonl and
score_clusters.py. Leave-windows-out: the 30 windows are dealt into FOLDS folds (dev-00, dev-05,
... in the first of five); for each fold the threshold (and, with --grid, the word prefix and
the weight of names) with the best B-cubed F1 among those with B-cubed precision >= 0.90 on the
other folds' windows is applied to the held-out fold. The held-out predictions of all folds are
scored together; the choice of each fold is printed (a stable choice is the sign the defaults
are not fitted to the data), then the choice on all windows, and the score of the defaults in
`digest.compose` (the folds' most frequent choice). `--curve` prints
every setting's score on all windows (the precision/recall trade-off).
"""

from __future__ import annotations

import argparse
import importlib.util
import itertools
import json
import sys
from collections import defaultdict
from dataclasses import replace
from datetime import datetime
from pathlib import Path
from types import ModuleType
from typing import Any

from digest.compose.cluster import (
    ClusterSettings,
    FeatureSettings,
    candidates,
    cluster_articles,
)
from digest.models import Article

HERE = Path(__file__).resolve().parent
DEFAULT_EVAL = HERE.parent.parent / "shared" / "eval" / "clustering"
THRESHOLDS = [round(0.08 + 0.01 * k, 3) for k in range(23)]
MIN_PRECISION = 0.90


def load_windows(path: Path) -> dict[str, list[dict[str, str]]]:
    windows: dict[str, list[dict[str, str]]] = defaultdict(list)
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.strip():
            row = json.loads(line)
            windows[row["window"]].append(row)
    return dict(sorted(windows.items()))


def as_article(row: dict[str, str]) -> Article:
    return Article(
        url=row["url"],
        title=row["title"],
        text=row["text"],
        source=row["outlet"],
        published=datetime.fromisoformat(row["published"]),
    )


def scorer(eval_dir: Path) -> ModuleType:
    spec = importlib.util.spec_from_file_location("score_clusters", eval_dir / "score_clusters.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


Labels = dict[str, dict[str, str]]


def labels_of(rows: list[dict[str, str]], groups: list[list[int]]) -> dict[str, str]:
    return {rows[i]["id"]: str(n) for n, group in enumerate(groups) for i in group}


def predictions(
    windows: dict[str, list[dict[str, str]]], features: FeatureSettings, base: ClusterSettings
) -> dict[float, Labels]:
    """Every threshold's labels per window, from one feature matrix per window."""
    out: dict[float, Labels] = {t: {} for t in THRESHOLDS}
    settings = replace(base, features=features)
    for name, rows in windows.items():
        found = candidates([as_article(r) for r in rows], settings)
        for t in THRESHOLDS:
            out[t][name] = labels_of(rows, found.groups(t))
    return out


def pick(
    score: ModuleType, gold: Labels, table: dict[Any, Labels], names: list[str], floor: float
) -> Any:
    """The key whose labels on `names` have the best B3 F1 with B3 precision >= `floor`."""
    best: tuple[bool, float] | None = None
    chosen = None
    for key, labels in table.items():
        o = score.score({w: gold[w] for w in names}, {w: labels[w] for w in names})["overall"]
        rank = (o["b3_p"] >= floor, o["b3_f1"])
        if best is None or rank > best:
            best, chosen = rank, key
    return chosen


def line(name: str, o: dict[str, float]) -> str:
    return (
        f"{name}: B3 F1 {o['b3_f1']:.3f} P {o['b3_p']:.3f} R {o['b3_r']:.3f}; pair F1"
        f" {o['pair_f1']:.3f}; events shown twice {o['shown_twice']}/{o['gold_multi']};"
        f" wrongly merged groups {o['wrongly_merged']}"
    )


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("eval_dir", nargs="?", default=str(DEFAULT_EVAL))
    ap.add_argument("--folds", type=int, default=5)
    ap.add_argument("--min-precision", type=float, default=MIN_PRECISION)
    ap.add_argument("--curve", action="store_true", help="print every threshold on all windows")
    ap.add_argument("--grid", action="store_true", help="also choose feature weights per fold")
    args = ap.parse_args(argv)
    eval_dir = Path(args.eval_dir)
    if not (eval_dir / "windows_dev.jsonl").is_file():
        print(f"skipped: no {eval_dir / 'windows_dev.jsonl'}")
        return 0
    score = scorer(eval_dir)
    windows = load_windows(eval_dir / "windows_dev.jsonl")
    gold = score.load(str(eval_dir / "windows_dev.jsonl"))
    base = ClusterSettings()
    grid = [base.features]
    if args.grid:
        grid = [
            replace(base.features, prefix=p, name_weight=w)
            for p, w in itertools.product((0, 5, 6, 7), (1.0, 1.5, 2.0, 3.0))
        ]
    table: dict[tuple[FeatureSettings, float], Labels] = {}
    for features in grid:
        for t, labels in predictions(windows, features, base).items():
            table[(features, t)] = labels
    names = list(windows)
    if args.curve:
        for key, labels in table.items():
            print(line(f"prefix {key[0].prefix} names x{key[0].name_weight} threshold {key[1]}", score.score(gold, labels)["overall"]))  # fmt: skip  # noqa: E501
    folds = [names[k :: args.folds] for k in range(args.folds)]
    held_out: Labels = {}
    for k, test in enumerate(folds):
        train = [w for w in names if w not in test]
        features, t = pick(score, gold, table, train, args.min_precision)
        print(
            f"fold {k} ({', '.join(test)}): threshold {t}, prefix {features.prefix},"
            f" name weight {features.name_weight}"
        )
        held_out.update({w: table[(features, t)][w] for w in test})
    print(line("cross-validated (held-out folds)", score.score(gold, held_out)["overall"]))
    features, t = pick(score, gold, table, names, args.min_precision)
    print(
        f"chosen on all windows: threshold {t}, prefix {features.prefix},"
        f" name weight {features.name_weight}"
    )
    shipped: Labels = {}
    for name, rows in windows.items():
        shipped[name] = labels_of(rows, cluster_articles([as_article(r) for r in rows]))
    print(line(f"shipped defaults (threshold {base.threshold}), all windows", score.score(gold, shipped)["overall"]))  # fmt: skip  # noqa: E501
    return 0


if __name__ == "__main__":
    sys.exit(main())
