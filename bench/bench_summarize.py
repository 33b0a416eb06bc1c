"""Throughput of `digest summarize --jsonl` on one core, against a naive baseline.

    .venv/bin/python bench/bench_summarize.py EVAL_DIR [--repeat 5]

Prints articles/s of summarize_jsonl over EVAL_DIR/news_summaries_dev.jsonl and of a naive
baseline measured in the same run (a one-regex splitter and Lead-3, no cleaning, no model), and
the ratio. The target is >= 500 articles/s.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
import time
from collections.abc import Callable
from pathlib import Path

from digest.summarize import summarize_jsonl

_NAIVE = re.compile(r"(?<=[.!?])\s+")


def naive(lines: list[str]) -> None:
    for line in lines:
        text = json.loads(line)["text"]
        json.dumps({"key_points": _NAIVE.split(text)[:3]})


def ours(lines: list[str]) -> None:
    for record in summarize_jsonl(lines, name="dev"):
        json.dumps(record)


def rate(fn: Callable[[list[str]], None], lines: list[str], repeat: int) -> float:
    best = float("inf")
    for _ in range(repeat):
        started = time.perf_counter()
        fn(lines)
        best = min(best, time.perf_counter() - started)
    return len(lines) / best


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("eval_dir", type=Path)
    ap.add_argument("--repeat", type=int, default=5)
    args = ap.parse_args()
    lines = (args.eval_dir / "news_summaries_dev.jsonl").read_text(encoding="utf-8").splitlines()
    ours(lines[:5])  # warm up: loads the weights
    summarizer = rate(ours, lines, args.repeat)
    baseline = rate(naive, lines, args.repeat)
    print(f"documents: {len(lines)}")
    print(f"summarize_jsonl: {summarizer:,.0f} articles/s")
    print(f"naive regex lead-3 baseline: {baseline:,.0f} articles/s")
    print(f"ratio summarizer/baseline: {summarizer / baseline:.3f}")
    print(f"target >= 500 articles/s: {'met' if summarizer >= 500 else 'NOT met'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
