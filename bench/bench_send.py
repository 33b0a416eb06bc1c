"""Kill-and-resume at scale: 2,000 subscribers through SMTP (in one process and with two
send processes) and through Resend.

The send worker (tests/deliver/send_worker.py) is killed with SIGKILL twice (at about a third
and two thirds of the edition), then run to the end. The servers count what they accepted.
Then one SMTP run without kills per mode measures the exactly-once window itself: for every
message, the time from the server's 250 (aiosmtpd handler) to the COMMIT of its `sent` row in
the worker (both on the same monotonic clock):

    .venv/bin/python bench/bench_send.py [RECIPIENTS] [ROUNDS]
"""

from __future__ import annotations

import json
import random
import signal
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Mapping
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests.deliver.fake_apis import FakeApi  # noqa: E402
from tests.deliver.smtp_server import RecordingHandler, start  # noqa: E402

WORKER = ROOT / "tests" / "deliver" / "send_worker.py"


def serve_api(fake: FakeApi) -> ThreadingHTTPServer:
    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
            request = httpx.Request(
                "POST", f"http://local{self.path}", headers=dict(self.headers), content=body
            )
            response = fake.handle(request)
            self.send_response(response.status_code)
            for key, value in response.headers.items():
                if key.lower() not in ("content-length", "transfer-encoding"):
                    self.send_header(key, value)
            self.send_header("Content-Length", str(len(response.content)))
            self.end_headers()
            self.wfile.write(response.content)

        def log_message(self, *args: object) -> None:
            return None

    class QuietServer(ThreadingHTTPServer):
        def handle_error(self, request: object, client_address: object) -> None:
            return None  # the killed worker's half-read answers

    server = QuietServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


