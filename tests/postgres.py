"""A throwaway PostgreSQL cluster for the tests: Debian's binaries (`make postgres` installs them), initdb
in a temporary directory, started on a free loopback port, one fresh database per test, removed at the end.

initdb and the server refuse to run as root (CI runs as root): there they run as the `postgres` user that
Debian's package creates, or `nobody`.
"""

from __future__ import annotations

import glob
import itertools
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
from pathlib import Path

import psycopg
import pytest

# Test modules that must hold on both backends say `pytestmark = BOTH_BACKENDS`: each of their tests that
# reaches the database (the `database_url` fixture) runs on SQLite and on PostgreSQL (tests/conftest.py).
BACKENDS = ["sqlite", "postgresql"]
BOTH_BACKENDS = pytest.mark.both_backends


def find_binary(name: str) -> Path | None:
    """`name` on PATH, else in Debian's versioned folder (/usr/lib/postgresql/N/bin), newest first."""
    found = shutil.which(name)
    if found:
        return Path(found)
    for folder in sorted(
        glob.glob("/usr/lib/postgresql/*/bin"), key=lambda f: int(f.split("/")[-2]), reverse=True
    ):
        if (Path(folder) / name).exists():
            return Path(folder) / name
    return None


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class PostgresCluster:
    """initdb + pg_ctl start on 127.0.0.1:<free port>; `create_database` hands out fresh databases."""

    def __init__(self) -> None:
        initdb, pg_ctl = find_binary("initdb"), find_binary("pg_ctl")
        if initdb is None or pg_ctl is None:
            raise FileNotFoundError("PostgreSQL's initdb/pg_ctl not found (make postgres installs Debian's)")
        self.pg_ctl = pg_ctl
        self.root = Path(tempfile.mkdtemp(prefix="yorisoi-pg-"))
        self.data = self.root / "data"
        self.port = _free_port()
        self._as: list[str] = []
        if os.geteuid() == 0:
            user = "postgres" if _user_exists("postgres") else "nobody"
            shutil.chown(self.root, user)
            self._as = ["runuser", "-u", user, "--"]
        self._run(initdb, "-D", str(self.data), "-A", "trust", "-U", "postgres", "-E", "UTF8", "--no-sync")
        options = (
            f"-p {self.port} -k {self.root} -c listen_addresses=127.0.0.1 -c fsync=off "
            "-c synchronous_commit=off -c full_page_writes=off -c max_connections=300"
        )
        self._run(pg_ctl, "-D", str(self.data), "-o", options, "-l", str(self.root / "log"), "-w", "start")
        self._names = itertools.count(1)

    def _run(self, binary: Path, *args: str) -> None:
        subprocess.run([*self._as, str(binary), *args], check=True, capture_output=True, cwd=self.root)

    def url(self, database: str = "postgres") -> str:
        return f"postgresql://postgres@127.0.0.1:{self.port}/{database}"

    def create_database(self) -> str:
        name = f"yorisoi_test_{os.getpid()}_{next(self._names)}"
        with psycopg.connect(self.url(), autocommit=True) as conn:
            conn.execute(f'CREATE DATABASE "{name}"')
        return self.url(name)

    def drop_database(self, url: str) -> None:
        name = url.rsplit("/", 1)[1]
        with psycopg.connect(self.url(), autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')

    def stop(self) -> None:
        try:
            self._run(self.pg_ctl, "-D", str(self.data), "-m", "immediate", "stop")
        finally:
            shutil.rmtree(self.root, ignore_errors=True)


def _user_exists(name: str) -> bool:
    try:
        pwd.getpwnam(name)
    except KeyError:
        return False
    return True
