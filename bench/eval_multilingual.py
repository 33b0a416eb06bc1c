"""Key points in every language of the multilingual dev files, against Lead-3, with its scorer.

    .venv/bin/python bench/eval_multilingual.py EVAL_DIR [--out DIR] [--given-language]

For each EVAL_DIR/multilingual/*_dev.jsonl: runs `summarize_jsonl` (what `digest summarize
--jsonl` runs; the language is detected from the text unless --given-language passes the
row's `lang`, as a feed's declaration would), writes the predictions, and scores them and
Lead-3 with EVAL_DIR/multilingual/score_multilingual.py (Unicode tokens, Snowball stems,
character bigrams for zh/ja: never rouge-score's ASCII tokenizer). Prints per language: the
documents, how many got no key point or an error, the detector's agreement with the row's
`lang`, the mean points and ROUGE-1/2/L F1 of key points and of Lead-3, and a markdown table
for the README. Needs `snowballstemmer` (the dev extras) for the stems.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
from collections import Counter
from pathlib import Path

from digest.summarize import summarize_jsonl
from digest.summarize.language import detect


def _score(scorer: Path, dev: Path, *args: str) -> dict[str, dict[str, float]]:
    done = subprocess.run(
        [sys.executable, str(scorer), str(dev), *args, "--json"],
        check=True,
        capture_output=True,
        text=True,
    )
    result: dict[str, dict[str, float]] = json.loads(done.stdout)
    return result


def _points(pred: dict[str, object]) -> int:
    points = pred.get("key_points")
    return len(points) if isinstance(points, list) else 0


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("eval_dir", type=Path)
    ap.add_argument("--out", type=Path, default=None, help="keep the predictions here")
    ap.add_argument("--given-language", action="store_true", help="pass each row's lang")
    args = ap.parse_args()
    folder = args.eval_dir / "multilingual"
    scorer = folder / "score_multilingual.py"
    out = args.out or Path(tempfile.mkdtemp(prefix="digest-multilingual-"))
    out.mkdir(parents=True, exist_ok=True)
    lines = ["| file | lang | docs | no key point | detected | points | R1 | R2 | RL | Lead-3 R1 |"]
    lines.append("|---|---|---|---|---|---|---|---|---|---|")
    for dev in sorted(folder.glob("*_dev.jsonl")):
        rows = [json.loads(line) for line in dev.read_text(encoding="utf-8").splitlines()]
        records = [
            {
                "id": row["id"],
                "text": row["text"],
                "title": row.get("title"),
                **({"language": row["lang"]} if args.given_language else {}),
            }
            for row in rows
        ]
        preds = list(summarize_jsonl(map(json.dumps, records), name=dev.name))
        pred_file = out / f"pred-{dev.stem}.jsonl"
        with pred_file.open("w", encoding="utf-8") as fh:
            for pred in preds:
                fh.write(json.dumps(pred, ensure_ascii=False) + "\n")
        ours = _score(scorer, dev, str(pred_file))
        lead = _score(scorer, dev, "--lead3")
        by_id = {str(p["id"]): p for p in preds}
        for lang in sorted(ours):
            mine = [r for r in rows if r["lang"] == lang]
            agree = sum(detect(r["text"]) == lang for r in mine)
            errors = Counter(str(by_id[str(r["id"])].get("error")) for r in mine)
            errors.pop("None", None)
            counts = [_points(by_id[str(r["id"])]) for r in mine]
            o, b = ours[lang], lead[lang]
            print(
                f"{dev.name} {lang}: {o['docs']} docs, no key point {o['no_key_points']} "
                f"(errors: {dict(errors) or 0}), detected {agree}/{len(mine)}, "
                f"{sum(counts) / len(counts):.2f} points; R1/R2/RL {o['rouge1']:.2f} / "
                f"{o['rouge2']:.2f} / {o['rougeL']:.2f}, Lead-3 {b['rouge1']:.2f} / "
                f"{b['rouge2']:.2f} / {b['rougeL']:.2f}"
            )
            lines.append(
                f"| {dev.stem} | {lang} | {o['docs']} | {o['no_key_points']} | "
                f"{agree}/{len(mine)} | {sum(counts) / len(counts):.2f} | {o['rouge1']:.2f} | "
                f"{o['rouge2']:.2f} | {o['rougeL']:.2f} | {b['rouge1']:.2f} |"
            )
    print(f"predictions in {out}")
    print("\n".join(lines))
    return 0


if __name__ == "__main__":
    sys.exit(main())