def run(
    db: Path,
    count: int,
    provider: str,
    target: str,
    delivered: Callable[[], int],
    kill_at: int | None,
    delay: float = 0.0,
    processes: int = 1,
) -> dict[str, object] | float:
    worker = subprocess.Popen(
        [
            sys.executable,
            str(WORKER),
            str(db),
            str(count),
            provider,
            target,
            f"--processes={processes}",
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    if kill_at is None:
        out, err = worker.communicate()
        if worker.returncode != 0:
            raise SystemExit(err)
        return dict(json.loads(out.strip().splitlines()[-1]))
    while delivered() < kill_at and worker.poll() is None:
        time.sleep(0.001)
    time.sleep(delay)
    killed = time.monotonic()
    worker.send_signal(signal.SIGKILL)
    worker.wait()
    return killed


def trial(
    name: str,
    count: int,
    target: str,
    delivered: Callable[[], int],
    counts: Callable[[], Mapping[str, int]],
    mode: str,
    accepted_at: Mapping[str, float] | None = None,
    processes: int = 1,
) -> int:
    """mode "accept": kill right after the server accepted a message (the worst moment);
    "random": kill at a random moment 0-50 ms later. Returns the duplicates (two kills)."""
    with tempfile.TemporaryDirectory() as folder:
        db = Path(folder) / "ledger.db"
        started = time.perf_counter()
        kills = []
        kill_times: list[float] = []
        for fraction in (1 / 3, 2 / 3):
            delay = random.uniform(0, 0.05) if mode == "random" else 0.0
            killed = run(
                db, count, name, target, delivered, int(count * fraction), delay, processes
            )
            assert isinstance(killed, float)
            kill_times.append(killed)
            kills.append(delivered())
        report = run(db, count, name, target, delivered, None, processes=processes)
        elapsed = time.perf_counter() - started
    received = counts()
    unique = len(received)
    duplicates = sum(received.values()) - unique
    assert isinstance(report, dict)
    gaps = ""
    if accepted_at is not None:
        # For each duplicate: how long before the SIGKILL (nearest kill) the server gave its
        # first 250; negative: the 250 left after the kill was decided, before it took effect.
        before_kill = sorted(
            round(min((k - accepted_at[r] for k in kill_times), key=abs) * 1e6)
            for r, n in received.items()
            if n > 1
        )
        gaps = f" dup_250_before_kill_us={before_kill}"
    label = f"{name}x{processes}" if processes > 1 else name
    print(
        f"{label:7s} kill={mode:6s} recipients={count} killed_at={kills} unique={unique} "
        f"duplicates={duplicates} "
        f"in_doubt_last_run={report['in_doubt']} ledger_sent={report['sent']} "
        f"elapsed={elapsed:.1f}s ({count / elapsed:.0f} msg/s incl. 3 process starts){gaps}"
    )
    if unique != count:
        raise SystemExit(f"{label}: {count - unique} recipients skipped")
    return duplicates


def window(count: int, processes: int = 1) -> float:
    """Server 250 -> ledger COMMIT per message, in microseconds, over one clean SMTP run;
    returns the median."""
    handler = RecordingHandler()
    controller = start(handler)
    with tempfile.TemporaryDirectory() as folder:
        commits = Path(folder) / "commits.json"
        worker = subprocess.run(
            [
                sys.executable,
                str(WORKER),
                str(Path(folder) / "ledger.db"),
                str(count),
                "smtp",
                str(controller.port),
                str(commits),
                f"--processes={processes}",
            ],
            capture_output=True,
            text=True,
            check=True,
        )
        committed: dict[str, float] = json.loads(commits.read_text())
    controller.stop()
    assert worker.returncode == 0
    gaps = sorted(
        (committed[email] - accepted) * 1e6 for email, accepted in handler.accepted_at.items()
    )

    def pick(q: float) -> float:
        return gaps[min(len(gaps) - 1, int(q * len(gaps)))]

    label = f"smtpx{processes}" if processes > 1 else "smtp"
    print(
        f"{label:7s} window 250->commit messages={len(gaps)} median={pick(0.5):.0f}us "
        f"p90={pick(0.9):.0f}us p99={pick(0.99):.0f}us max={gaps[-1]:.0f}us"
    )
    return pick(0.5)


def main() -> None:
    count = int(sys.argv[1]) if len(sys.argv) > 1 else 2000
    rounds = int(sys.argv[2]) if len(sys.argv) > 2 else 1
    random_kills: dict[str, list[int]] = {"smtp": [], "smtpx2": [], "resend": []}
    for mode in ("accept", "random") * rounds:
        for processes in (1, 2):
            handler = RecordingHandler()
            controller = start(handler)
            duplicates = trial(
                "smtp",
                count,
                str(controller.port),
                handler.messages.__len__,
                handler.recipients,
                mode,
                handler.accepted_at,
                processes,
            )
            controller.stop()
            if mode == "random":
                random_kills["smtp" if processes == 1 else "smtpx2"].append(duplicates)

        fake = FakeApi("resend")
        server = serve_api(fake)
        base_url = f"http://127.0.0.1:{server.server_address[1]}"
        duplicates = trial(
            "resend",
            count,
            base_url,
            fake.delivered.total,
            fake.delivered.copy,
            mode,
        )
        if mode == "random":
            random_kills["resend"].append(duplicates)
        server.shutdown()
        if fake.schema_errors:
            print("schema errors:", fake.schema_errors[:3])
    inline, parallel = window(count), window(count, processes=2)

    def per_kill(key: str) -> str:
        runs = random_kills[key]
        return f"{sum(runs) / (2 * len(runs)):.1f}" if runs else "-"

    print(
        "TABLE\tsend, exactly once (kill -9, resume)\tduplicates per kill at a random moment: "
        f"SMTP in one process / with 2 send processes / Resend; median 250-to-commit\t"
        f"{per_kill('smtp')} / {per_kill('smtpx2')} / {per_kill('resend')}; nobody skipped; "
        f"{inline:.0f} us / {parallel:.0f} us"
    )


if __name__ == "__main__":
    main()
