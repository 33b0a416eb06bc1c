"""Learn the extractive summarizer's weights and pick rule; writes digest/summarize/weights.json.

    .venv/bin/python bench/train_summarizer.py EVAL_DIR [--folds 5] [--dry-run]

EVAL_DIR holds news_summaries_dev.jsonl (human highlights) and score_summaries.py. Every
candidate (exactly what the runtime summarizer sees) is labelled by a greedy ROUGE oracle (the
labels are cached under /tmp, keyed by the data and the feature code); an L2 logistic regression
(Newton steps) is fitted to them, then the pick rule's veto threshold, two-long-points word
limit and longest-sentence limit are tuned on the training documents, one after the other.
Cross-validation is BY DOCUMENT: the score printed as "cross-validated" comes from predictions
on folds the weights never saw. The shipped weights are then fitted on all documents.
"""

from __future__ import annotations

import argparse
import hashlib
import importlib.util
import inspect
import json
import pickle
import random
import sys
from dataclasses import replace
from pathlib import Path
from typing import Any

import numpy as np
from rouge_score import rouge_scorer, tokenizers

import digest.summarize.features as features_module
from digest.gather.clean import clean_text
from digest.summarize import ExtractiveSummarizer, split_headline
from digest.summarize.features import FEATURES, candidate_features
from digest.summarize.model import Model, render_points, score_candidates, select

WEIGHTS = Path(__file__).resolve().parent.parent / "src/digest/summarize/weights.json"
CACHE = Path("/tmp/digest-summarizer-cache")
GRID: dict[str, list[float]] = {
    "threshold": [-1e9, -4.0, -3.5, -3.0, -2.75, -2.5, -2.25, -2.0, -1.75, -1.5],
    "pair_words": [10_000, 90, 80, 75, 70, 65, 60],
    "max_words": [10_000, 70, 60, 55, 50, 45],
}
L2 = 10.0
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


def prepare(rows: list[dict[str, Any]], data_key: str) -> list[dict[str, Any]]:
    """Candidates, features and oracle labels per document (labels cached on disk)."""
    code = inspect.getsource(features_module) + inspect.getsource(ExtractiveSummarizer)
    key = hashlib.sha256((data_key + code).encode()).hexdigest()[:16]
    path = CACHE / f"labels-{key}.pkl"
    cached: dict[str, np.ndarray] = pickle.loads(path.read_bytes()) if path.exists() else {}
    engine = ExtractiveSummarizer(model=Model(weights=()))
    docs = []
    for row in rows:
        title, body = split_headline(clean_text(row["text"]).text, row.get("title"))
        cands = engine.candidates(body, title or None)
        if not cands:
            continue
        if row["id"] not in cached:
            labels = oracle([c.text for c in cands], row["reference"])
            cached[row["id"]] = np.array([float(i in labels) for i in range(len(cands))])
        x = np.array(candidate_features(cands, title or None))
        docs.append({"id": row["id"], "ref": "\n".join(row["reference"]), "candidates": cands})
        sectioned = len({c.block for c in cands}) > 1
        docs[-1].update(x=x, y=cached[row["id"]], title=title or None, sectioned=sectioned)
    CACHE.mkdir(exist_ok=True)
    path.write_bytes(pickle.dumps(cached))
    return docs


def fit(docs: list[dict[str, Any]], l2: float = L2) -> np.ndarray:
    """L2-regularised logistic regression by Newton's method (the bias is not penalised)."""
    x = np.vstack([d["x"] for d in docs])
    y = np.concatenate([d["y"] for d in docs])
    w = np.zeros(x.shape[1])
    penalty = l2 * np.eye(x.shape[1])
    penalty[0, 0] = 0.0
    for _ in range(20):
        p = 1 / (1 + np.exp(-(x @ w)))
        grad = x.T @ (p - y) + penalty @ w
        hessian = (x.T * (p * (1 - p))) @ x + penalty + 1e-9 * np.eye(len(w))
        w -= np.linalg.solve(hessian, grad)
    return w


def predict(doc: dict[str, Any], model: Model) -> list[str]:
    scores = (doc["x"] @ np.array(model.weights)).tolist()
    local = scores
    if doc["sectioned"]:
        local = score_candidates(doc["candidates"], doc["title"], model)[1]
    chosen = select(doc["candidates"], scores, model, 5, local)
    return render_points(doc["candidates"], chosen)


def mean_rouge(docs: list[dict[str, Any]], model: Model, scorer: Any) -> float:
    total = 0.0
    for doc in docs:
        s = scorer.score(doc["ref"], "\n".join(predict(doc, model)))
        total += s["rouge1"].fmeasure + s["rouge2"].fmeasure + s["rougeLsum"].fmeasure
    return total / len(docs)


def train(docs: list[dict[str, Any]], scorer: Any) -> Model:
    """Fit the weights, then tune each pick-rule parameter in turn on the same documents."""
    model = Model(weights=tuple(fit(docs).tolist()))
    for name, values in GRID.items():
        options = [replace(model, **{name: type(getattr(model, name))(v)}) for v in values]
        model = max(options, key=lambda m: mean_rouge(docs, m, scorer))
    return model


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
    dev = args.eval_dir / "news_summaries_dev.jsonl"
    raw = dev.read_bytes()
    rows = [json.loads(line) for line in raw.decode("utf-8").splitlines() if line.strip()]
    docs = prepare(rows, hashlib.sha256(raw).hexdigest())
    scorer = rouge_scorer.RougeScorer(["rouge1", "rouge2", "rougeLsum"], use_stemmer=True)
    order = list(range(len(docs)))
    random.Random(13).shuffle(order)
    predictions: dict[str, list[str]] = {}
    for fold in range(args.folds):
        held = {order[i] for i in range(fold, len(order), args.folds)}
        model = train([d for i, d in enumerate(docs) if i not in held], scorer)
        for i in held:
            predictions[docs[i]["id"]] = predict(docs[i], model)
        rule = f"threshold {model.threshold}, pair_words {model.pair_words}"
        print(f"fold {fold + 1}/{args.folds}: {rule}, max_words {model.max_words}", file=sys.stderr)
    refs = {row["id"]: row["reference"] for row in rows}
    scoring = load_scorer_module(args.eval_dir)
    cv = scoring.score(predictions, refs)
    final = train(docs, scorer)
    train_score = scoring.score({d["id"]: predict(d, final) for d in docs}, refs)
    counts = [len(p) for p in predictions.values()]
    print(f"cross-validated ({args.folds} folds by document): {json.dumps(cv)}")
    print(f"training-set (for reference only): {json.dumps(train_score)}")
    print(f"points per document (cross-validated): mean {sum(counts) / len(counts):.2f}")
    print(
        f"shipped rule: threshold {final.threshold}, pair_words {final.pair_words}, "
        f"max_words {final.max_words}"
    )
    for name, weight in zip(FEATURES, final.weights, strict=True):
        print(f"  {name:18s} {weight:+.3f}")
    if not args.dry_run:
        payload = {
            "features": list(FEATURES),
            "weights": [round(w, 5) for w in final.weights],
            "threshold": final.threshold,
            "points": final.points,
            "pair_words": final.pair_words,
            "max_words": final.max_words,
            "redundancy": final.redundancy,
            "trained_on": "news_summaries_dev.jsonl (225 CNN/DailyMail test stories)",
            "cross_validated": cv,
        }
        WEIGHTS.write_text(json.dumps(payload, indent=2) + "\n", encoding="utf-8")
        print(f"wrote {WEIGHTS}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
