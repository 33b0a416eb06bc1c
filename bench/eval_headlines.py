"""How many generated headlines (stories without a title) are complete clauses.

    .venv/bin/python bench/eval_headlines.py EVAL_DIR [--show N]

Runs the headline step of the extractive summarizer (`ExtractiveSummarizer.prepare`) on every
story of both English dev sets with its title removed, and counts the headlines that
`summarize.headline.is_complete` accepts: the whole (compressed) sentence it was made from, or
a clause with a predicate that is not its last word and no dangling last word. The check is a
heuristic (an English verb list, no parser), so --show N prints N headlines at random with
their lead sentence to read by hand; docs/performance-summarize.md reports both counts.
"""

from __future__ import annotations

import argparse
import json
import random
import sys
from pathlib import Path

from digest.models import Article
from digest.summarize import ExtractiveSummarizer
from digest.summarize.headline import is_complete

SETS = ("news_summaries_dev.jsonl", "news_summaries_inshorts_dev.jsonl")


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("eval_dir", type=Path)
    ap.add_argument("--show", type=int, default=0)
    args = ap.parse_args()
    engine = ExtractiveSummarizer()
    shown: list[tuple[str, str]] = []
    for name in SETS:
        rows = [json.loads(line) for line in (args.eval_dir / name).read_text().splitlines()]
        complete = whole = 0
        for row in rows:
            article = Article(url=row["id"], title="", text=row["text"], source=name)
            headline, _, candidates, start = engine.prepare(article)
            lead = candidates[start - 1].text if start else ""
            ok = is_complete(headline, lead)
            complete += ok
            whole += is_complete(headline, lead) and not is_complete(headline)
            shown.append((headline, lead))
        print(
            f"{name}: {len(rows)} untitled stories, complete headlines {complete} "
            f"({100 * complete / len(rows):.1f} %), of them the whole lead sentence: {whole}"
        )
    for headline, lead in random.Random(27).sample(shown, min(args.show, len(shown))):
        print(f"- {headline}\n    from: {lead}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
