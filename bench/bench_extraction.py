"""4-shingle F1 of plain trafilatura vs extract_page (trafilatura + metadata + line cleaner).

Usage: python bench/bench_extraction.py [PATH_TO_EXTRACTION_DIR]
(default ../shared/eval/extraction relative to the repo). Scoring follows the ScrapingHub
article-extraction-benchmark: tokens are \\w+, 4-token shingles as multisets, tp/fp/fn normalised
per page, precision and recall averaged over pages, F1 of those averages.
"""

from __future__ import annotations

import gzip
import json
import re
import sys
import time
from collections import Counter
from pathlib import Path

from digest.errors import SourceError
from digest.gather.page import extract_page, page_text

TOKEN = re.compile(r"\w+")
DEFAULT = Path(__file__).resolve().parent.parent.parent / "shared" / "eval" / "extraction"


def shingles(text: str) -> Counter[tuple[str, ...]]:
    tokens = TOKEN.findall(text)
    return Counter(tuple(tokens[i : i + 4]) for i in range(max(0, len(tokens) - 3)))


def page_scores(gold: str, predicted: str) -> tuple[float | None, float]:
    truth, guess = shingles(gold), shingles(predicted)
    tp = sum((truth & guess).values())
    fp = sum(guess.values()) - tp
    fn = sum(truth.values()) - tp
    total = tp + fp + fn
    if total == 0:
        return None, 1.0
    tp_n, fp_n, fn_n = tp / total, fp / total, fn / total
    precision = tp_n / (tp_n + fp_n) if tp_n + fp_n else None
    recall = tp_n / (tp_n + fn_n) if tp_n + fn_n else 1.0
    return precision, recall


def f1(scores: list[tuple[float | None, float]]) -> tuple[float, float, float]:
    precisions = [p for p, _ in scores if p is not None]
    p = sum(precisions) / len(precisions)
    r = sum(r for _, r in scores) / len(scores)
    return p, r, 2 * p * r / (p + r)


def main() -> None:
    data = Path(sys.argv[1]) if len(sys.argv) > 1 else DEFAULT
    rows = [json.loads(line) for line in (data / "gold.jsonl").open(encoding="utf-8")]
    plain: list[tuple[float | None, float]] = []
    ours: list[tuple[float | None, float]] = []
    seconds = {"trafilatura": 0.0, "extract_page": 0.0}
    for row in rows:
        html = gzip.decompress((data / row["file"]).read_bytes())
        started = time.perf_counter()
        baseline = page_text(html, url=row["url"]) or ""
        seconds["trafilatura"] += time.perf_counter() - started
        started = time.perf_counter()
        try:
            text = extract_page(html, url=row["url"]).text
        except SourceError:
            text = ""
        seconds["extract_page"] += time.perf_counter() - started
        plain.append(page_scores(row["articleBody"], baseline))
        ours.append(page_scores(row["articleBody"], text))
    print(f"pages: {len(rows)}  data: {data}")
    for name, scores in (("trafilatura", plain), ("extract_page", ours)):
        p, r, f = f1(scores)
        per_page = seconds[name] / len(rows) * 1000
        print(f"{name:<13} precision {p:.4f}  recall {r:.4f}  F1 {f:.4f}  {per_page:.1f} ms/page")
    delta = f1(ours)[2] - f1(plain)[2]
    print(f"F1 difference (extract_page - trafilatura): {delta:+.4f}")


if __name__ == "__main__":
    main()
