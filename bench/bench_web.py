"""The public pages under load: `digest serve` as a process, 50 clients on this machine.

Measured in the same run, against the server's own /healthz as the baseline:
- `POST /subscribe` (a new address each, each client its own address through a trusted
  proxy's X-Forwarded-For): requests per second, p99, 5xx; target p99 < 500 ms, no 5xx,
  at least 0.35x the /healthz rate;
- /healthz and /archive while another process holds SQLite's write lock for 5 s: the slowest
  answer (target < 300 ms);
- `POST /preferences/link` for addresses on the list against addresses not on it: the median
  of each (target within 25 %: the mail goes out after the answer).

    .venv/bin/python bench/bench_web.py [--clients 50] [--requests 2000]
"""

from __future__ import annotations

import argparse
import asyncio
import os
import socket
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import httpx

HEALTH_PATHS = ("/healthz", "/archive")


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def newsletter(folder: Path, listed: int) -> Path:
    """A `digest init` folder whose limits let a load test through, with `listed` readers."""
    subprocess.run(
        [sys.executable, "-m", "digest.cli", "init", str(folder)], check=True, capture_output=True
    )
    config = folder / "config.toml"
    text = config.read_text()
    text = text.replace("signups_per_ip_per_hour = 20", "signups_per_ip_per_hour = 1000000")
    text = text.replace("trusted_proxies = []", 'trusted_proxies = ["127.0.0.1"]')
    config.write_text(text)
    rows = "".join(f"reader{n}@example.net,Reader {n},,active\n" for n in range(listed))
    (folder / "subscribers" / "subscribers.csv").write_text("email,name,sections,status\n" + rows)
    return config


Request = tuple[str, str, dict[str, str], str]  # method, path, form, visitor's address


def requests_of(method: str, path: str, forms: list[dict[str, str]], net: int) -> list[Request]:
    """One request per form, each from its own visitor address in 10.<net>.0.0/16."""
    return [(method, path, form, f"10.{net}.{i // 250}.{i % 250}") for i, form in enumerate(forms)]


async def load(base: str, clients: int, requests: list[Request]) -> tuple[float, list[float], int]:
    """Send `requests` from `clients` at once: (requests per second, latencies, 5xx)."""
    queue: asyncio.Queue[Request] = asyncio.Queue()
    for item in requests:
        queue.put_nowait(item)
    latencies: list[float] = []
    errors = 0

    async def client() -> None:
        nonlocal errors
        async with httpx.AsyncClient(base_url=base, timeout=60) as web:
            while not queue.empty():
                method, path, form, visitor = queue.get_nowait()
                started = time.perf_counter()
                answer = await web.request(
                    method, path, data=form or None, headers={"x-forwarded-for": visitor}
                )
                latencies.append(time.perf_counter() - started)
                errors += answer.status_code >= 500

    began = time.perf_counter()
    await asyncio.gather(*(client() for _ in range(clients)))
    return len(requests) / (time.perf_counter() - began), latencies, errors


def p99(latencies: list[float]) -> float:
    return statistics.quantiles(latencies, n=100)[98]


def hold_lock(database: Path, seconds: float, held: threading.Event) -> None:
    holder = sqlite3.connect(database, isolation_level=None)
    holder.execute("BEGIN IMMEDIATE")
    held.set()
    time.sleep(seconds)
    holder.execute("ROLLBACK")
    holder.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clients", type=int, default=50)
    parser.add_argument("--requests", type=int, default=2000)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        config = newsletter(Path(folder) / "news", listed=args.requests)
        port = free_port()
        base = f"http://127.0.0.1:{port}"
        env = {**os.environ, "DIGEST_SECRET": "bench-secret", "DIGEST_NEWSLETTER__BASE_URL": base}
        server = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "digest.cli",
                "--config",
                str(config),
                "serve",
                "--port",
                str(port),
            ],
            env=env,
            stdout=subprocess.DEVNULL,  # uvicorn's access log
            stderr=subprocess.DEVNULL,
        )
        try:
            for _ in range(200):
                try:
                    if httpx.get(f"{base}/healthz").status_code == 200:
                        break
                except httpx.TransportError:
                    time.sleep(0.1)
            # The list is imported on the first send path; a sign-up of each listed reader
            # would be a "notice": import it now through the CLI.
            subprocess.run(
                [sys.executable, "-m", "digest.cli", "--config", str(config), "subscribers",
                 "import", str(config.parent / "subscribers" / "subscribers.csv")],
                env=env, check=True, capture_output=True,
            )  # fmt: skip
            n, clients = args.requests, args.clients
            health = requests_of("GET", "/healthz", [{}] * n, 1)
            new = [{"email": f"new{i}@example.org", "choice": "everything"} for i in range(n)]
            signups = requests_of("POST", "/subscribe", new, 2)
            h_rate, h_lat, h_err = asyncio.run(load(base, clients, health))
            s_rate, s_lat, s_err = asyncio.run(load(base, clients, signups))
            print(f"healthz:   {h_rate:8.0f} req/s  p99 {p99(h_lat) * 1000:6.1f} ms  5xx {h_err}")
            print(f"subscribe: {s_rate:8.0f} req/s  p99 {p99(s_lat) * 1000:6.1f} ms  5xx {s_err}")
            print(f"ratio subscribe/healthz: {s_rate / h_rate:.2f} (target >= 0.35)")

            held = threading.Event()
            database = config.parent / "var" / "digest.db"
            locker = threading.Thread(target=hold_lock, args=(database, 5.0, held))
            locker.start()
            held.wait()
            slowest = 0.0
            with httpx.Client(base_url=base, timeout=60) as web:
                while locker.is_alive():
                    for path in HEALTH_PATHS:
                        started = time.perf_counter()
                        web.get(path)
                        slowest = max(slowest, time.perf_counter() - started)
            locker.join()
            print(f"write lock held 5 s: slowest /healthz or /archive {slowest * 1000:.1f} ms")

            m = min(n, 400)
            on = [{"email": f"reader{i}@example.net"} for i in range(m)]
            off = [{"email": f"nobody{i}@example.net"} for i in range(m)]
            listed = requests_of("POST", "/preferences/link", on, 3)
            unlisted = requests_of("POST", "/preferences/link", off, 4)
            # One client, the two kinds alternating as a prober would send them: each answer's
            # own time (a mail sent after an answer weighs on whatever request comes next).
            mixed = [item for pair in zip(listed, unlisted, strict=True) for item in pair]
            _, times, _ = asyncio.run(load(base, 1, mixed))
            a, b = statistics.median(times[0::2]), statistics.median(times[1::2])
            print(
                f"preferences/link median: listed {a * 1000:.2f} ms, "
                f"unlisted {b * 1000:.2f} ms, ratio {a / b:.2f}"
            )
            rows = (
                (f"POST /subscribe vs GET /healthz, {clients} clients",
                 f"{s_rate / h_rate:.2f}x, p99 {p99(s_lat) * 1000:.0f} ms, 5xx {s_err}"),
                ("/healthz, /archive while the write lock is held 5 s",
                 f"slowest {slowest * 1000:.0f} ms"),
                ("/preferences/link listed vs unlisted", f"{a / b:.2f}x"),
            )  # fmt: skip
            for what, result in rows:
                print(f"TABLE\tweb\t{what}\t{result}")
        finally:
            server.terminate()
            server.wait(timeout=30)


if __name__ == "__main__":
    main()
