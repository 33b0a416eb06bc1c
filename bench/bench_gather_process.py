"""`digest gather` as a whole process vs a sequential fetch-and-parse loop, in the same run.

Usage: python bench/bench_gather_process.py [N_FEEDS] [--rounds R]   (default 400 feeds, 3)
The local server of bench_gather.py (its own process, 50 ms per response, the real feeds of
tests/data/gather/feeds/real in turn) stands for many hosts, so the project's config raises
`[gather] per_host` to 20; everything else is the shipped config.toml. Each round times the
sequential loop once and then `digest gather` (a subprocess, start-up and state writes
included) on a fresh project folder, so every feed is fetched and parsed; the CPU seconds are
the process's and its parse workers'. Target: >= 10x the loop, every round.
"""

from __future__ import annotations

import multiprocessing
import os
import re
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from bench_gather import LATENCY, load, sequential, serve

REPO = Path(__file__).resolve().parent.parent
PER_HOST = 20


def project(folder: Path, urls: list[str]) -> Path:
    """The shipped config with `urls` as its only sources and per_host raised, in `folder`."""
    config = (REPO / "config.toml").read_text()
    head, rest = config.split("\n[[sources]]\n", 1)
    tail = rest[rest.index("\n[summarize]") :]
    sources = "".join(
        f'\n[[sources]]\nname = "feed {i}"\nurl = "{url}"\nkind = "feed"\n'
        for i, url in enumerate(urls)
    )
    tail, count = re.subn(r"^per_host = \d+", f"per_host = {PER_HOST}", tail, flags=re.M)
    assert count == 1, "config.toml: no [gather] per_host line to raise"
    (folder / "config.toml").write_text(head + "\n" + sources + tail)
    shutil.copytree(REPO / "subscribers", folder / "subscribers")
    return folder


def gather_process(folder: Path) -> tuple[float, float, str]:
    """Wall and CPU seconds (user + system, with its children) of one `digest gather`."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("DIGEST_")}
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    done = subprocess.run(
        [sys.executable, "-m", "digest.cli", "gather"],
        cwd=folder,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    wall = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if done.returncode != 0:
        sys.exit(f"digest gather failed ({done.returncode}):\n{done.stderr[-2000:]}")
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    ok = len(re.findall(r"│ ok ", done.stdout))
    return wall, cpu, f"{ok} sources ok"


def main() -> None:
    args = sys.argv[1:]
    rounds = 3
    if "--rounds" in args:
        at = args.index("--rounds")
        rounds = int(args[at + 1])
        del args[at : at + 2]
    n = int(args[0]) if args else 400
    receive, send = multiprocessing.Pipe(duplex=False)
    server = multiprocessing.Process(target=serve, args=(send,), daemon=True)
    server.start()
    port = receive.recv()
    urls = [f"http://127.0.0.1:{port}/feed/{i}" for i in range(n)]
    print(f"{n} feeds, {LATENCY * 1000:.0f} ms per response, per_host = {PER_HOST}")
    print(f"start: {load()}")
    ratios, walls, cpus = [], [], []
    for number in range(1, rounds + 1):
        started = time.perf_counter()
        entries = sequential(urls)
        loop = time.perf_counter() - started
        with tempfile.TemporaryDirectory() as tmp:
            wall, cpu, found = gather_process(project(Path(tmp), urls))
        ratios.append(loop / wall)
        walls.append(wall)
        cpus.append(cpu)
        print(
            f"round {number}: sequential loop {loop:6.2f} s ({entries} entries);"
            f" digest gather {wall:5.2f} s, {cpu:5.2f} s CPU ({found}): {loop / wall:4.1f}x"
        )
    print(f"end: {load()}")
    print(
        f"digest gather (process): {min(ratios):.1f}-{max(ratios):.1f}x the loop (target >= 10x),"
        f" {min(walls):.2f}-{max(walls):.2f} s, {min(cpus):.2f}-{max(cpus):.2f} s CPU"
    )
    print(
        f"TABLE\tgather (process)\t`digest gather` of {n} feeds vs a sequential fetch+parse loop"
        f"\t{min(ratios):.1f}-{max(ratios):.1f}x ({min(walls):.2f}-{max(walls):.2f} s,"
        f" {min(cpus):.1f}-{max(cpus):.1f} s CPU)"
    )
    server.terminate()


if __name__ == "__main__":
    main()
