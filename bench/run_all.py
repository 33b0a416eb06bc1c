"""Run every bench/bench_*.py in turn, then print one table of every stage with the machine.

Each script prints its figures as ratios against a baseline measured in the same run, and may
print table rows of its own: lines `TABLE<tab>stage<tab>what, against what<tab>result`.
For the scripts that print none, a row is read from their usual output (ROWS below); a script
whose output no longer matches gets a row pointing at its output above. Scripts scored against
the evaluation data get its folder (../shared/eval beside the repo, a developer checkout);
without it they are reported as skipped.

    .venv/bin/python bench/run_all.py [NAME ...]     # all scripts, or those whose name has NAME
"""

from __future__ import annotations

import os
import platform
import re
import subprocess
import sys
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

HERE = Path(__file__).resolve().parent
EVAL = HERE.parent.parent / "shared" / "eval"
NEEDS_EVAL = {"bench_summarize.py": [str(EVAL)], "bench_extraction.py": [str(EVAL / "extraction")]}
# Several rounds where one run is noisy on a shared machine: the table gives min-max.
ARGS = {
    "bench_send_e2e.py": ["--rounds", "3"],
    "bench_send_dkim.py": ["--rounds", "3"],
    "bench_api.py": ["--rounds", "3"],
    "bench_gather_process.py": ["--rounds", "3"],
}

Row = tuple[str, str, str]


def _gather(out: str) -> list[Row]:
    found = re.search(r"^\s+(.+?)\s+first\s+([\d.]+) s:\s+([\d.]+)x the loop", out, re.M)
    if not found:
        return []
    label, seconds, ratio = found.groups()
    return [
        (
            "gather",
            f"gather_sources ({label}) vs a sequential fetch+parse loop",
            f"{ratio}x ({seconds} s)",
        )
    ]


def _summarize(out: str) -> list[Row]:
    speed = re.search(r"^summarize_jsonl: ([\d,]+) articles/s", out, re.M)
    ratio = re.search(r"^ratio summarizer/baseline: ([\d.]+)", out, re.M)
    if not (speed and ratio):
        return []
    return [
        (
            "summarize",
            "summarize_jsonl vs a naive regex lead-3",
            f"{speed[1]} articles/s, {ratio[1]}x",
        )
    ]


def _render(out: str) -> list[Row]:
    each = re.search(r"^personalise / person\s+([\d.]+) ms", out, re.M)
    ratio = re.search(r"^ratio personalise/full\s+[\d.]+\s+\((\d+)x faster\)", out, re.M)
    if not (each and ratio):
        return []
    return [
        (
            "render",
            "personalise vs a full render per subscriber",
            f"{each[1]} ms, {ratio[1]}x faster",
        )
    ]


def _extraction(out: str) -> list[Row]:
    found = re.search(r"^F1 difference \(extract_page - trafilatura\): ([+-][\d.]+)", out, re.M)
    return [("gather (pages)", "extract_page F1 vs trafilatura", found[1])] if found else []


def _import(out: str) -> list[Row]:
    found = re.findall(r"^\s*(\d+) rows: .*?([\d.]+)x faster, ([\d,]+) rows/s", out, re.M)
    if not found:
        return []
    rows, ratio, speed = found[-1]
    return [
        (
            "subscribers",
            f"streaming import of {rows} rows vs the baseline",
            f"{ratio}x, {speed} rows/s",
        )
    ]


ROWS: dict[str, Callable[[str], list[Row]]] = {
    "bench_gather.py": _gather,
    "bench_summarize.py": _summarize,
    "bench_personalise.py": _render,
    "bench_extraction.py": _extraction,
    "bench_import.py": _import,
}


def table_rows(name: str, out: str) -> list[Row]:
    """The rows a script printed itself, or those read from its output."""
    own = [line.split("\t")[1:4] for line in out.splitlines() if line.startswith("TABLE\t")]
    rows = [(r[0], r[1], r[2]) for r in own if len(r) == 3]
    if not rows and name in ROWS:
        rows = ROWS[name](out)
    return rows or [(name.removeprefix("bench_").removesuffix(".py"), name, "see its output above")]


def machine() -> str:
    model = platform.processor() or platform.machine()
    try:
        with open("/proc/cpuinfo") as info:
            found = re.search(r"^model name\s*:\s*(.+)$", info.read(), re.M)
            model = found[1] if found else model
    except OSError:
        pass
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    memory = ""
    try:
        with open("/proc/meminfo") as info:
            found = re.search(r"^MemTotal:\s+(\d+) kB", info.read(), re.M)
            memory = f", {int(found[1]) / 2**20:.1f} GiB RAM" if found else ""
    except OSError:
        pass
    return (
        f"{model}, {cores} cores{memory}; {platform.system()} {platform.release()}; "
        f"Python {platform.python_version()}"
    )


def load() -> str:
    return " ".join(f"{x:.2f}" for x in os.getloadavg()) if hasattr(os, "getloadavg") else "?"


# Rows in the pipeline's order (by the start of the stage name); others after, as they came.
ORDER = ("gather", "summarize", "render", "MIME", "send, SMTP", "send, SendGrid", "send, exactly")


def _place(row: Row) -> int:
    return next((n for n, start in enumerate(ORDER) if row[0].startswith(start)), len(ORDER))


def print_table(rows: list[tuple[str, str, str]], started: str, start_load: str) -> None:
    print("\n== every stage (ratios against a baseline run alongside)")
    print(f"machine: {machine()}")
    print(f"run: {started}, load average {start_load} at the start, {load()} at the end\n")
    print("| stage | measured (against) | result |")
    print("|---|---|---|")
    for stage, what, result in sorted(rows, key=_place):
        print(f"| {stage} | {what} | {result} |")


def run(script: Path, args: list[str]) -> tuple[int, str]:
    """Run one script, its output shown as it comes and kept for the table."""
    lines: list[str] = []
    with subprocess.Popen(
        [sys.executable, str(script), *args], cwd=HERE.parent, stdout=subprocess.PIPE, text=True
    ) as child:
        assert child.stdout is not None
        for line in child.stdout:
            print(line, end="", flush=True)
            lines.append(line)
    return child.returncode, "".join(lines)


def main(only: list[str]) -> int:
    started = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
    start_load = load()
    failed: list[str] = []
    rows: list[tuple[str, str, str]] = []
    for script in sorted(HERE.glob("bench_*.py")):
        if only and not any(word in script.name for word in only):
            continue
        print(f"== {script.name}", flush=True)
        args = NEEDS_EVAL.get(script.name, [])
        if args and not Path(args[0]).is_dir():
            print(f"skipped: evaluation data not found at {args[0]}", flush=True)
            rows.append((script.name, "skipped", f"evaluation data not found at {args[0]}"))
            continue
        code, out = run(script, [*args, *ARGS.get(script.name, [])])
        if code:
            failed.append(script.name)
            rows.append((script.name, "failed", f"exit {code}"))
            continue
        rows += table_rows(script.name, out)
    print_table(rows, started, start_load)
    if failed:
        print(f"failed: {', '.join(failed)}", file=sys.stderr)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
