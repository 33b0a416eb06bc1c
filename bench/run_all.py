"""Run every bench/bench_*.py in turn; each prints its figures as ratios against a baseline
measured in the same run. Scripts scored against the evaluation data get its folder
(../shared/eval beside the repo, a developer checkout); without it they are reported as skipped.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
EVAL = HERE.parent.parent / "shared" / "eval"
NEEDS_EVAL = {"bench_summarize.py": [str(EVAL)], "bench_extraction.py": [str(EVAL / "extraction")]}


def main() -> int:
    failed = []
    for script in sorted(HERE.glob("bench_*.py")):
        print(f"== {script.name}", flush=True)
        args = NEEDS_EVAL.get(script.name, [])
        if args and not Path(args[0]).is_dir():
            print(f"skipped: evaluation data not found at {args[0]}", flush=True)
            continue
        if subprocess.run([sys.executable, str(script), *args], cwd=HERE.parent).returncode:
            failed.append(script.name)
    if failed:
        print(f"failed: {', '.join(failed)}", file=sys.stderr)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
