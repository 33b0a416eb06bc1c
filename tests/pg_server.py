"""A real, throw-away PostgreSQL from Debian's `postgresql` package, for the tests.

`start()` runs initdb into a temporary folder and `postgres` on a free port of 127.0.0.1, its unix
socket in that folder, tuned for speed rather than durability (fsync, synchronous_commit and
full_page_writes off). The superuser `postgres` is trusted on the unix socket only (for creating
and dropping databases); over TCP only the role `digest` may log in, with its password checked by
scram-sha-256, so the code under test gets its password the way an operator gives it
(DIGEST_DATABASE_PASSWORD). PostgreSQL refuses to run as root: under root both programs run as
the `postgres` system user, which the package creates.
"""

from __future__ import annotations

import os
import pwd
import re
import shutil
import signal
import subprocess
import tempfile
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import psycopg
from psycopg import sql

from tests.deliver.smtp_server import free_port

ROLE = "digest"
PASSWORD = "digest-test"
PASSWORD_ENV = "DIGEST_DATABASE_PASSWORD"
SUPERUSER = "postgres"
# ~12 concurrent processes with a few connections each, the fixture's own, and headroom.
MAX_CONNECTIONS = 200
START_TIMEOUT = 60.0
STOP_TIMEOUT = 30.0

HBA = f"""\
# TYPE  DATABASE  USER         ADDRESS       METHOD
local   all       {SUPERUSER}                trust
host    all       {ROLE}       127.0.0.1/32  scram-sha-256
"""


def find_bin_dir(root: Path = Path("/usr/lib/postgresql")) -> Path | None:
    """The newest installed version's bin folder (Debian installs no `postgres` on PATH)."""
    found = [
        (tuple(int(part) for part in path.parent.parent.name.split(".")), path.parent)
        for path in root.glob("*/bin/postgres")
        if re.fullmatch(r"\d+(\.\d+)*", path.parent.parent.name)
    ]
    return max(found)[1] if found else None


class PostgresError(RuntimeError):
    """The server would not start; the message carries the end of its log."""


@dataclass
class PostgresServer:
    """A running server; `stop()` ends it and removes its folder."""

    bin_dir: Path
    port: int
    home: Path  # the temporary folder: data/, the socket and the log
    process: subprocess.Popen[bytes]

    @property
    def socket_dir(self) -> Path:
        return self.home

    @property
    def log(self) -> Path:
        return self.home / "postgres.log"

    def url(self, dbname: str) -> str:
        """How the code under test is told where the database is: no password in it."""
        return f"postgresql://{ROLE}@127.0.0.1:{self.port}/{dbname}"

    @contextmanager
    def admin(self, dbname: str = "postgres") -> Iterator[psycopg.Connection[Any]]:
        """A superuser connection over the unix socket, in autocommit."""
        with psycopg.connect(
            host=str(self.socket_dir),
            port=self.port,
            user=SUPERUSER,
            dbname=dbname,
            autocommit=True,
        ) as conn:
            yield conn

    def create_database(self) -> str:
        """A new, empty database owned by `digest`; returns its name."""
        name = f"digest_test_{uuid.uuid4().hex[:16]}"
        with self.admin() as conn:
            conn.execute(
                sql.SQL("CREATE DATABASE {} OWNER {}").format(
                    sql.Identifier(name), sql.Identifier(ROLE)
                )
            )
        return name

    def drop_database(self, name: str) -> None:
        """Drop it even if a test left connections open (WITH (FORCE) ends them)."""
        with self.admin() as conn:
            conn.execute(
                sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name))
            )

    def halt(self) -> None:
        """Stop the server as a crash or a restart would, keeping its data for `resume`."""
        _end(self.process)

    def resume(self) -> None:
        """Start the halted server again, on its port, with its data."""
        server = _launch(self.bin_dir, self.home, self.port, _postgres_user())
        if server is None:
            raise PostgresError(f"port {self.port} was taken while the server was down")
        self.process = server.process

    def stop(self) -> None:
        """Fast shutdown (SIGINT: clients cut, no waiting for them), then kill if it hangs."""
        _end(self.process)
        shutil.rmtree(self.home, ignore_errors=True)


