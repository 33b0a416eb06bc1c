"""Send processes: building and sending on every core, while one process keeps the ledger.

Python runs one thread at a time per process, and building a message (links, personal
pieces, MIME) plus talking SMTP costs CPU on every message, so one process tops out at one
core. `ProcessLanes` starts N send processes (spawned: fresh interpreters, nothing inherited
but what they are handed); each makes its own provider, with its own connections, from a
`WorkerSpec`, builds the messages of each job it is given from the subscribers the send loop
resolved, and streams the job's events (`jobs.run_job`) back over its pipe. The send loop in
the parent process claims, dispatches and records; it is the only writer of the ledger, so
SQLite's single writer and the exactly-once rules of docs/delivery.md are unchanged.

With `credits` (SMTP: 2 per connection), a process's connections take one before each message
and the send loop gives them back once it has committed the answers, so a kill of the send
loop leaves at most that many messages per process accepted and unrecorded. A send process
dies with the parent (Linux: PR_SET_PDEATHSIG; anywhere: at the end of its pipe), so a kill -9
of the send leaves no orphans sending jobs nobody will record, and it ignores SIGINT and
SIGTERM, which the parent turns into a clean stop. If one dies on its own, its unanswered
messages are retried, like rows in doubt after a crash.
"""

from __future__ import annotations

import contextlib
import ctypes
import multiprocessing
import os
import queue
import signal
import threading
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from multiprocessing.connection import Connection, wait
from multiprocessing.process import BaseProcess
from pathlib import Path
from typing import Any

from digest.deliver.base import ProviderFactory
from digest.deliver.jobs import Build, Event, Finished, Item, committed_answers, run_job
from digest.errors import DeliveryError

PR_SET_PDEATHSIG = 1
JOBS_PER_PROCESS = 2  # one being sent, one waiting: a process never waits for the parent


@dataclass(frozen=True)
class WorkerSpec:
    """Everything a send process needs, as plain data: the provider factory and its table,
    and the edition's message builder (`personal.Composer`)."""

    name: str
    batch_size: int
    factory: ProviderFactory
    options: Mapping[str, Any]
    base_dir: Path
    environ: Mapping[str, str]
    build: Build
    credits: int | None = None  # messages a process may have out unrecorded (None: no limit)


Job = tuple[int, list[Item]]
Ack = int  # this many more answers of the process are committed: it may send as many more


@dataclass
class _Worker:
    process: BaseProcess
    conn: Connection  # events back, read by the send loop
    outbox: queue.SimpleQueue[Job | Ack | None]  # jobs and acks, written by `feeder`
    feeder: threading.Thread
    jobs: list[int] = field(default_factory=list)
    unacked: int = 0  # answers committed in this round, to give back as credits


def _feed(conn: Connection, outbox: queue.SimpleQueue[Job | Ack | None]) -> None:
    """Write jobs to a send process from a thread of their own, so that handing over a big
    job never blocks the send loop while that process waits to hand back events."""
    with conn:
        while True:
            job = outbox.get()
            try:
                conn.send(job)
            except OSError:
                return  # it died: `events` reports its jobs when it reads its end of pipe
            if job is None:
                return


