"""The LLM summarizer's calls in parallel: 30 articles through a local fake model that takes
1 s per call, with `[summarize] concurrency` 8, against the same 30 one call at a time.

    .venv/bin/python bench/bench_summarize_llm.py [--articles 30] [--delay 1.0] [--bound 8]

The fake is tests/summarize/fake_llm.py (a real HTTP server on 127.0.0.1); it also reports the
most calls it had in flight at once. The issue's target: under 10 s with a bound of 8. The
baseline is the same client with a bound of 1 (what every build did before, per article).
"""

from __future__ import annotations

import argparse
import sys
import time
from dataclasses import replace
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from tests.summarize.fake_llm import serving
from tests.summarize.test_batch import articles

from digest.summarize import SummarizerSettings, summarize_articles


def timed(bound: int, count: int, delay: float) -> tuple[float, int, int]:
    """(seconds, calls, most in flight) for `count` articles with this bound."""
    with serving() as fake:
        fake.delay = delay
        settings = SummarizerSettings(
            kind="llm", llm_base_url=fake.url, llm_model="tiny", llm_timeout=delay * 10
        )
        started = time.perf_counter()
        made = summarize_articles(articles(count), replace(settings, concurrency=bound), {})
        seconds = time.perf_counter() - started
        assert all(m.identity.kind == "llm" for m in made), [m.note for m in made]
        return seconds, fake.calls, fake.peak


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--articles", type=int, default=30)
    ap.add_argument("--delay", type=float, default=1.0)
    ap.add_argument("--bound", type=int, default=8)
    args = ap.parse_args()
    bounded, calls, peak = timed(args.bound, args.articles, args.delay)
    one, _, _ = timed(1, args.articles, args.delay)
    print(f"{args.articles} articles, fake model {args.delay:.1f} s per call")
    print(f"bound {args.bound}: {bounded:.2f} s, {calls} calls, at most {peak} in flight")
    print(f"bound 1 (one at a time): {one:.2f} s")
    print(f"ratio bounded/sequential: {bounded / one:.3f}")
    print(f"target < 10 s with a bound of 8: {'met' if bounded < 10 else 'NOT met'}")
    print(
        f"TABLE\tsummarize, LLM (local fake, {args.delay:g} s a call)\t{args.articles} articles "
        f"with concurrency {args.bound} vs one at a time\t{bounded:.2f} s vs {one:.2f} s "
        f"({bounded / one:.3f}x), {peak} in flight at most"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
