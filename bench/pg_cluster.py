"""A throwaway PostgreSQL cluster of a benchmark's own, that it may crash and restart.

The shared server at 127.0.0.1:5432 is never touched: ``Cluster`` runs initdb into a temporary
folder, starts a postmaster on a free port from 25432 up (below the ephemeral ports, so that
no client's socket holds it when it restarts) with fsync and synchronous_commit on, as in
production, restarts it with ``pg_ctl restart -m immediate`` (every backend killed at once,
no shutdown checkpoint: the next start replays the WAL, as after a power cut), and removes it
all at the end. initdb refuses to run as root: as root, the cluster runs as the ``postgres``
user (``runuser``) in a folder it owns.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import tempfile
import time
from pathlib import Path
from types import TracebackType

import psycopg

from bench.write_path import HOST


def postgres_bin() -> Path:
    """The newest installed PostgreSQL's programs (Debian's layout), else pg_config's."""
    found = sorted(Path("/usr/lib/postgresql").glob("*/bin/initdb"), key=lambda p: int(p.parts[-3]))
    if found:
        return found[-1].parent
    done = subprocess.run(["pg_config", "--bindir"], capture_output=True, text=True, check=True)
    return Path(done.stdout.strip())


def cannot_run() -> str | None:
    """Why this machine cannot run a cluster of its own (None: it can)."""
    try:
        programs = postgres_bin()
    except (OSError, subprocess.CalledProcessError):
        return "PostgreSQL's programs (initdb, pg_ctl) are not installed"
    if not (programs / "initdb").exists():
        return f"no initdb in {programs}"
    if os.geteuid() == 0 and shutil.which("runuser") is None:
        return "running as root, and no runuser to run initdb as the postgres user"
    return None


def postgres_settings(dsn: str) -> str:
    """The server's version and durability settings, for a report."""
    names = ("server_version", "fsync", "synchronous_commit", "commit_delay", "max_connections")
    with psycopg.connect(dsn, autocommit=True) as conn:
        rows = conn.execute(
            "SELECT name, setting FROM pg_settings WHERE name = ANY(%s) ORDER BY name",
            (list(names),),
        ).fetchall()
    return ", ".join(f"{name}={value}" for name, value in rows)


def free_port_from(first: int) -> int:
    for port in range(first, first + 100):
        with socket.socket() as s:
            try:
                s.bind((HOST, port))
            except OSError:
                continue
            return port
    raise RuntimeError(f"no free port in {first}-{first + 99}")


class Cluster:
    """A PostgreSQL cluster in a temporary folder, on its own port, user postgres, trust."""

    def __init__(self, first_port: int = 25432) -> None:
        self.bin = postgres_bin()
        self.port = free_port_from(first_port)
        self.root = Path(tempfile.mkdtemp(prefix="bangfu-chaos-pg-"))
        self.data, self.log = self.root / "data", self.root / "postgres.log"
        self.as_root = os.geteuid() == 0
        self.restarts: list[float] = []  # seconds each restart took, until it accepts again

    @property
    def admin_dsn(self) -> str:
        return f"postgresql://postgres@{HOST}:{self.port}/postgres"

    def _run(self, program: str, *args: str, timeout: float = 120) -> None:
        command = [str(self.bin / program), *args]
        if self.as_root:
            command = ["runuser", "-u", "postgres", "--", *command]
        done = subprocess.run(command, capture_output=True, text=True, timeout=timeout, check=False)
        if done.returncode != 0:
            raise RuntimeError(f"{program} {' '.join(args)} failed: {done.stderr.strip()[-500:]}")

    def _pg_ctl(self, action: str, *extra: str) -> None:
        self._run("pg_ctl", action, "-D", str(self.data), "-l", str(self.log), "-w", *extra)

    def __enter__(self) -> Cluster:
        if self.as_root:
            shutil.chown(self.root, "postgres", "postgres")
        self._run(
            "initdb", "-D", str(self.data), "-U", "postgres", "--auth=trust", "-E", "UTF8",
            "--locale=C.UTF-8",
        )  # fmt: skip
        options = (
            f"-p {self.port} -k {self.root} -c listen_addresses={HOST} -c fsync=on "
            "-c synchronous_commit=on -c max_connections=100"
        )
        self._pg_ctl("start", "-o", options)
        return self

    def restart(self) -> float:
        """A crash-like restart (``-m immediate``): the seconds until it accepts again."""
        started = time.perf_counter()
        self._pg_ctl("restart", "-m", "immediate")
        self.restarts.append(time.perf_counter() - started)
        return self.restarts[-1]

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        trace: TracebackType | None,
    ) -> None:
        try:
            self._pg_ctl("stop", "-m", "immediate")
        finally:
            shutil.rmtree(self.root, ignore_errors=True)
