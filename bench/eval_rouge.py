"""Score the shipped summarizer on the dev set with the project's ROUGE scorer.

    .venv/bin/python bench/eval_rouge.py EVAL_DIR [--out predictions.jsonl]

Runs `summarize_jsonl` (exactly what `digest summarize --jsonl` runs) over
EVAL_DIR/news_summaries_dev.jsonl, writes predictions, and prints the scores of the summarizer
and of Lead-3 (first three sentences from the same splitter) from EVAL_DIR/score_summaries.py,
and counts the documents with subheadings (where the section-aware pick applies).
Note: the shipped weights were trained on this same file; the honest figure is the
cross-validated one printed by bench/train_summarizer.py.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
from pathlib import Path

from digest.gather.clean import clean_text
from digest.summarize import ExtractiveSummarizer, split_headline, summarize_jsonl
from digest.summarize.sentences import split_sentences


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("eval_dir", type=Path)
    ap.add_argument("--out", type=Path, default=None)
    args = ap.parse_args()
    dev = args.eval_dir / "news_summaries_dev.jsonl"
    lines = dev.read_text(encoding="utf-8").splitlines()
    out = args.out or Path(tempfile.mkdtemp()) / "predictions.jsonl"
    lead = out.with_name("lead3.jsonl")
    with out.open("w", encoding="utf-8") as fh:
        for record in summarize_jsonl(lines, name=str(dev)):
            summary = record.get("key_points", [])
            fh.write(json.dumps({"id": record["id"], "summary": summary}) + "\n")
    with lead.open("w", encoding="utf-8") as fh:
        for line in lines:
            row = json.loads(line)
            fh.write(json.dumps({"id": row["id"], "summary": split_sentences(row["text"])[:3]}))
            fh.write("\n")
    engine = ExtractiveSummarizer()
    sectioned = 0
    for line in lines:
        title, body = split_headline(clean_text(json.loads(line)["text"]).text, None)
        sectioned += len({c.block for c in engine.candidates(body, title or None)}) > 1
    print(f"documents with subheadings (the section-aware rule applies): {sectioned}")
    scorer = str(args.eval_dir / "score_summaries.py")
    for name, path in (("summarizer", out), ("lead-3 (same splitter)", lead)):
        print(f"== {name}: {path}")
        subprocess.run([sys.executable, scorer, str(path), str(dev)], check=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
