"""Shared by the summary bench scripts: the two dev sets, the project's scorer, bootstrap intervals.

Not a bench on its own (bench/run_all.py runs only bench_*.py). The scorer is EVAL_DIR's own
score_summaries.py, imported from there, so every figure comes from the one scoring code.
"""

from __future__ import annotations

import importlib.util
import json
import tempfile
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np

from digest.summarize import split_sentences

SETS: dict[str, str] = {
    "cnn_dm": "news_summaries_dev.jsonl",
    "inshorts": "news_summaries_inshorts_dev.jsonl",
}
METRICS = ("rouge1", "rouge2", "rougeLsum")
LABELS = {"rouge1": "R1", "rouge2": "R2", "rougeLsum": "RLsum"}


def load_rows(eval_dir: Path, set_name: str) -> list[dict[str, Any]]:
    text = (eval_dir / SETS[set_name]).read_text(encoding="utf-8")
    return [json.loads(line) for line in text.splitlines() if line.strip()]


def load_scorer(eval_dir: Path) -> Any:
    """EVAL_DIR/score_summaries.py as a module."""
    spec = importlib.util.spec_from_file_location(
        "score_summaries", eval_dir / "score_summaries.py"
    )
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def lead3(rows: Iterable[Mapping[str, Any]]) -> dict[str, list[str]]:
    """Lead-3 cut by our own splitter from the raw text (the baseline every target names)."""
    return {str(row["id"]): split_sentences(row["text"])[:3] for row in rows}


def per_doc(
    scoring: Any, predictions: Mapping[str, Sequence[str]], rows: Sequence[Mapping[str, Any]]
) -> dict[str, np.ndarray]:
    """Per-document F1 (x100) by metric, in the order of `rows`, from the project's scorer."""
    refs = {str(row["id"]): list(row["reference"]) for row in rows}
    preds = {k: list(v) for k, v in predictions.items()}
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "per_doc.jsonl"
        scoring.score(preds, refs, str(out))
        scored = {r["id"]: r for r in map(json.loads, out.read_text().splitlines())}
    return {m: np.array([scored[str(row["id"])][m] for row in rows]) for m in METRICS}


def resamples(n_docs: int, n: int = 2000, seed: int = 20240) -> np.ndarray:
    """Bootstrap resamples of document indices (the same ones for every system compared)."""
    return np.random.default_rng(seed).integers(0, n_docs, size=(n, n_docs))


def interval(values: np.ndarray, draws: np.ndarray) -> tuple[float, float, float]:
    """(mean, 2.5th, 97.5th percentile of the bootstrap mean)."""
    means = values[draws].mean(axis=1)
    low, high = np.percentile(means, [2.5, 97.5])
    return float(values.mean()), float(low), float(high)


def paired(ours: np.ndarray, base: np.ndarray, draws: np.ndarray) -> tuple[float, float, float]:
    """Mean difference, its 95 % bootstrap interval (paired by document)."""
    return interval(ours - base, draws)


def table(
    results: Mapping[str, Mapping[str, Mapping[str, np.ndarray]]],
    baseline: str,
    system: str,
) -> str:
    """Markdown: per set, system and baseline with 95 % intervals, and the paired difference."""
    head = "| set | system | " + " | ".join(LABELS[m] for m in METRICS) + " |"
    lines = [head, "|" + "---|" * (2 + len(METRICS))]
    for set_name, systems in results.items():
        n_docs = len(next(iter(systems[system].values())))
        draws = resamples(n_docs)
        for name in (system, baseline):
            cells = []
            for m in METRICS:
                mean, low, high = interval(systems[name][m], draws)
                cells.append(f"{mean:.2f} [{low:.2f}, {high:.2f}]")
            lines.append(f"| {set_name} ({n_docs}) | {name} | " + " | ".join(cells) + " |")
        cells = []
        for m in METRICS:
            mean, low, high = paired(systems[system][m], systems[baseline][m], draws)
            cells.append(f"{mean:+.2f} [{low:+.2f}, {high:+.2f}]")
        lines.append(f"| {set_name} ({n_docs}) | difference (paired) | " + " | ".join(cells) + " |")
    return "\n".join(lines)
