"""Score the summarizer's key points against Lead-3 on both dev sets, with 95 % bootstrap intervals.

    .venv/bin/python bench/eval_rouge.py EVAL_DIR [--cv DIR] [--out DIR]

Without --cv it runs `summarize_jsonl` (exactly what `digest summarize --jsonl` runs, titles
given where the set has them) with the shipped weights. Those weights were learned from these
same files, so the honest figures are the cross-validated ones: `--cv DIR` scores the held-out
predictions bench/train_summarizer.py wrote there (`cv-<set>.jsonl`) instead. The baseline is
Lead-3 cut by our own splitter. Intervals: percentile bootstrap over documents (2,000 draws);
the difference row is paired by document.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from summary_sets import SETS, lead3, load_rows, load_scorer, per_doc, table

from digest.models import Article
from digest.summarize import ExtractiveSummarizer, split_sentences, summarize_jsonl
from digest.summarize.shape import MAX_POINT_WORDS, MAX_WHOLE_WORDS, is_fragment, word_count


def shipped(rows: list[dict[str, object]], name: str) -> dict[str, list[str]]:
    lines = [json.dumps(row) for row in rows]
    out: dict[str, list[str]] = {}
    for record in summarize_jsonl(lines, name=name):
        points = record.get("key_points", [])
        out[str(record["id"])] = list(points) if isinstance(points, list) else []
    return out


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("eval_dir", type=Path)
    ap.add_argument("--cv", type=Path, default=None, help="folder of cv-<set>.jsonl predictions")
    ap.add_argument("--out", type=Path, default=None, help="write the predictions here")
    args = ap.parse_args()
    scoring = load_scorer(args.eval_dir)
    system = "key points (cross-validated)" if args.cv else "key points (shipped weights)"
    baseline = "Lead-3, our splitter"
    results = {}
    for set_name in SETS:
        rows = load_rows(args.eval_dir, set_name)
        if args.cv:
            lines = (args.cv / f"cv-{set_name}.jsonl").read_text(encoding="utf-8").splitlines()
            preds = {str(r["id"]): r["summary"] for r in map(json.loads, lines)}
        else:
            preds = shipped(rows, SETS[set_name])
        if args.out:
            args.out.mkdir(parents=True, exist_ok=True)
            with (args.out / f"pred-{set_name}.jsonl").open("w", encoding="utf-8") as fh:
                for doc_id, summary in preds.items():
                    fh.write(json.dumps({"id": doc_id, "summary": summary}) + "\n")
        points = [point for p in preds.values() for point in p]
        engine = ExtractiveSummarizer()
        sectioned = sum(
            len(
                {
                    c.block
                    for c in engine.prepare(Article("", r.get("title") or "", r["text"], ""))[2]
                }
            )
            > 1
            for r in rows
        )
        print(
            f"{set_name}: points over {MAX_POINT_WORDS} words (whole sentences no faithful cut "
            f"shortens): {sum(word_count(p) > MAX_POINT_WORDS for p in points)}, over "
            f"{MAX_WHOLE_WORDS}: {sum(word_count(p) > MAX_WHOLE_WORDS for p in points)}, "
            "of more than one sentence: "
            f"{sum(len(split_sentences(p)) > 1 for p in points)}, fragments: "
            f"{sum(is_fragment(p) for p in points)} (of {len(points)}); documents with "
            f"subheadings (the section-aware pick applies): {sectioned}"
        )
        words = [len(" ".join(p).split()) for p in preds.values()]
        counts = [len(p) for p in preds.values()]
        print(
            f"{set_name}: {len(rows)} documents, {sum(counts) / len(counts):.2f} points and "
            f"{sum(words) / len(words):.1f} words per summary, "
            f"{sum(words) / max(sum(counts), 1):.1f} words per point"
        )
        results[set_name] = {
            system: per_doc(scoring, preds, rows),
            baseline: per_doc(scoring, lead3(rows), rows),
        }
    print(table(results, baseline, system))
    return 0


if __name__ == "__main__":
    sys.exit(main())