class ProcessLanes:
    """`processes` send processes, each taking up to JOBS_PER_PROCESS jobs at a time."""

    def __init__(self, spec: WorkerSpec, processes: int) -> None:
        self.name = spec.name
        self.batch_size = spec.batch_size
        self.credits = spec.credits
        context = multiprocessing.get_context("spawn")
        self._workers: list[_Worker] = []
        self._owners: dict[int, _Worker] = {}
        for number in range(processes):
            jobs_in, jobs_out = context.Pipe(duplex=False)
            events_in, events_out = context.Pipe(duplex=False)
            process = context.Process(
                target=serve,
                args=(jobs_in, events_out, spec, os.getpid()),
                name=f"digest-send-{number + 1}",
                daemon=True,
            )
            process.start()
            jobs_in.close()
            events_out.close()
            outbox: queue.SimpleQueue[Job | Ack | None] = queue.SimpleQueue()
            feeder = threading.Thread(target=_feed, args=(jobs_out, outbox), daemon=True)
            feeder.start()
            self._workers.append(_Worker(process, events_in, outbox, feeder))

    @property
    def pids(self) -> list[int]:
        """The send processes still running (for logs and tests)."""
        return [w.process.pid for w in self._workers if w.process.pid is not None]

    def room(self) -> bool:
        return any(len(worker.jobs) < JOBS_PER_PROCESS for worker in self._workers)

    def submit(self, job: int, items: Sequence[Item]) -> None:
        worker = min(self._workers, key=lambda w: len(w.jobs))
        worker.jobs.append(job)
        self._owners[job] = worker
        worker.outbox.put((job, list(items)))

    def recorded(self, events: Sequence[Event]) -> None:
        """Give each process back one credit per answer of its now committed."""
        for event in events:
            worker = self._owners.get(event.job)
            if isinstance(event, Finished):
                self._owners.pop(event.job, None)
            elif worker is not None and self.credits:
                worker.unacked += committed_answers([event])
        for worker in self._workers:
            if worker.unacked:
                worker.outbox.put(worker.unacked)
                worker.unacked = 0

    def events(self) -> list[Event]:
        busy = [worker for worker in self._workers if worker.jobs]
        ready = wait([worker.conn for worker in busy])
        found: list[Event] = []
        for worker in [w for w in busy if w.conn in ready]:
            try:
                while worker.jobs and worker.conn.poll():
                    event: Event = worker.conn.recv()
                    found.append(event)
                    if isinstance(event, Finished):
                        worker.jobs.remove(event.job)
            except (EOFError, OSError):
                found += self._lost(worker)
        return found

    def _lost(self, worker: _Worker) -> list[Event]:
        """A send process that died: its jobs end, their unanswered messages to be retried."""
        self._workers.remove(worker)
        worker.outbox.put(None)
        worker.process.join(timeout=5)
        worker.feeder.join(timeout=5)
        worker.conn.close()
        error = f"send process {worker.process.name} exited (code {worker.process.exitcode})"
        if not self._workers:
            return [Finished(job, error=f"{error}; none left") for job in worker.jobs]
        return [Finished(job, error=error, transient=True) for job in worker.jobs]

    def close(self, grace: float = 30.0) -> None:
        """Tell each send process to finish (it closes its provider) and wait for them all,
        `grace` seconds in all (not each in turn), then end those still running."""
        for worker in self._workers:
            worker.outbox.put(None)
        deadline = time.monotonic() + grace
        for worker in self._workers:
            worker.process.join(timeout=max(0.0, deadline - time.monotonic()))
            if worker.process.is_alive():
                worker.process.kill()
                worker.process.join()
            worker.feeder.join(timeout=5)
            worker.conn.close()
        self._workers = []


def serve(jobs: Connection, conn: Connection, spec: WorkerSpec, parent: int) -> None:
    """A send process: make the provider, then run each job it is sent until told to stop."""
    _die_with(parent)
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_IGN)
    provider = spec.factory(spec.options, spec.base_dir, spec.environ)
    credits = threading.Semaphore(spec.credits) if spec.credits else None
    inbox: queue.SimpleQueue[Job | None] = queue.SimpleQueue()
    threading.Thread(target=_listen, args=(jobs, inbox, credits), daemon=True).start()
    try:
        while (job := inbox.get()) is not None:
            number, items = job
            try:
                for event in run_job(provider, spec.build, number, items, credits):
                    conn.send(event)
            except Exception as exc:  # anything else: end the job and stop the send, named
                error = f"send process: {type(exc).__name__}: {exc}"
                hint = exc.hint if isinstance(exc, DeliveryError) else None
                conn.send(Finished(number, error=error, hint=hint))
    except (EOFError, OSError):
        pass  # the parent is gone
    finally:
        provider.close()


def _listen(
    jobs: Connection, inbox: queue.SimpleQueue[Job | None], credits: threading.Semaphore | None
) -> None:
    """Read the send loop's pipe: jobs for the process's main thread, acks as credits."""
    while True:
        try:
            item = jobs.recv()
        except (EOFError, OSError):
            os._exit(1)  # the send loop is gone: send nothing more that nobody will record
        if isinstance(item, int):
            if credits is not None:
                credits.release(item)
            continue
        inbox.put(item)
        if item is None:
            return


def _die_with(parent: int) -> None:
    """Have the kernel kill this process when the parent dies (Linux); elsewhere the pipe's
    end stops it at its next read or write."""
    with contextlib.suppress(OSError, AttributeError):
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(PR_SET_PDEATHSIG, signal.SIGKILL)
    if os.getppid() != parent:
        os._exit(1)  # the parent died before the line above took effect
