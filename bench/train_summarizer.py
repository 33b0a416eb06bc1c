"""Learn the extractive summarizer's feature weights; writes src/digest/defaults/.

    .venv/bin/python bench/train_summarizer.py EVAL_DIR [--folds 5] [--dry-run]

EVAL_DIR holds news_summaries_dev.jsonl (human highlights) and score_summaries.py. Each
candidate sentence (exactly what the runtime summarizer sees) is labelled by a greedy ROUGE
oracle; a logistic regression over the features is fitted, and the count threshold (add a 3rd,
4th... point while its score clears it) is tuned on the training documents. Cross-validation is
BY DOCUMENT: the score printed as "cross-validated" comes from predictions on folds the weights
never saw. The shipped weights are then fitted on all documents.
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import random
import sys
from pathlib import Path
from typing import Any

import numpy as np
from rouge_score import rouge_scorer, tokenizers

from digest.gather.clean import clean_text
from digest.summarize import (
    FEATURES,
    ExtractiveSummarizer,
    Model,
    candidate_features,
    select,
    split_headline,
)

WEIGHTS = Path(__file__).resolve().parent.parent / "src/digest/defaults/summarizer_weights.json"
THRESHOLDS = [x / 4 for x in range(-10, 1)]
_TOKENIZER = tokenizers.DefaultTokenizer(use_stemmer=True)


def ngrams(tokens: list[str], n: int) -> set[tuple[str, ...]]:
    return {tuple(tokens[i : i + n]) for i in range(len(tokens) - n + 1)}


def f1(pred: set[Any], ref: set[Any]) -> float:
    hit = len(pred & ref)
    return 0.0 if not hit else 2 * hit / (len(pred) + len(ref))


def oracle(sentences: list[str], reference: list[str], limit: int = 3) -> set[int]:
    """Greedy oracle: add the sentence that most raises ROUGE-1 + ROUGE-2 F1."""
    ref_tokens = _TOKENIZER.tokenize(" ".join(reference))
    ref1, ref2 = set(ref_tokens), ngrams(ref_tokens, 2)
    toks = [_TOKENIZER.tokenize(s) for s in sentences]
    chosen: list[int] = []
    best = 0.0
    while len(chosen) < limit:
        gains = []
        for i in range(len(sentences)):
            if i in chosen:
                continue
            joined = [t for j in [*chosen, i] for t in toks[j]]
            gains.append((f1(set(joined), ref1) + f1(ngrams(joined, 2), ref2), i))
        if not gains:
            break
        value, index = max(gains)
        if value <= best:
            break
        best = value
        chosen.append(index)
    return set(chosen)


def prepare(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    engine = ExtractiveSummarizer()
    docs = []
    for row in rows:
        title, body = split_headline(clean_text(row["text"]).text, row.get("title"))
        cands = engine.candidates(body, title or None)
        if not cands:
            continue
        labels = oracle([c.text for c in cands], row["reference"])
        docs.append(
            {
                "id": row["id"],
                "reference": row["reference"],
                "candidates": cands,
                "x": np.array(candidate_features(cands, title or None)),
                "y": np.array([1.0 if i in labels else 0.0 for i in range(len(cands))]),
            }
        )
    return docs


def fit(docs: list[dict[str, Any]], l2: float = 1e-2, steps: int = 3000) -> np.ndarray:
    x = np.vstack([d["x"] for d in docs])
    y = np.concatenate([d["y"] for d in docs])
    w = np.zeros(x.shape[1])
    lr = 0.5
    for _ in range(steps):
        p = 1 / (1 + np.exp(-(x @ w)))
        grad = x.T @ (p - y) / len(y) + l2 * np.r_[0.0, w[1:]]
        w -= lr * grad
    return w


def predict(doc: dict[str, Any], model: Model) -> list[str]:
    scores = [model.score(row) for row in doc["x"].tolist()]
    chosen = sorted(select(doc["candidates"], scores, model, max_points=5))
    return [doc["candidates"][i].text for i in chosen]


def mean_rouge(docs: list[dict[str, Any]], model: Model, scorer: Any) -> float:
    total = 0.0
    for doc in docs:
        s = scorer.score("\n".join(doc["reference"]), "\n".join(predict(doc, model)))
        total += s["rouge1"].fmeasure + s["rouge2"].fmeasure + s["rougeLsum"].fmeasure
    return total / len(docs)


def train(docs: list[dict[str, Any]], scorer: Any) -> Model:
    w = fit(docs)
    best = max(
        THRESHOLDS,
        key=lambda t: mean_rouge(docs, Model(tuple(w.tolist()), t), scorer),
    )
    return Model(tuple(w.tolist()), best)


def load_scorer_module(eval_dir: Path) -> Any:
    spec = importlib.util.spec_from_file_location(
        "score_summaries", eval_dir / "score_summaries.py"
    )
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("eval_dir", type=Path)
    ap.add_argument("--folds", type=int, default=5)
    ap.add_argument("--dry-run", action="store_true", help="do not write the weights")
    args = ap.parse_args()
    with open(args.eval_dir / "news_summaries_dev.jsonl", encoding="utf-8") as fh:
        rows = [json.loads(line) for line in fh]
    docs = prepare(rows)
    scorer = rouge_scorer.RougeScorer(["rouge1", "rouge2", "rougeLsum"], use_stemmer=True)
    order = list(range(len(docs)))
    random.Random(13).shuffle(order)
    predictions: dict[str, list[str]] = {}
    for fold in range(args.folds):
        held = {order[i] for i in range(fold, len(order), args.folds)}
        model = train([d for i, d in enumerate(docs) if i not in held], scorer)
        for i in held:
            predictions[docs[i]["id"]] = predict(docs[i], model)
        print(f"fold {fold + 1}/{args.folds}: threshold {model.threshold}", file=sys.stderr)
    refs = {row["id"]: row["reference"] for row in rows}
    cv = load_scorer_module(args.eval_dir).score(predictions, refs)
    final = train(docs, scorer)
    train_score = load_scorer_module(args.eval_dir).score(
        {d["id"]: predict(d, final) for d in docs}, refs
    )
    counts = [len(p) for p in predictions.values()]
    print(f"cross-validated ({args.folds} folds by document): {json.dumps(cv)}")
    print(f"training-set (for reference only): {json.dumps(train_score)}")
    print(f"points per document: mean {sum(counts) / len(counts):.2f}")
    for name, weight in zip(FEATURES, final.weights, strict=True):
        print(f"  {name:18s} {weight:+.3f}")
    if not args.dry_run:
        payload = {
            "features": list(FEATURES),
            "weights": [round(w, 5) for w in final.weights],
            "threshold": final.threshold,
            "min_points": final.min_points,
            "redundancy": final.redundancy,
            "trained_on": "news_summaries_dev.jsonl (225 CNN/DailyMail test stories)",
            "cross_validated": cv,
        }
        WEIGHTS.write_text(json.dumps(payload, indent=2) + "\n", encoding="utf-8")
        print(f"wrote {WEIGHTS}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
