"""A real, throwaway PostgreSQL server for the store tests (Debian's ``postgresql`` package).

:func:`start` runs ``initdb`` and ``pg_ctl start`` as the ``postgres`` user when this process is
root (the server refuses to run as root), on a free loopback port, with its data folder in a
temporary directory; :func:`stop` stops it and removes the folder. Each test gets its own
database (:meth:`PgServer.new_database`), so tests never see each other's rows.

Not found (no ``postgresql`` installed: ``scripts/test.sh`` installs it) is an error, not a
skip: the PostgreSQL half of the store tests must run where the suite runs.
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
from dataclasses import dataclass, field
from pathlib import Path

import psycopg

_counter = itertools.count(1)


def _bin_dir() -> Path:
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/pg_ctl"), key=lambda p: int(Path(p).parts[4]))
    if not found:
        raise RuntimeError("PostgreSQL is not installed (no /usr/lib/postgresql/*/bin/pg_ctl): "
                           "apt-get install -y postgresql (scripts/test.sh does)")
    return Path(found[-1]).parent


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _as_server_user(command: list[str]) -> list[str]:
    """Root runs the server as ``postgres``; any other user runs it as itself."""
    return ["runuser", "-u", "postgres", "--", *command] if os.geteuid() == 0 else command


@dataclass
class PgServer:
    folder: Path
    port: int
    bin_dir: Path
    user: str
    databases: list[str] = field(default_factory=list)

    def url(self, database: str = "postgres") -> str:
        return f"postgresql://{self.user}@127.0.0.1:{self.port}/{database}"

    def new_database(self) -> str:
        """A new empty database; its URL."""
        name = f"atlas_test_{os.getpid()}_{next(_counter)}"
        with psycopg.connect(self.url(), autocommit=True) as conn:
            conn.execute(f'CREATE DATABASE "{name}"')
        self.databases.append(name)
        return self.url(name)

    def drop_database(self, url: str) -> None:
        name = url.rsplit("/", 1)[1]
        with psycopg.connect(self.url(), autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def start() -> PgServer:
    bin_dir = _bin_dir()
    folder = Path(tempfile.mkdtemp(prefix="atlas-pg-"))
    data = folder / "data"
    user = "postgres" if os.geteuid() == 0 else pwd.getpwuid(os.geteuid()).pw_name
    if os.geteuid() == 0:
        shutil.chown(folder, "postgres", "postgres")
    port = free_port()
    subprocess.run(_as_server_user([str(bin_dir / "initdb"), "-D", str(data), "-U", user, "--auth=trust",
                                    "--encoding=UTF8", "--locale=C.UTF-8"]),
                   check=True, capture_output=True, timeout=120)
    server = PgServer(folder, port, bin_dir, user)
    start_again(server)
    return server


def start_again(server: PgServer) -> None:
    """Start the server (first start, or after :func:`halt`) on its port; returns once it accepts connections."""
    options = (f"-h 127.0.0.1 -p {server.port} -k {server.folder} -c fsync=off -c synchronous_commit=off"
               " -c full_page_writes=off")
    _pg_ctl(server, "-l", str(server.folder / "server.log"), "-o", options, "-w", "-t", "120", "start")


def _pg_ctl(server: PgServer, *args: str) -> None:
    subprocess.run(_as_server_user([str(server.bin_dir / "pg_ctl"), "-D", str(server.folder / "data"), *args]),
                   check=True, capture_output=True, timeout=180)


def restart(server: PgServer) -> None:
    """Stop the server (every connection is cut) and start it again on the same port."""
    _pg_ctl(server, "-l", str(server.folder / "server.log"), "-m", "fast", "-w", "-t", "120", "restart")


def halt(server: PgServer) -> None:
    """Stop the server (every connection is cut, nothing committed is lost), keeping its data for :func:`start_again`."""
    _pg_ctl(server, "-m", "fast", "-w", "-t", "120", "stop")


def stop(server: PgServer) -> None:
    subprocess.run(_as_server_user([str(server.bin_dir / "pg_ctl"), "-D", str(server.folder / "data"), "-m", "fast",
                                    "-w", "stop"]), capture_output=True, timeout=120)
    shutil.rmtree(server.folder, ignore_errors=True)
