"""A real PostgreSQL server for tests: initdb + pg_ctl on a free loopback port in a temp folder.

Debian's `postgresql` package puts the server under /usr/lib/postgresql/<version>/bin. initdb and
the server refuse to run as root, so as root they run as the `postgres` user (`runuser`), in a
folder handed to that user. `.ci/run` (as root) installs the package on a fresh machine; where it
is missing, the tests that need it are skipped with one line saying so.
"""

from __future__ import annotations

import os
import secrets
import shutil
import socket
import subprocess
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

USER = "smoke"
SKIP_REASON = (
    "PostgreSQL server binaries not found (/usr/lib/postgresql/*/bin; apt-get install "
    "postgresql): the PostgreSQL history tests did not run"
)


def server_bin() -> Path | None:
    """The newest installed server's bin folder, or None."""
    override = os.environ.get("PRODSMOKE_PG_BIN")
    if override:
        return Path(override) if (Path(override) / "initdb").is_file() else None
    found = sorted(
        Path("/usr/lib/postgresql").glob("*/bin/initdb"),
        key=lambda p: int(p.parent.parent.name) if p.parent.parent.name.isdigit() else 0,
    )
    return found[-1].parent if found else None


@dataclass
class PgServer:
    """A running server: `url(db)` to reach a database; `stop()`/`start()` to take it away."""

    bin: Path
    data: Path
    port: int
    password: str
    as_postgres: bool

    def url(self, database: str = "postgres") -> str:
        return f"postgresql://{USER}:{self.password}@127.0.0.1:{self.port}/{database}"

    def _run(self, *argv: str) -> None:
        command = [str(self.bin / argv[0]), *argv[1:]]
        if self.as_postgres:
            command = ["runuser", "-u", "postgres", "--", *command]
        subprocess.run(command, check=True, capture_output=True, timeout=60)

    def start(self) -> None:
        options = (
            f"-p {self.port} -c listen_addresses=127.0.0.1 -k {self.data} -c fsync=off "
            "-c synchronous_commit=off -c full_page_writes=off -c max_connections=60"
        )
        self._run(
            "pg_ctl",
            "-D",
            str(self.data / "db"),
            "-o",
            options,
            "-w",
            "-t",
            "60",
            "-l",
            str(self.data / "log"),
            "start",
        )

    def stop(self) -> None:
        self._run("pg_ctl", "-D", str(self.data / "db"), "-m", "fast", "-w", "stop")

    def create_database(self) -> str:
        """A new empty database; its URL."""
        import psycopg

        name = f"t_{secrets.token_hex(6)}"
        with psycopg.connect(self.url(), autocommit=True, connect_timeout=10) as conn:
            conn.execute(f'CREATE DATABASE "{name}"')
        return self.url(name)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@contextmanager
def postgres_server() -> Iterator[PgServer | None]:
    """A fresh server for the block; None when PostgreSQL is not installed."""
    bin_dir = server_bin()
    if bin_dir is None:
        yield None
        return
    as_postgres = os.geteuid() == 0
    # as root, under /tmp: the `postgres` user must be able to reach it ($TMPDIR may be private)
    data = Path(tempfile.mkdtemp(prefix="prodsmoke-pg-", dir="/tmp" if as_postgres else None))
    password = secrets.token_urlsafe(12)
    (data / "pw").write_text(password + "\n")
    if as_postgres:
        shutil.chown(data, "postgres", "postgres")
        shutil.chown(data / "pw", "postgres", "postgres")
    server = PgServer(bin_dir, data, free_port(), password, as_postgres)
    server._run(
        "initdb",
        "-D",
        str(data / "db"),
        "-U",
        USER,
        f"--pwfile={data / 'pw'}",
        "--auth-host=scram-sha-256",
        "--auth-local=trust",
        "-E",
        "UTF8",
        "--no-sync",
    )
    server.start()
    try:
        yield server
    finally:
        try:
            server.stop()
        finally:
            shutil.rmtree(data, ignore_errors=True)
