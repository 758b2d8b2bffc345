"""Real `bangfu` processes for the crash benchmarks, their store, and how they die.

bench/write_path.py's helpers (fresh_database, create_schema, bangfu_env, served, cli) name
their server and database by module globals; ``own_database`` points them elsewhere for a run.
"""

from __future__ import annotations

import hashlib
import os
import signal
import subprocess
import time
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from pathlib import Path

from bench import write_path as wp
from bench.write_path import HOST, Client, bangfu_command, cli

ROOT = Path(__file__).resolve().parent.parent
CODE_DIRS = ("api", "cli", "domain", "projections", "stores", "supervision")


@contextmanager
def own_database(name: str, admin_dsn: str) -> Iterator[None]:
    """Point write_path's helpers at database ``name`` on the server of ``admin_dsn``
    meanwhile, so that this run and a write_path run at the same time do not drop each
    other's database."""
    saved = wp.ADMIN_DSN, wp.DB_NAME, wp.DB_URL
    wp.ADMIN_DSN, wp.DB_NAME = admin_dsn, name
    wp.DB_URL = f"{admin_dsn.split('?')[0].rsplit('/', 1)[0]}/{name}"
    try:
        yield
    finally:
        wp.ADMIN_DSN, wp.DB_NAME, wp.DB_URL = saved


def store_url() -> str:
    return f"{wp.DB_URL}?schema=bangfu"


def code_version() -> str:
    """A digest of Bangfu's source: each restart runs what is on disk at that moment."""
    digest = hashlib.sha256()
    for folder in CODE_DIRS:
        for path in sorted((ROOT / folder).rglob("*.py")):
            digest.update(str(path.relative_to(ROOT)).encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()[:12]


def add_users(data_dir: Path) -> dict[str, str]:
    """``bangfu user add bench-ROLE --role ROLE`` for admin, finance and auditor: tokens."""

    def add(role: str) -> str:
        return cli(data_dir, "user", "add", f"bench-{role}", "--role", role)

    tokens = {"admin": add("admin")}  # alone: it creates the tables
    with ThreadPoolExecutor(2) as pool:  # the others at once: each CLI start is slow
        others = ("finance", "auditor")
        tokens |= zip(others, pool.map(add, others), strict=True)
    return tokens


def dead(pid: int, within: float = 5.0) -> bool:
    """The process exited (a zombie not yet reaped, or gone) within ``within`` seconds."""
    deadline = time.monotonic() + within
    while time.monotonic() < deadline:
        try:
            stat = Path(f"/proc/{pid}/stat").read_text()
        except OSError:
            return True
        if stat[stat.rindex(")") + 2] in "ZX":
            return True
        time.sleep(0.01)
    return False


def child_pids(pid: int) -> list[int]:
    """The processes ``pid`` started (the projector's process, multiprocessing's helper)."""
    try:
        return [
            int(child)
            for task in Path(f"/proc/{pid}/task").iterdir()
            for child in (task / "children").read_text().split()
        ]
    except OSError:
        return []


def sigkill(pid: int) -> tuple[bool, list[int]]:
    """SIGKILL to ``pid`` itself: (it died within 5 s, its children still alive 10 s later,
    which are killed too)."""
    children = child_pids(pid)
    os.kill(pid, signal.SIGKILL)
    killed = dead(pid)
    orphans = [c for c in children if not dead(c, within=10.0)]
    for orphan in orphans:
        os.kill(orphan, signal.SIGKILL)
    return killed, orphans


class Bangfu:
    """One long-lived ``bangfu ARGS`` process, started again after each death; its output
    goes to one log in the data directory, appended over the restarts."""

    def __init__(
        self, name: str, data_dir: Path, args: list[str], extra_env: dict[str, str]
    ) -> None:
        self.name, self.data_dir, self.args = name, data_dir, args
        self.env = wp.bangfu_env(data_dir) | extra_env | {"PYTHONUNBUFFERED": "1"}
        self.log = data_dir / f"{name}.log"
        self.process: subprocess.Popen[bytes] | None = None
        self.starts: list[float] = []  # seconds from each start to ready

    @property
    def pid(self) -> int:
        assert self.process is not None, f"{self.name} is not running"
        return self.process.pid

    def start(self, ready: Callable[[int], bool], limit: float = 60.0) -> float:
        """Start and wait until ``ready(offset in the log)``: the seconds it took."""
        started = time.perf_counter()
        offset = self.log.stat().st_size if self.log.exists() else 0
        with self.log.open("ab") as log:
            self.process = subprocess.Popen(
                [bangfu_command(), *self.args],
                env=self.env,
                cwd=self.data_dir,
                stdout=log,
                stderr=subprocess.STDOUT,
            )
        deadline = time.monotonic() + limit
        while not ready(offset):
            if self.process.poll() is not None:
                raise RuntimeError(f"{self.name} exited: {self.tail(offset)}")
            if time.monotonic() > deadline:
                raise RuntimeError(f"{self.name} was not ready within {limit:.0f} s")
            time.sleep(0.1)
        self.starts.append(time.perf_counter() - started)
        return self.starts[-1]

    def start_retrying(self, ready: Callable[[int], bool], notes: list[str]) -> float:
        """``start``, tried three times: other people may be editing the code this run
        restarts, and a half-edited module stops the process from starting."""
        for attempt in range(3):
            try:
                return self.start(ready)
            except RuntimeError as e:
                notes.append(f"{self.name} did not start: {e}")
                self.stop()
                if attempt == 2:
                    raise
                time.sleep(30)
        raise AssertionError("unreachable")

    def tail(self, offset: int = 0) -> str:
        lines = self.log.read_bytes()[offset:].decode(errors="replace").strip().splitlines()
        return lines[-1] if lines else ""

    def exited(self) -> bool:
        """It was started and has ended since (by itself, if nobody killed it)."""
        return self.process is not None and self.process.poll() is not None

    def kill(self) -> tuple[bool, list[int]]:
        """SIGKILL: (dead, orphans), as ``sigkill``."""
        out = sigkill(self.pid)
        assert self.process is not None
        self.process.wait(timeout=10)
        self.process = None
        return out

    def stop(self, sig: int = signal.SIGINT) -> None:
        """Ask it to stop (Ctrl-C), then kill it after 30 s."""
        if self.process is None:
            return
        self.process.send_signal(sig)
        try:
            self.process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait(timeout=10)
        self.process = None


def serving(port: int) -> Callable[[int], bool]:
    """Ready when ``GET /health`` on ``port`` answers 200."""

    def ready(offset: int) -> bool:
        try:
            status, _ = Client(port, "").call("GET", "/health")
        except OSError:
            return False
        return bool(status == 200)

    return ready


def logged(process: Bangfu, text: str) -> Callable[[int], bool]:
    """Ready when the process's log, since it started, holds ``text``."""
    return lambda offset: text.encode() in process.log.read_bytes()[offset:]


def serve(data_dir: Path, port: int, extra_env: dict[str, str]) -> Bangfu:
    return Bangfu("serve", data_dir, ["serve", "--host", HOST, "--port", str(port)], extra_env)
