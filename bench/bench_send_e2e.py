"""End-to-end `digest send` to a local SMTP sink against a bare smtplib loop, in the same run.

The baseline is the limit of this machine: one smtplib connection sending one pre-built
message of the same edition (its `.eml`, as `digest build` writes it) in a loop, run just
before and just after the send (the machine is shared: its load moves within seconds), the
ratio taken against the mean of the two. The sender is
the real command, `digest send`, as a subprocess: interpreter start, config, the subscriber
list, the ledger, building every personal message and sending it. The edition is stored
first by `digest prepare` (everything pending), so the timed command has the whole edition
to send.

    .venv/bin/python bench/bench_send_e2e.py [--subscribers 20000] [--rounds 1]
        [--processes 2] [--connections 3] [--dkim rsa|ed25519]

With `--dkim`, `digest send` signs every message (a new 2048-bit RSA or an Ed25519 key) and
the bare loop sends the same message signed once beforehand: the ratio is then the price of
signing each message (bench/bench_send_dkim.py runs it so).

Prints one line per measurement and a final `ratio` line (send rate / bare loop rate), and
checks that the sink received every subscriber exactly once.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import smtplib
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SINK = ROOT / "bench" / "smtp_sink.py"
PYCACHE = Path(tempfile.gettempdir()) / "digest-bench-pycache"


class Sink:
    """bench/smtp_sink.py in its own process."""

    def __init__(self) -> None:
        self.process = subprocess.Popen(
            [sys.executable, str(SINK)],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
        )
        assert self.process.stdout is not None
        self.port = int(self.process.stdout.readline().split()[1])

    def ask(self, command: str) -> dict[str, int]:
        assert self.process.stdin is not None and self.process.stdout is not None
        self.process.stdin.write(command + "\n")
        self.process.stdin.flush()
        return dict(json.loads(self.process.stdout.readline()))

    def close(self) -> None:
        assert self.process.stdin is not None
        self.process.stdin.close()
        self.process.wait(timeout=10)


def make_project(folder: Path, subscribers: int) -> None:
    shutil.copy(ROOT / "config.toml", folder / "config.toml")
    shutil.copytree(ROOT / "examples", folder / "examples")
    (folder / "subscribers").mkdir()
    rows = "".join(f"reader{i:06d}@example.com,Reader {i}\n" for i in range(subscribers))
    (folder / "subscribers" / "subscribers.csv").write_text("email,name\n" + rows)


def digest(folder: Path, env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "digest.cli", *args],
        cwd=folder,
        env=env,
        capture_output=True,
        text=True,
        timeout=1800,
    )


def smtp_env(port: int, processes: int, connections: int) -> dict[str, str]:
    environ = {k: v for k, v in os.environ.items() if not k.startswith("DIGEST_")}
    # An installed digest has its bytecode compiled (pip does it at install); a checkout run
    # under PYTHONDONTWRITEBYTECODE compiled every module of digest at every start, in the
    # command and in each send process (0.2-0.4 s of a 10-second send). The staging commands
    # write it to a cache of the bench's own, which `digest send` then reads.
    environ.pop("PYTHONDONTWRITEBYTECODE", None)
    environ["PYTHONPYCACHEPREFIX"] = str(PYCACHE)
    environ.update(
        {
            "DIGEST_DELIVERY__PROVIDER": "smtp",
            "DIGEST_DELIVERY__SMTP__HOST": "127.0.0.1",
            "DIGEST_DELIVERY__SMTP__PORT": str(port),
            "DIGEST_DELIVERY__SMTP__SECURITY": "none",
            "DIGEST_DELIVERY__SMTP__CONNECTIONS": str(connections),
            "DIGEST_SCHEDULE__TIMEZONE": "UTC",
            "DIGEST_SECRET": "bench-secret-" + "x" * 32,
        }
    )
    if processes:
        environ["DIGEST_DELIVERY__PROCESSES"] = str(processes)
    return environ


def dkim_key(folder: Path, kind: str, env: dict[str, str]) -> bytes:
    """Write a new private key for `kind` and point the send at it; returns the key."""
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import ed25519, rsa

    key = (
        rsa.generate_private_key(public_exponent=65537, key_size=2048)
        if kind == "rsa"
        else ed25519.Ed25519PrivateKey.generate()
    )
    pem = key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )
    (folder / "dkim.pem").write_bytes(pem)
    env["DIGEST_DELIVERY__SMTP__DKIM_SELECTOR"] = "bench"
    env["DIGEST_DELIVERY__SMTP__DKIM_DOMAIN"] = "example.com"
    env["DIGEST_DELIVERY__SMTP__DKIM_KEY_FILE"] = "dkim.pem"
    return pem


def stage(folder: Path, env: dict[str, str]) -> None:
    """Store the edition with every recipient pending (`digest prepare`), and its preview."""
    staged = dict(env)
    staged.pop("DIGEST_DELIVERY__PROCESSES", None)
    preview = digest(folder, staged, "build", "--out", "build/preview")
    if preview.returncode != 0:
        raise SystemExit(preview.stderr)
    result = digest(folder, staged, "prepare")
    if "prepared for" not in result.stdout + result.stderr:
        raise SystemExit(
            f"digest prepare did not store the edition:\n{result.stdout}\n{result.stderr}"
        )


def bare_loop(port: int, raw: bytes, count: int) -> float:
    """Messages per second of one smtplib connection sending `raw` `count` times."""
    conn = smtplib.SMTP("127.0.0.1", port)
    conn.ehlo()
    started = time.perf_counter()
    for i in range(count):
        conn.sendmail("digest@example.com", [f"bare{i:06d}@example.com"], raw)
    elapsed = time.perf_counter() - started
    conn.quit()
    return count / elapsed


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--subscribers", type=int, default=20000)
    parser.add_argument("--rounds", type=int, default=1)
    parser.add_argument("--processes", type=int, default=0, help="0: the config's default")
    parser.add_argument("--connections", type=int, default=3)
    parser.add_argument("--dkim", choices=("rsa", "ed25519"), default=None)
    args = parser.parse_args(argv)
    sink = Sink()
    ratios: list[float] = []
    rates: list[float] = []
    wires: list[float] = []
    try:
        for round_ in range(args.rounds):
            with tempfile.TemporaryDirectory() as name:
                folder = Path(name)
                make_project(folder, args.subscribers)
                env = smtp_env(sink.port, args.processes, args.connections)
                key = dkim_key(folder, args.dkim, env) if args.dkim else None
                stage(folder, env)
                raw = (folder / "build" / "preview" / "sample.eml").read_bytes()
                if key is not None:  # the baseline sends one message, signed once
                    from digest.deliver.dkimsign import DkimSigner

                    raw = DkimSigner("bench", "example.com", key).sign(raw)
                loops = max(2000, args.subscribers // 4)
                sink.ask("reset")
                before = bare_loop(sink.port, raw, loops)
                sink.ask("reset")
                started = time.perf_counter()
                sent = digest(folder, env, "send")
                elapsed = time.perf_counter() - started
                if sent.returncode != 0:
                    raise SystemExit(f"digest send failed:\n{sent.stdout}\n{sent.stderr}")
                got = sink.ask("count")
                if got["unique"] != args.subscribers or got["duplicates"]:
                    raise SystemExit(f"sink got {got}, expected {args.subscribers} once each")
                after = bare_loop(sink.port, raw, loops)
                wire = (before + after) / 2  # the shared machine's load moves within seconds
                rate = args.subscribers / elapsed
                ratios.append(rate / wire)
                rates.append(rate)
                wires.append(wire)
                print(
                    f"round {round_ + 1}: message={len(raw) / 1024:.0f} KB "
                    f"bare_smtplib_1conn={wire:.0f}/s (before {before:.0f}, after {after:.0f})  "
                    f"digest_send={rate:.0f}/s "
                    f"({args.subscribers} in {elapsed:.1f} s)  ratio={rate / wire:.2f}",
                    flush=True,
                )
    finally:
        sink.close()
    low, high = min(ratios), max(ratios)
    print(f"ratio digest send / bare smtplib loop: {low:.2f}-{high:.2f}")
    processes = args.processes or "automatic"
    signed = f", DKIM {args.dkim}" if args.dkim else ""
    print(
        f"TABLE\tsend, SMTP (local sink)\t`digest send` of {args.subscribers} (processes: "
        f"{processes}{signed}) vs a bare smtplib loop on one connection"
        f"{' sending one pre-signed message' if args.dkim else ''}"
        f"\t{min(rates):.0f}-{max(rates):.0f}"
        f"/s vs {min(wires):.0f}-{max(wires):.0f}/s: {low:.2f}-{high:.2f} of the wire"
    )


if __name__ == "__main__":
    main()
