"""PostgreSQL killed under `digest worker`s in the middle of a send, and back 10 s later.

The workers (real `digest worker` processes sharing one edition on a real PostgreSQL, started
by tests/pg_server.py, sending to bench/smtp_sink.py) must ride the outage out: back off,
reconnect, and finish the edition without being restarted. What the outage costs is
duplicates: the messages the relay accepted whose commit the dead server never took. Each
sender has at most its credits out unrecorded (`2 x connections` per send process, or per
worker without send processes: docs/delivery.md), so the bound printed is
`workers x max(1, processes) x 2 x connections`. The kill is an immediate shutdown (SIGQUIT
to the postmaster: no checkpoint, crash recovery at the restart), a third of the way in.

    .venv/bin/python bench/bench_pg_restart.py [--subscribers 20000] [--workers 2]
        [--processes 1] [--connections 3] [--down 10] [--lease 30] [--rounds 1]

The rows a worker had claimed when its database went away stay claimed until their lease
ends (`[delivery] lease_seconds`, 300 s by default; `--lease` here), then any worker sends
the ones that were never sent.
"""

from __future__ import annotations

import argparse
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench_send_e2e import Sink, make_project, smtp_env  # noqa: E402
from tests import pg_server  # noqa: E402
from tests.pg_server import PASSWORD, PASSWORD_ENV, PostgresServer  # noqa: E402


def unsent(server: PostgresServer, dbname: str) -> int | None:
    """Deliveries not yet recorded as sent; None while the server does not answer."""
    import psycopg

    try:
        with server.admin(dbname) as conn:
            row = conn.execute("SELECT count(*) FROM deliveries WHERE status <> 'sent'").fetchone()
    except psycopg.OperationalError:
        return None
    return int(row[0]) if row else None


def one_round(server: PostgresServer, sink: Sink, args: argparse.Namespace) -> dict[str, float]:
    dbname = server.create_database()
    # tests/pg_server.py runs with synchronous_commit off (fast tests): a crash then loses
    # the last commits it had acknowledged, rows a worker recorded as sent, which go again.
    # A production server commits durably (the default); so does this database.
    with server.admin() as conn:
        conn.execute(f'ALTER DATABASE "{dbname}" SET synchronous_commit = on')
    with tempfile.TemporaryDirectory() as name:
        folder = Path(name)
        make_project(folder, args.subscribers)
        env = smtp_env(sink.port, args.processes, args.connections)
        env.update(
            {
                "DIGEST_STATE__DATABASE": server.url(dbname),
                PASSWORD_ENV: PASSWORD,
                "DIGEST_DELIVERY__LEASE_SECONDS": str(args.lease),
                "DIGEST_DELIVERY__IDLE_SECONDS": "0.5",
            }
        )
        command = [sys.executable, "-m", "digest.cli"]
        prepared = subprocess.run(
            [*command, "prepare"], cwd=folder, env=env, capture_output=True, text=True
        )
        if prepared.returncode != 0:
            raise SystemExit(f"digest prepare failed:\n{prepared.stderr}")
        sink.ask("reset")
        logs = [(folder / f"worker{i}.log").open("w") for i in range(args.workers)]
        workers = [
            subprocess.Popen(
                [*command, "worker"], cwd=folder, env=env, stdout=log, stderr=subprocess.STDOUT
            )
            for log in logs
        ]
        started = time.monotonic()
        try:
            while sink.ask("count")["messages"] < args.subscribers // 3:
                time.sleep(0.05)
            server.process.send_signal(signal.SIGQUIT)  # immediate shutdown: a crash
            server.process.wait(timeout=60)
            killed = time.monotonic()
            time.sleep(args.down)
            server.resume()
            back = time.monotonic()
            while (left := unsent(server, dbname)) != 0:
                if any(worker.poll() is not None for worker in workers):
                    raise SystemExit(f"a worker exited ({left} unsent): see {folder}/worker*.log")
                if time.monotonic() - back > 900:
                    raise SystemExit(f"{left} still unsent 15 minutes after the restart")
                time.sleep(0.5)
            finished = time.monotonic()
        finally:
            for worker in workers:
                if worker.poll() is None:
                    worker.send_signal(signal.SIGTERM)
            codes = [worker.wait(timeout=120) for worker in workers]
            for log in logs:
                log.close()
            reconnects = sum(
                (folder / f"worker{i}.log").read_text().count("reconnecting in")
                for i in range(args.workers)
            )
        got = sink.ask("count")
    server.drop_database(dbname)
    if got["unique"] != args.subscribers:
        raise SystemExit(f"the sink got {got['unique']} of {args.subscribers} recipients")
    return {
        "duplicates": got["duplicates"],
        "reconnects": reconnects,
        "codes": float(max(codes)),
        "before_kill": killed - started,
        "after_back": finished - back,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--subscribers", type=int, default=20000)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--processes", type=int, default=1)
    parser.add_argument("--connections", type=int, default=3)
    parser.add_argument("--down", type=float, default=10.0)
    parser.add_argument("--lease", type=float, default=30.0)
    parser.add_argument("--rounds", type=int, default=1)
    args = parser.parse_args()
    bin_dir = pg_server.find_bin_dir()
    if bin_dir is None:
        raise SystemExit("PostgreSQL (Debian's postgresql package) is not installed")
    window = args.workers * max(1, args.processes) * 2 * args.connections
    server = pg_server.start(bin_dir)
    sink = Sink()
    found: list[int] = []
    try:
        for round_ in range(args.rounds):
            result = one_round(server, sink, args)
            found.append(int(result["duplicates"]))
            print(
                f"round {round_ + 1}: {args.subscribers} to {args.workers} workers "
                f"(processes {args.processes}, connections {args.connections}), PostgreSQL "
                f"killed after {result['before_kill']:.1f} s and back {args.down:.0f} s later: "
                f"duplicates={int(result['duplicates'])} (window {window}), "
                f"reconnects={int(result['reconnects'])}, every recipient recorded "
                f"{result['after_back']:.1f} s after the restart, workers exited "
                f"{int(result['codes'])} on SIGTERM after",
                flush=True,
            )
    finally:
        sink.close()
        server.stop()
    print(
        f"TABLE\tPostgreSQL killed mid-send, back in {args.down:.0f} s\t{args.subscribers} "
        f"to {args.workers} `digest worker`s\tduplicates {min(found)}-{max(found)} "
        f"(in-flight window {window}); the workers finished without a restart"
    )


if __name__ == "__main__":
    main()
