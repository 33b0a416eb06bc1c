"""The real PostgreSQL fixture: the role logs in with the password from the environment only,
each test's database is new and empty, and two of them do not see each other."""

from __future__ import annotations

import os

import psycopg
import pytest

from tests.pg_server import PASSWORD_ENV, ROLE, PostgresServer

TABLES = (
    "SELECT count(*) FROM pg_tables WHERE schemaname NOT IN ('pg_catalog', 'information_schema')"
)


def test_the_role_logs_in_over_tcp_with_the_password_from_the_environment(
    postgres_server: PostgresServer, postgres_url: str, pg_env: dict[str, str]
) -> None:
    assert postgres_url.startswith(f"postgresql://{ROLE}@127.0.0.1:{postgres_server.port}/")
    assert pg_env[PASSWORD_ENV] == os.environ[PASSWORD_ENV]  # for subprocesses and in-process
    with psycopg.connect(postgres_url, password=os.environ[PASSWORD_ENV]) as conn:
        row = conn.execute("SELECT current_user, host(inet_server_addr())").fetchone()
        assert row == (ROLE, "127.0.0.1")
    with postgres_server.admin() as admin:
        stored = admin.execute(
            "SELECT rolpassword LIKE 'SCRAM-SHA-256$%%' FROM pg_authid WHERE rolname = %s", [ROLE]
        ).fetchone()
        methods = admin.execute(
            "SELECT DISTINCT auth_method FROM pg_hba_file_rules WHERE type = 'host'"
        ).fetchall()
    assert stored == (True,)
    assert methods == [("scram-sha-256",)]


def test_the_database_is_new_empty_and_owned_by_the_role(
    postgres_url: str, pg_env: dict[str, str]
) -> None:
    with psycopg.connect(postgres_url, password=os.environ[PASSWORD_ENV]) as conn:
        assert conn.execute(TABLES).fetchone() == (0,)
        owner = conn.execute(
            "SELECT pg_get_userbyid(datdba) FROM pg_database WHERE datname = current_database()"
        ).fetchone()
        assert owner == (ROLE,)
        conn.execute("CREATE TABLE t (id int PRIMARY KEY)")  # the owner may build its schema
        conn.execute("INSERT INTO t VALUES (1)")


@pytest.mark.parametrize("password", ["wrong", None])
def test_a_wrong_or_missing_password_is_refused(
    postgres_url: str, password: str | None, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("PGPASSWORD", raising=False)
    monkeypatch.setenv("PGPASSFILE", os.devnull)  # no ~/.pgpass may supply one instead
    with pytest.raises(psycopg.OperationalError, match="password"):
        psycopg.connect(postgres_url, password=password, connect_timeout=10).close()


def test_the_superuser_cannot_log_in_over_tcp(postgres_server: PostgresServer) -> None:
    with pytest.raises(psycopg.OperationalError, match=r"pg_hba\.conf"):
        psycopg.connect(
            host="127.0.0.1", port=postgres_server.port, user="postgres", dbname="postgres"
        ).close()


def test_two_databases_are_independent_and_dropped_after_use(
    postgres_server: PostgresServer, pg_env: dict[str, str]
) -> None:
    first, second = postgres_server.create_database(), postgres_server.create_database()
    assert first != second
    password = os.environ[PASSWORD_ENV]
    try:
        with psycopg.connect(postgres_server.url(first), password=password) as conn:
            conn.execute("CREATE TABLE only_here (x text)")
            conn.execute("INSERT INTO only_here VALUES ('a')")
        with psycopg.connect(postgres_server.url(second), password=password) as conn:
            assert conn.execute(TABLES).fetchone() == (0,)
        # A connection a test leaves open does not keep its database from being dropped.
        lingering = psycopg.connect(postgres_server.url(second), password=password)
    finally:
        postgres_server.drop_database(first)
        postgres_server.drop_database(second)
    with pytest.raises(psycopg.OperationalError):
        lingering.execute("SELECT 1")
    lingering.close()
    with postgres_server.admin() as admin:
        names = {row[0] for row in admin.execute("SELECT datname FROM pg_database")}
    assert not {first, second} & names