def start(bin_dir: Path) -> PostgresServer:
    """initdb and start a server; retries on a new port if another process took the first."""
    home = Path(tempfile.mkdtemp(prefix="digest-pg-"))
    try:
        as_user = _postgres_user()
        if as_user is not None:
            os.chown(home, as_user.pw_uid, as_user.pw_gid)
        _initdb(bin_dir, home, as_user)
        for _attempt in range(3):
            server = _launch(bin_dir, home, free_port(), as_user)
            if server is not None:
                _create_role(server)
                return server
        raise PostgresError(f"PostgreSQL found no free port:\n{_tail(home / 'postgres.log')}")
    except BaseException:
        shutil.rmtree(home, ignore_errors=True)
        raise


def _postgres_user() -> pwd.struct_passwd | None:
    """Whom to run as: the `postgres` system user under root, else ourselves (None)."""
    if os.geteuid() != 0:
        return None
    try:
        return pwd.getpwnam(SUPERUSER)
    except KeyError:
        raise PostgresError(
            "running as root and there is no `postgres` user to run PostgreSQL as "
            "(Debian's postgresql package creates it)"
        ) from None


def _as(user: pwd.struct_passwd | None) -> dict[str, Any]:
    """Popen arguments that drop to `user` in the child itself: no runuser/su in between, so
    the signals that stop the server reach the postmaster as sent."""
    if user is None:
        return {}
    return {"user": user.pw_uid, "group": user.pw_gid, "extra_groups": []}


def _initdb(bin_dir: Path, home: Path, user: pwd.struct_passwd | None) -> None:
    done = subprocess.run(
        [
            str(bin_dir / "initdb"),
            "--pgdata",
            str(home / "data"),
            "--username",
            SUPERUSER,
            "--encoding",
            "UTF8",
            "--no-locale",
            "--no-sync",  # a throw-away cluster: nothing to flush to disk
            "--auth",
            "reject",  # replaced right below by our own pg_hba.conf
        ],
        cwd=home,
        capture_output=True,
        check=False,
        **_as(user),
    )
    if done.returncode != 0:
        raise PostgresError(f"initdb failed:\n{done.stdout.decode()}{done.stderr.decode()}")
    (home / "data" / "pg_hba.conf").write_text(HBA)


def _launch(
    bin_dir: Path, home: Path, port: int, user: pwd.struct_passwd | None
) -> PostgresServer | None:
    """Start on `port` and wait until it answers; None when the port was taken meanwhile."""
    log = home / "postgres.log"
    settings = {
        "port": port,
        "listen_addresses": "127.0.0.1",
        "unix_socket_directories": home,
        "max_connections": MAX_CONNECTIONS,
        "fsync": "off",
        "synchronous_commit": "off",
        "full_page_writes": "off",
    }
    args = [str(bin_dir / "postgres"), "-D", str(home / "data")]
    for key, value in settings.items():
        args += ["-c", f"{key}={value}"]
    with open(log, "wb") as out:  # a log per attempt: the port check reads its own
        process = subprocess.Popen(
            args, cwd=home, stdin=subprocess.DEVNULL, stdout=out, stderr=out, **_as(user)
        )
    server = PostgresServer(bin_dir=bin_dir, port=port, home=home, process=process)
    # A bounded poll: the server tells readiness only by accepting connections.
    deadline = time.monotonic() + START_TIMEOUT
    while time.monotonic() < deadline:
        if process.poll() is not None:
            if "already in use" in _tail(log):
                return None
            raise PostgresError(f"PostgreSQL exited with {process.returncode}:\n{_tail(log)}")
        try:
            with server.admin():
                return server
        except psycopg.OperationalError:
            time.sleep(0.05)
    _end(process)
    raise PostgresError(f"PostgreSQL did not answer within {START_TIMEOUT:.0f} s:\n{_tail(log)}")


def _create_role(server: PostgresServer) -> None:
    try:
        with server.admin() as conn:
            conn.execute(
                sql.SQL("CREATE ROLE {} LOGIN PASSWORD {}").format(
                    sql.Identifier(ROLE), sql.Literal(PASSWORD)
                )
            )
    except BaseException:
        _end(server.process)
        raise


def _end(process: subprocess.Popen[bytes]) -> None:
    if process.poll() is not None:
        return
    process.send_signal(signal.SIGINT)
    try:
        process.wait(STOP_TIMEOUT)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


def _tail(log: Path, lines: int = 20) -> str:
    try:
        return "\n".join(log.read_text(errors="replace").splitlines()[-lines:])
    except OSError:
        return ""
