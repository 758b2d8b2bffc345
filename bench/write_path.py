"""Benchmark the write path of a hot fund: payments over HTTP to one fund, against the bare library.

Run as ``python -m bench.write_path [--seconds N] [--store postgres]``. In one run, on one fresh
PostgreSQL database (dropped afterwards), it measures:

1. baselines: the eventsourcing library's bare single-event ``save()`` rate (a trivial aggregate,
   one new aggregate a save, the library's own PostgreSQL recorder), 1 and 4 threads, before the
   HTTP phases and again after them (the machine is shared: the second figure shows the drift);
2. the load generator's ceiling: ``wrk`` against ``GET /health`` of the same server;
3. ``POST /payments`` to ONE street fund from 1, 4 and 8 concurrent keep-alive clients, each
   request naming the next of a few hundred cases of that street, for a fixed time each: rate,
   latency, every non-201 answer by status and problem type, the ratio to the bare rates, and
   where the CPU went (server, its PostgreSQL backends, the generator, everything else);
4. archive pages ``GET /cases?centre_id=<street>&limit=50``, sequential, as an admin (each read
   records a PersonalDataRead event) and as an auditor;
5. that every acknowledged payment exists exactly once: the 201 answers' ids against the Payment
   aggregates in the audit trail, their unique references against the fund's movements (read
   from the log), and the fund's disbursed total.

Bangfu itself is driven only through its CLI (``bangfu user add``) and a real ``bangfu serve``
process with default settings (the in-process projector runs as in production), so the script
measures the same thing unchanged after a redesign of the write path. It needs ``wrk`` (Debian:
``apt-get install -y wrk``); ``bench/write_path.lua`` is its script. All traffic goes to
127.0.0.1 and every loop is bounded in time and count.
"""

from __future__ import annotations

import argparse
import http.client
import json
import math
import os
import platform
import resource
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from importlib.metadata import version
from pathlib import Path
from typing import Any
from uuid import UUID
from zoneinfo import ZoneInfo

import psycopg
from eventsourcing.application import Application
from eventsourcing.domain import Aggregate
from rich.console import Console
from rich.table import Table

from domain.funds import Fund
from domain.payments import Payment

ADMIN_DSN = "postgresql://postgres@127.0.0.1:5432/postgres"
DB_NAME = "bangfu_bench_write_path"
DB_URL = f"postgresql://postgres@127.0.0.1:5432/{DB_NAME}"
HOST = "127.0.0.1"
LUA = Path(__file__).with_name("write_path.lua")
OUT = Path(__file__).with_name("RESULTS-write-path.md")
AMOUNT = "10.00"  # every payment is ¥10.00, so the disbursed total is 10 x the payments
AMOUNT_FEN = 1_000
RECEIVED = "100000000.00"  # ample: ten million payments' worth
MAX_SAVES = 5_000_000  # bound on any baseline loop, beside its time limit
CLK_TCK = os.sysconf("SC_CLK_TCK")
console = Console()


# --- machine and process measurements --------------------------------------------------------
def proc_cpu_seconds(pid: int) -> float:
    """User + system CPU seconds of a process (all its threads), 0 if it is gone."""
    try:
        data = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return 0.0
    fields = data[data.rindex(")") + 2 :].split()
    return (int(fields[11]) + int(fields[12])) / CLK_TCK


def machine_cpu() -> tuple[float, float]:
    """(busy, total) CPU seconds of the whole machine since boot, all cores."""
    values = [int(v) for v in Path("/proc/stat").read_text().splitlines()[0].split()[1:]]
    total = sum(values[:8])  # user nice system idle iowait irq softirq steal
    idle = values[3] + values[4]
    return (total - idle) / CLK_TCK, total / CLK_TCK


def busy_processes(seconds: float = 1.0, exclude: set[int] | None = None) -> list[str]:
    """Processes that used more than 5% of a core over ``seconds``: 'name pid 37%'."""

    def sample() -> dict[int, tuple[str, float]]:
        out = {}
        for entry in Path("/proc").iterdir():
            if entry.name.isdigit():
                try:
                    comm = (entry / "comm").read_text().strip()
                except OSError:
                    continue
                out[int(entry.name)] = (comm, proc_cpu_seconds(int(entry.name)))
        return out

    before = sample()
    time.sleep(seconds)
    after = sample()
    busy = []
    for pid, (comm, cpu) in after.items():
        if pid in (exclude or set()) or pid == os.getpid():
            continue
        used = (cpu - before.get(pid, (comm, cpu))[1]) / seconds
        if used > 0.05:
            busy.append((used, f"{comm} {pid} {used:.0%}"))
    return [text for _, text in sorted(busy, reverse=True)]


class PostgresLog:
    """The server's log file, if this user may read it (Debian: /var/log/postgresql/), for
    the errors of the bench database: a lost race is a duplicate key on the events table."""

    def __init__(self) -> None:
        candidates = sorted(
            Path("/var/log/postgresql").glob("postgresql-*.log"), key=lambda f: f.stat().st_mtime
        )
        readable = [f for f in candidates if os.access(f, os.R_OK)]
        self.path = readable[-1] if readable else None

    def mark(self) -> int:
        return self.path.stat().st_size if self.path else 0

    def errors_since(self, offset: int) -> Counter[str] | None:
        """The bench database's ERROR lines logged since ``offset``, by message (None if the
        log cannot be read)."""
        if self.path is None:
            return None
        with self.path.open("rb") as log:
            log.seek(offset if log.seek(0, 2) >= offset else 0)
            text = log.read().decode(errors="replace")
        found: Counter[str] = Counter()
        for line in text.splitlines():
            if f"@{DB_NAME} ERROR:" in line:
                message = line.split("ERROR:", 1)[1].strip()
                if message.startswith("duplicate key value violates unique constraint"):
                    message = "duplicate key (a lost race)"
                found[message[:80]] += 1
        return found


def load_average() -> str:
    return " / ".join(f"{v:.2f}" for v in os.getloadavg())


class Monitor:
    """PostgreSQL statistics of the bench database and its backends' CPU, from outside."""

    def __init__(self) -> None:
        self.conn = psycopg.connect(ADMIN_DSN, autocommit=True)

    def backends(self) -> dict[int, float]:
        rows = self.conn.execute(
            "SELECT pid FROM pg_stat_activity WHERE datname = %s", (DB_NAME,)
        ).fetchall()
        return {pid: proc_cpu_seconds(pid) for (pid,) in rows}

    def transactions(self) -> tuple[int, int]:
        """(committed, rolled back) transactions of the bench database so far."""
        self.conn.execute("SELECT pg_stat_clear_snapshot()")
        row = self.conn.execute(
            "SELECT xact_commit, xact_rollback FROM pg_stat_database WHERE datname = %s",
            (DB_NAME,),
        ).fetchone()
        return (int(row[0]), int(row[1])) if row else (0, 0)

    def settings(self) -> str:
        names = ("server_version", "fsync", "synchronous_commit", "commit_delay", "max_connections")
        rows = self.conn.execute(
            "SELECT name, setting FROM pg_settings WHERE name = ANY(%s) ORDER BY name",
            (list(names),),
        ).fetchall()
        return ", ".join(f"{name}={value}" for name, value in rows)

    def close(self) -> None:
        self.conn.close()


@dataclass
class Cpu:
    """CPU used during a phase, in cores (CPU seconds / wall seconds)."""

    server: float = 0.0
    postgres: float = 0.0  # the bench database's backends
    generator: float = 0.0  # wrk, or this process when it is the client
    other: float = 0.0  # everything else on the machine, PostgreSQL's background work included
    machine: float = 0.0

    def text(self, client: str = "wrk") -> str:
        server = f"server {self.server:.2f}, " if client == "wrk" else ""
        return (
            f"{server}{client} {self.generator:.2f}, postgres {self.postgres:.2f}, "
            f"other {self.other:.2f}"
        )


class CpuMeter:
    def __init__(self, monitor: Monitor, server_pid: int | None) -> None:
        self.monitor, self.server_pid = monitor, server_pid

    def snapshot(self) -> dict[str, Any]:
        self_cpu = os.times()
        children = resource.getrusage(resource.RUSAGE_CHILDREN)
        busy, _ = machine_cpu()
        return {
            "wall": time.perf_counter(),
            "server": proc_cpu_seconds(self.server_pid) if self.server_pid else 0.0,
            "backends": self.monitor.backends(),
            "self": self_cpu.user + self_cpu.system,
            "children": children.ru_utime + children.ru_stime,
            "busy": busy,
        }

    @contextmanager
    def measure(self, out: Cpu, generator: str) -> Iterator[None]:
        """``generator`` is 'children' (wrk, a child process) or 'self' (this process)."""
        start = self.snapshot()
        yield
        end = self.snapshot()
        wall = end["wall"] - start["wall"]
        out.server = (end["server"] - start["server"]) / wall
        out.postgres = (
            sum(cpu - start["backends"].get(pid, 0.0) for pid, cpu in end["backends"].items())
            / wall
        )
        out.generator = (end[generator] - start[generator]) / wall
        out.machine = (end["busy"] - start["busy"]) / wall
        ours = out.server + out.postgres + out.generator
        if generator == "children":
            ours += (end["self"] - start["self"]) / wall
        out.other = max(0.0, out.machine - ours)


# --- the database ----------------------------------------------------------------------------
def fresh_database() -> None:
    with psycopg.connect(ADMIN_DSN, autocommit=True) as conn:
        conn.execute(f"DROP DATABASE IF EXISTS {DB_NAME} WITH (FORCE)")
        conn.execute(f"CREATE DATABASE {DB_NAME}")


def create_schema(name: str) -> None:
    with psycopg.connect(DB_URL, autocommit=True) as conn:
        conn.execute(f'CREATE SCHEMA "{name}"')


def drop_database() -> None:
    with psycopg.connect(ADMIN_DSN, autocommit=True) as conn:
        conn.execute(f"DROP DATABASE IF EXISTS {DB_NAME} WITH (FORCE)")


# --- 1. the bare library's save rate ------------------------------------------------------------
class Tick(Aggregate):
    """A trivial aggregate: its one event is its creation."""


class BareApp(Application[UUID]):
    name = "WritePathBaseline"


def bare_save_rate(threads: int, seconds: float, schema: str, meter: CpuMeter) -> Phase:
    """New one-event aggregates saved one a ``save()`` by ``threads`` threads of one app."""
    create_schema(schema)
    app = BareApp(
        env={
            "PERSISTENCE_MODULE": "eventsourcing.postgres",
            "POSTGRES_DBNAME": DB_NAME,
            "POSTGRES_HOST": HOST,
            "POSTGRES_PORT": "5432",
            "POSTGRES_USER": "postgres",
            "POSTGRES_PASSWORD": "",
            "POSTGRES_SCHEMA": schema,
            "CREATE_TABLE": "y",
        }
    )
    phase = Phase(f"bare save(), {threads} thread{'s' if threads > 1 else ''}", threads)
    try:
        for _ in range(20):  # warm up the pool and the statements
            app.save(Tick())
        in_threads(phase, seconds, meter, lambda i, n: app.save(Tick()))
    finally:
        app.close()
    return phase


def in_threads(
    phase: Phase, seconds: float, meter: CpuMeter, step: Callable[[int, int], object]
) -> None:
    """``phase.clients`` threads call ``step(thread, n)`` for ``seconds``; counts and times."""
    counts = [0] * phase.clients
    deadline = time.monotonic() + seconds

    def work(i: int) -> None:
        n = 0
        while n < MAX_SAVES and time.monotonic() < deadline:
            step(i, n)
            n += 1
        counts[i] = n

    workers = [threading.Thread(target=work, args=(i,)) for i in range(phase.clients)]
    with meter.measure(phase.cpu, "self"):
        started = time.perf_counter()
        for w in workers:
            w.start()
        for w in workers:
            w.join()
        phase.seconds = time.perf_counter() - started
    phase.ok = sum(counts)


def direct_pay_rate(
    threads: int, seconds: float, hot: HotFund, token: str, data_dir: Path, meter: CpuMeter
) -> Phase:
    """``Ledger.pay()`` called by ``threads`` threads of this process on the bench store, with
    the server stopped: the same rules, events and group commit, without HTTP and without the
    views. What the write path itself costs; HTTP and the projector can only add to it."""
    from domain.vocabulary import AssistanceType
    from domain.writes import Context
    from stores import open_ledger

    ledger = open_ledger(
        f"{DB_URL}?schema=bangfu", create_tables=False, master_key_file=data_dir / "master.key"
    )
    phase = Phase(f"Ledger.pay(), {threads} thread{'s' if threads > 1 else ''}", threads)
    try:
        ctx = Context(ledger.authenticate(token))
        fund, cases = UUID(hot.fund_id), [UUID(c) for c in hot.case_ids]

        def pay(n: int, reference: str) -> None:
            case = cases[n % len(cases)]
            kind = AssistanceType.WARMTH_VISIT
            ledger.pay(ctx, fund, case, kind, AMOUNT_FEN, reference, hot.business_date)

        for n in range(20):  # warm up: the first cases in the ledger's cache
            pay(n, f"direct-warm-{threads}-{n}")
        in_threads(
            phase,
            seconds,
            meter,
            lambda i, n: pay(i + n * threads, f"direct-{threads}-{i}-{n}"),
        )
    finally:
        ledger.close()
    return phase


# --- the Bangfu process and its HTTP API --------------------------------------------------------
def bangfu_command() -> str:
    beside = Path(sys.executable).with_name("bangfu")
    found = str(beside) if beside.exists() else shutil.which("bangfu")
    if not found:
        sys.exit("`bangfu` is not installed: pip install -e . in this virtualenv")
    return found


def bangfu_env(data_dir: Path) -> dict[str, str]:
    """This process's environment without BANGFU_* settings, plus the bench store: defaults."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("BANGFU_")}
    return env | {
        "BANGFU_DATABASE_URL": f"{DB_URL}?schema=bangfu",
        "BANGFU_DATA_DIR": str(data_dir),
    }


def run_bangfu(
    data_dir: Path, *args: str, timeout: float = 120
) -> subprocess.CompletedProcess[str]:
    """Run ``bangfu ARGS`` in the data directory (no stray .env), its output captured."""
    return subprocess.run(
        [bangfu_command(), *args],
        env=bangfu_env(data_dir),
        cwd=data_dir,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )


def cli(data_dir: Path, *args: str) -> str:
    """Run ``bangfu ARGS`` in the data directory; the last line it printed."""
    done = run_bangfu(data_dir, *args)
    if done.returncode != 0:
        raise RuntimeError(f"bangfu {' '.join(args)} failed: {done.stderr.strip()}")
    return done.stdout.strip().splitlines()[-1]


def free_port() -> int:
    with socket.socket() as s:
        s.bind((HOST, 0))
        port: int = s.getsockname()[1]
        return port


@contextmanager
def served(data_dir: Path) -> Iterator[tuple[int, int]]:
    """A real ``bangfu serve`` process with default settings: (port, pid)."""
    port = free_port()
    log = (data_dir / "serve.log").open("w")
    process = subprocess.Popen(
        [bangfu_command(), "serve", "--host", HOST, "--port", str(port)],
        env=bangfu_env(data_dir),
        cwd=data_dir,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    try:
        deadline = time.monotonic() + 60
        while True:
            if process.poll() is not None:
                raise RuntimeError(f"bangfu serve exited; see {data_dir / 'serve.log'}")
            try:
                status, _ = Client(port, "").call("GET", "/health")
                if status == 200:
                    break
            except OSError:
                pass
            if time.monotonic() > deadline:
                raise RuntimeError("bangfu serve did not answer /health within 60 s")
            time.sleep(0.2)
        yield port, process.pid
    finally:
        process.send_signal(signal.SIGINT)
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=10)
        log.close()


class Client:
    """A keep-alive HTTP/1.1 client for one user (re-connects after an idle gap)."""

    def __init__(self, port: int, token: str) -> None:
        self.port, self.token = port, token
        self.conn: http.client.HTTPConnection | None = None
        self.last_used = 0.0

    def call(self, method: str, path: str, body: Any = None) -> tuple[int, Any]:
        if self.conn is None or time.monotonic() - self.last_used > 2.0:
            if self.conn is not None:
                self.conn.close()
            self.conn = http.client.HTTPConnection(HOST, self.port, timeout=60)
        headers = {"Authorization": f"Bearer {self.token}"} if self.token else {}
        data = None
        if body is not None:
            data = json.dumps(body, default=str).encode()
            headers["Content-Type"] = "application/json"
        try:
            self.conn.request(method, path, body=data, headers=headers)
            response = self.conn.getresponse()
            raw = response.read()
        except (OSError, http.client.HTTPException):
            self.conn.close()
            self.conn = None
            raise
        self.last_used = time.monotonic()
        is_json = "json" in (response.getheader("content-type") or "")
        return response.status, json.loads(raw) if raw and is_json else raw

    def ok(self, method: str, path: str, body: Any = None) -> Any:
        status, answer = self.call(method, path, body)
        if status not in (200, 201):
            raise RuntimeError(f"{method} {path} answered {status}: {answer}")
        return answer

    def close(self) -> None:
        if self.conn is not None:
            self.conn.close()


def id_number(n: int) -> str:
    """A valid, unique GB 11643 ID number for household ``n``."""
    born = date(1960, 1, 1) + timedelta(days=n)
    body = f"220104{born:%Y%m%d}{n % 1000:03d}"
    weights = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
    return body + "10X98765432"[sum(int(d) * w for d, w in zip(body, weights, strict=True)) % 11]


@dataclass
class HotFund:
    street_id: str
    fund_id: str
    case_ids: list[str]
    business_date: date


def prepare(admin: Client, cases: int) -> HotFund:
    """A street with a fund of ample money and ``cases`` households, through the API."""
    today = datetime.now(ZoneInfo("Asia/Shanghai")).date()
    city = admin.ok("POST", "/centres", {"name": "基准市", "level": "prefecture"})["id"]
    district = admin.ok(
        "POST", "/centres", {"name": "基准区", "level": "county", "parent_id": city}
    )["id"]
    street = admin.ok(
        "POST", "/centres", {"name": "基准街道", "level": "street", "parent_id": district}
    )["id"]
    fund = admin.ok(
        "POST",
        "/funds",
        {
            "centre_id": street,
            "name": "两节送温暖（基准）",
            "source": "acftu_warmth_fund",
            "fiscal_year": today.year,
            "purposes": ["warmth_visit"],
        },
    )["id"]
    admin.ok(
        "POST",
        f"/funds/{fund}/receipts",
        {"amount": RECEIVED, "payer": "全总", "reference": "R-1", "business_date": today},
    )
    case_ids = []
    for n in range(cases):
        case_ids.append(
            admin.ok(
                "POST",
                "/cases",
                {
                    "centre_id": street,
                    "category": "deep_hardship",
                    "primary_cause": "serious_illness",
                    "household_size": 3,
                    "per_capita_monthly_income": "500.00",
                    "person": {"name": f"户主{n}", "id_number": id_number(n)},
                },
            )["id"]
        )
    return HotFund(street, fund, case_ids, today)


def payment_body(hot: HotFund, case_id: str, reference: str) -> dict[str, Any]:
    return {
        "fund_id": hot.fund_id,
        "case_id": case_id,
        "assistance_type": "warmth_visit",
        "amount": AMOUNT,
        "reference": reference,
        "business_date": hot.business_date.isoformat(),
    }


def body_templates(hot: HotFund, path: Path) -> Path:
    """One payment a line, one case after another; wrk puts a unique reference in '%s'."""
    lines = []
    for case_id in hot.case_ids:
        text = json.dumps(payment_body(hot, case_id, "@REF@"), ensure_ascii=False)
        lines.append(text.replace("%", "%%").replace("@REF@", "%s"))
    path.write_text("\n".join(lines) + "\n")
    return path


def wait_for_views(client: Client, limit: float = 300.0) -> tuple[int, float]:
    """Wait until every view has applied the whole log: (lag when asked, seconds it took)."""
    started = time.monotonic()
    first_lag: int | None = None
    while time.monotonic() - started < limit:
        lag = max(int(v["lag"]) for v in client.ok("GET", "/projections/status"))
        first_lag = lag if first_lag is None else first_lag
        if lag == 0:
            return first_lag, time.monotonic() - started
        time.sleep(0.1)
    raise RuntimeError(f"the views did not catch up within {limit:.0f} s")


# --- load phases ---------------------------------------------------------------------------------
@dataclass
class Phase:
    """One measured phase: counts, time, latency, CPU."""

    name: str
    clients: int
    seconds: float = 0.0
    ok: int = 0  # 201 for payments, 200 for reads, saves for baselines
    statuses: Counter[str] = field(default_factory=Counter)
    problems: Counter[str] = field(default_factory=Counter)
    socket_errors: Counter[str] = field(default_factory=Counter)
    latency_ms: dict[str, float] = field(default_factory=dict)
    ids: list[str] = field(default_factory=list)
    in_flight_at_stop: int = 0
    cpu: Cpu = field(default_factory=Cpu)
    transactions: int = 0  # committed + rolled back (a read is a rolled-back transaction)
    pg_errors: Counter[str] | None = None  # None: the PostgreSQL log could not be read
    view_lag: int = 0
    catch_up_seconds: float = 0.0

    @property
    def rate(self) -> float:
        return self.ok / self.seconds if self.seconds else 0.0

    def refused(self) -> str:
        bad = {s: n for s, n in self.statuses.items() if s not in ("200", "201")}
        errors = {f"socket {k}": n for k, n in self.socket_errors.items() if n}
        return ", ".join(f"{k}: {n}" for k, n in sorted((bad | errors).items())) or "none"


def wrk_version() -> str:
    done = subprocess.run([check_wrk(), "-v"], capture_output=True, text=True, check=False)
    return (done.stdout.splitlines() or ["wrk"])[0].split(" Copyright")[0]


def check_wrk() -> str:
    found = shutil.which("wrk")
    if not found:
        sys.exit("this benchmark needs wrk: apt-get install -y wrk (Debian)")
    return found


def run_wrk(
    port: int,
    method: str,
    path: str,
    token: str,
    bodies: Path | None,
    clients: int,
    seconds: float,
    tag: str,
    work_dir: Path,
    meter: CpuMeter,
    name: str,
) -> Phase:
    """``clients`` keep-alive connections, each one request at a time, for ``seconds``."""
    threads = min(clients, 2)  # two cores: more wrk threads would only compete with the server
    out = work_dir / f"wrk-{tag}.out"
    command = [
        check_wrk(),
        f"-t{threads}",
        f"-c{clients}",
        f"-d{max(1, round(seconds))}s",
        "--timeout",
        "60s",
        "-s",
        str(LUA),
        f"http://{HOST}:{port}",
        "--",
        method,
        path,
        token,
        str(bodies) if bodies else "-",
        str(out),
        tag,
        str(threads),
    ]
    phase = Phase(name, clients)
    with meter.measure(phase.cpu, "children"):
        done = subprocess.run(
            command, capture_output=True, text=True, timeout=seconds + 120, check=False
        )
    if done.returncode != 0 or not out.exists():
        raise RuntimeError(f"wrk failed ({done.returncode}): {done.stderr or done.stdout}")
    sent = answered = 0
    for line in out.read_text().splitlines():
        key, _, rest = line.partition(" ")
        if key == "duration_us":
            phase.seconds = int(rest) / 1e6
        elif key == "socket_error":
            kind, count = rest.split()
            if kind != "status":  # wrk's 'status' errors are the answers above 399, counted apart
                phase.socket_errors[kind] += int(count)
        elif key == "latency_us":
            which, value = rest.split()
            phase.latency_ms[which] = int(value) / 1000
        elif key == "sent":
            sent += int(rest)
        elif key == "answered":
            answered += int(rest)
        elif key == "status":
            status, count = rest.split()
            phase.statuses[status] += int(count)
        elif key == "problem":
            count, _, problem = rest.partition(" ")
            phase.problems[problem] += int(count)
        elif key == "id":
            phase.ids.append(rest)
    phase.ok = phase.statuses["201"] if method == "POST" else phase.statuses["200"]
    phase.in_flight_at_stop = sent - answered
    return phase


def settle(monitor: Monitor, client: Client, phase: Phase, ended: float) -> tuple[int, int]:
    """After a load phase: wait for the views, then for PostgreSQL's statistics (an idle
    backend flushes them within 10 s); the transaction counters then."""
    phase.view_lag, phase.catch_up_seconds = wait_for_views(client)
    time.sleep(max(0.0, ended + 11.0 - time.monotonic()))
    return monitor.transactions()


def percentile(ordered: list[float], p: float) -> float:
    """The nearest-rank percentile of sorted values."""
    if not ordered:
        return 0.0
    return ordered[max(0, math.ceil(len(ordered) * p / 100) - 1)]


def sequential_reads(client: Client, path: str, samples: int, name: str, meter: CpuMeter) -> Phase:
    """``samples`` reads one after another on one keep-alive connection."""
    phase = Phase(name, 1)
    client.ok("GET", path)  # one read unmeasured: connection and caches warm
    times = []
    with meter.measure(phase.cpu, "self"):
        started = time.perf_counter()
        for _ in range(samples):
            t = time.perf_counter()
            status, answer = client.call("GET", path)
            times.append((time.perf_counter() - t) * 1000)
            phase.statuses[str(status)] += 1
            if status != 200:
                kind = answer.get("type", "-") if isinstance(answer, dict) else "-"
                phase.problems[f"{status} {kind}"] += 1
            elif len(answer["items"]) != 50:
                phase.problems[f"200 with {len(answer['items'])} items, not 50"] += 1
        phase.seconds = time.perf_counter() - started
    phase.ok = phase.statuses["200"]
    times.sort()
    phase.latency_ms = {
        "p50": statistics.median(times),
        "p95": percentile(times, 95),
        "p99": percentile(times, 99),
        "max": times[-1],
    }
    return phase


def sequential_payments(client: Client, hot: HotFund, count: int, tag: str) -> Phase:
    """A few payments one after another (warm-up): their ids count in the final check."""
    phase = Phase("warm-up payments", 1)
    for n in range(count):
        case_id = hot.case_ids[n % len(hot.case_ids)]
        status, answer = client.call("POST", "/payments", payment_body(hot, case_id, f"{tag}-{n}"))
        phase.statuses[str(status)] += 1
        if status == 201:
            phase.ids.append(answer["id"])
    phase.ok = phase.statuses["201"]
    return phase


# --- exactly once ---------------------------------------------------------------------------------
def fen(yuan: str) -> int:
    whole, _, cents = yuan.partition(".")
    sign = -1 if whole.startswith("-") else 1
    return sign * (abs(int(whole)) * 100 + int((cents + "00")[:2]))


@dataclass
class Check:
    lines: list[str] = field(default_factory=list)
    passed: bool = True

    def expect(self, ok: bool, text: str) -> None:
        self.lines.append(f"{'ok' if ok else 'FAILED'}: {text}")
        self.passed = self.passed and ok


def payments_in_trail(auditor: Client, hot: HotFund) -> dict[str, str]:
    """Payment id -> reference of the fund's payments in the audit trail (Payment.Made)."""
    trail: dict[str, str] = {}
    after, pages = 0, 0
    while pages < 10_000:
        page = auditor.ok(
            "GET",
            f"/audit/events?type={Payment.Made.__name__}&fund_id={hot.fund_id}"
            f"&limit=1000&after={after}",
        )
        for row in page["items"]:
            if row["aggregate"] == "Payment":
                trail[row["originator_id"]] = row["data"].get("reference", "")
        pages += 1
        if page["next"] is None:
            break
        after = page["next"]
    return trail


def check_exactly_once(admin: Client, auditor: Client, hot: HotFund, phases: list[Phase]) -> Check:
    """Every 201 answer's payment exists once; nothing else was paid but requests cut off
    in flight when a phase stopped."""
    check = Check()
    acked = [i for p in phases for i in p.ids]
    in_flight = sum(p.in_flight_at_stop for p in phases)
    wait_for_views(auditor)
    trail = payments_in_trail(auditor, hot)
    moved = admin.ok("GET", f"/funds/{hot.fund_id}/movements")
    paid = Fund.Disbursed.__name__
    paid_refs = Counter(m["reference"] for m in moved if m["type"] == paid)
    fund = admin.ok("GET", f"/funds/{hot.fund_id}")
    acked_set = set(acked)
    check.expect(
        len(acked_set) == len(acked) and "?" not in acked_set,
        f"{len(acked):,} payments acknowledged with 201, each with its own id",
    )
    missing = acked_set - trail.keys()
    check.expect(not missing, f"acknowledged payments missing from the audit trail: {len(missing)}")
    trail_refs = Counter(trail.values())
    check.expect(
        max(trail_refs.values(), default=1) == 1 and max(paid_refs.values(), default=1) == 1,
        "every request's unique reference was paid at most once (trail and fund movements)",
    )
    check.expect(
        trail_refs == paid_refs,
        f"the fund's movements (read from the log) hold the same {sum(paid_refs.values()):,} "
        f"payments as the audit trail ({len(trail):,})",
    )
    disbursed = fen(fund["disbursed"])
    check.expect(
        disbursed == AMOUNT_FEN * len(trail) and fen(fund["balance"]) == fen(RECEIVED) - disbursed,
        f"the fund's disbursed total ¥{fund['disbursed']} = {len(trail):,} x ¥{AMOUNT}, "
        f"balance ¥{fund['balance']}",
    )
    extra = len(trail) - len(acked_set & trail.keys())
    check.expect(
        0 <= extra <= in_flight,
        f"payments stored without a 201 answer: {extra} (requests cut off in flight when a "
        f"phase stopped: {in_flight}; any 503 or 409 wrote nothing)",
    )
    sample = acked[:: max(1, len(acked) // 20)][:20]
    good = 0
    for payment_id in sample:
        status, answer = admin.call("GET", f"/payments/{payment_id}")
        good += status == 200 and answer["reference"] == trail.get(payment_id)
    check.expect(good == len(sample), f"GET /payments/{{id}} finds {good} of {len(sample)} sampled")
    return check


# --- the run -----------------------------------------------------------------------------------
@dataclass
class Run:
    args: argparse.Namespace
    started: datetime
    notes: dict[str, str] = field(default_factory=dict)
    baselines: list[Phase] = field(default_factory=list)
    baselines_after: list[Phase] = field(default_factory=list)
    health: list[Phase] = field(default_factory=list)
    payments: list[Phase] = field(default_factory=list)
    direct: list[Phase] = field(default_factory=list)
    reads: list[Phase] = field(default_factory=list)
    check: Check = field(default_factory=Check)


def git_state() -> str:
    def git(*args: str) -> str:
        done = subprocess.run(
            ["git", "--no-optional-locks", *args],
            cwd=Path(__file__).parent,
            capture_output=True,
            text=True,
            timeout=30,
            check=False,
        )
        return done.stdout.strip()

    commit = git("rev-parse", "--short", "HEAD") or "unknown"
    dirty = git("status", "--porcelain", "--untracked-files=no")
    return f"{commit}{' with uncommitted changes' if dirty else ''}"


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--seconds", type=float, default=20.0, help="per measured phase")
    parser.add_argument("--store", choices=["postgres"], default="postgres")
    parser.add_argument("--clients", default="1,4,8", help="concurrent clients, comma-separated")
    parser.add_argument("--cases", type=int, default=300, help="households at the street")
    parser.add_argument("--samples", type=int, default=200, help="archive reads per role")
    parser.add_argument("--health-seconds", type=float, default=5.0)
    parser.add_argument("--keep", action="store_true", help="keep the benchmark database")
    args = parser.parse_args()
    clients = [int(c) for c in args.clients.split(",")]
    if not 1 <= args.seconds <= 600 or not all(1 <= c <= 64 for c in clients):
        parser.error("--seconds is 1..600 and each client count 1..64")
    check_wrk()
    run = Run(args, datetime.now(UTC))
    run.notes["load average (1/5/15 min) before"] = load_average()
    run.notes["busy processes before (share of one core over 1 s)"] = (
        "; ".join(busy_processes()) or "none"
    )
    fresh_database()
    monitor = Monitor()
    data_dir = Path(tempfile.mkdtemp(prefix="bangfu-bench-write-path-"))
    try:
        run.notes["PostgreSQL"] = monitor.settings()
        meter = CpuMeter(monitor, None)
        for threads in (1, 4):
            console.print(f"baseline: bare save(), {threads} thread(s), {args.seconds:g} s")
            run.baselines.append(bare_save_rate(threads, args.seconds, f"base_{threads}", meter))
        hot, finance = measure_http(run, data_dir, monitor, clients)
        for threads in sorted({1, max(clients)}):
            console.print(f"the write path without HTTP: Ledger.pay(), {threads} thread(s)")
            run.direct.append(direct_pay_rate(threads, args.seconds, hot, finance, data_dir, meter))
        for threads in (1, 4):
            console.print(f"baseline again: bare save(), {threads} thread(s)")
            run.baselines_after.append(
                bare_save_rate(threads, args.seconds, f"base_{threads}_after", meter)
            )
    finally:
        monitor.close()
        if not args.keep:
            drop_database()
        shutil.rmtree(data_dir, ignore_errors=True)
    run.notes["load average (1/5/15 min) after"] = load_average()
    run.notes["busy processes after"] = "; ".join(busy_processes()) or "none"
    report(run)
    if not run.check.passed:
        sys.exit(1)


def measure_http(
    run: Run, data_dir: Path, monitor: Monitor, clients: list[int]
) -> tuple[HotFund, str]:
    args = run.args
    create_schema("bangfu")
    tokens = {}
    for role in ("admin", "finance", "auditor"):
        tokens[role] = cli(data_dir, "user", "add", f"bench-{role}", "--role", role)
    pg_log = PostgresLog()
    with served(data_dir) as (port, pid):
        meter = CpuMeter(monitor, pid)
        admin, finance, auditor = (Client(port, tokens[r]) for r in ("admin", "finance", "auditor"))
        console.print(f"bangfu serve (pid {pid}) on port {port}: {args.cases} households")
        started = time.perf_counter()
        hot = prepare(admin, args.cases)
        run.notes["setup over HTTP"] = (
            f"3 centres, 1 fund, 1 receipt, {args.cases} households in "
            f"{time.perf_counter() - started:.1f} s"
        )
        warm = sequential_payments(finance, hot, 50, "warm")
        bodies = body_templates(hot, data_dir / "payments.txt")
        for c in clients:
            console.print(f"generator ceiling: GET /health, {c} client(s)")
            run.health.append(
                run_wrk(
                    port,
                    "GET",
                    "/health",
                    tokens["finance"],
                    None,
                    c,
                    args.health_seconds,
                    f"h{c}",
                    data_dir,
                    meter,
                    f"GET /health x{c}",
                )
            )
        ended = time.monotonic()
        wait_for_views(admin)
        time.sleep(max(0.0, ended + 11.0 - time.monotonic()))
        before = monitor.transactions()
        for c in clients:
            console.print(f"POST /payments to one fund: {c} client(s), {args.seconds:g} s")
            log_mark = pg_log.mark()
            phase = run_wrk(
                port,
                "POST",
                "/payments",
                tokens["finance"],
                bodies,
                c,
                args.seconds,
                f"c{c}",
                data_dir,
                meter,
                f"POST /payments x{c}",
            )
            after = settle(monitor, admin, phase, time.monotonic())
            phase.transactions = sum(after) - sum(before)
            phase.pg_errors = pg_log.errors_since(log_mark)
            before = after
            run.payments.append(phase)
        path = f"/cases?centre_id={hot.street_id}&limit=50"
        for role, client in (("admin", admin), ("auditor", auditor)):
            console.print(f"archive page reads as {role}: {args.samples} samples")
            run.reads.append(
                sequential_reads(client, path, args.samples, f"GET {path} ({role})", meter)
            )
        console.print("checking that every acknowledged payment exists exactly once")
        run.check = check_exactly_once(admin, auditor, hot, [warm, *run.payments])
        for client in (admin, finance, auditor):
            client.close()
    log = (data_dir / "serve.log").read_text(errors="replace")
    if pg_log.path is None:
        run.notes["lost races"] = "not counted: the PostgreSQL log is not readable here"
    else:
        run.notes["lost races"] = f"counted in {pg_log.path} (duplicate keys of the bench database)"
    run.notes["server log"] = (
        f"{log.count('Traceback')} tracebacks, "
        f"{sum(1 for line in log.splitlines() if line.startswith('ERROR'))} ERROR lines"
    )
    return hot, tokens["finance"]


# --- the report -----------------------------------------------------------------------------------
def ms(phase: Phase, *which: str) -> str:
    return " / ".join(f"{phase.latency_ms.get(w, 0):.1f}" for w in which)


def lost_races(p: Phase) -> str:
    if p.pg_errors is None:
        return "n/a"
    n = p.pg_errors["duplicate key (a lost race)"]
    return f"{n / p.ok:.2f} ({n:,})" if p.ok else f"{n:,}"


def other_pg_errors(p: Phase) -> str:
    if p.pg_errors is None:
        return "n/a"
    other = {k: n for k, n in p.pg_errors.items() if k != "duplicate key (a lost race)"}
    return "; ".join(f"{n} x {k}" for k, n in sorted(other.items())) or "none"


def generator_cost(p: Phase) -> str:
    answered = p.statuses.total()
    if not answered:
        return "-"
    micros = p.cpu.generator * p.seconds / answered * 1e6
    return f"{micros:.0f} µs (≈ {1e6 / micros:,.0f} req/s a core)" if micros else "0"


def tables(run: Run) -> list[tuple[str, list[str], list[list[str]]]]:
    bare1, bare4 = (p.rate for p in run.baselines)
    out = []
    out.append(
        (
            "Baselines: eventsourcing's bare save(), one new one-event aggregate a save",
            ["what", "events/s", "saves", "seconds", "CPU (cores)"],
            [
                [
                    f"{p.name}{' (again, after the HTTP phases)' if again else ''}",
                    f"{p.rate:,.0f}",
                    f"{p.ok:,}",
                    f"{p.seconds:.1f}",
                    p.cpu.text("bench"),
                ]
                for again, phases in ((False, run.baselines), (True, run.baselines_after))
                for p in phases
            ],
        )
    )
    out.append(
        (
            "Load generator ceiling: wrk against GET /health of the same server",
            [
                "clients",
                "requests/s",
                "p50 / p95 / p99 ms",
                "not 200",
                "wrk CPU a request",
                "CPU (cores)",
            ],
            [
                [
                    str(p.clients),
                    f"{p.rate:,.0f}",
                    ms(p, "p50", "p95", "p99"),
                    p.refused(),
                    generator_cost(p),
                    p.cpu.text(),
                ]
                for p in run.health
            ],
        )
    )
    out.append(
        (
            "POST /payments to one fund (finance user, a different case each request)",
            [
                "clients",
                "payments/s",
                "x bare 1 thread",
                "x bare 4 threads",
                "p50 / p95 / p99 / max ms",
                "answers other than 201",
                "lost races a 201 (all)",
                "view lag at end (catch-up)",
            ],
            [
                [
                    str(p.clients),
                    f"{p.rate:,.1f}",
                    f"{p.rate / bare1:.2f}",
                    f"{p.rate / bare4:.2f}",
                    ms(p, "p50", "p95", "p99", "max"),
                    p.refused() + "".join(f"; {n} x {k}" for k, n in sorted(p.problems.items())),
                    lost_races(p),
                    f"{p.view_lag:,} events ({p.catch_up_seconds:.1f} s)",
                ]
                for p in run.payments
            ],
        )
    )
    out.append(
        (
            "Where the time went during each payment phase (CPU in cores; the machine has "
            f"{os.cpu_count()})",
            [
                "clients",
                "server",
                "PostgreSQL backends",
                "wrk",
                "everything else",
                "PostgreSQL transactions a 201",
                "other PostgreSQL errors",
            ],
            [
                [
                    str(p.clients),
                    f"{p.cpu.server:.2f}",
                    f"{p.cpu.postgres:.2f}",
                    f"{p.cpu.generator:.2f}",
                    f"{p.cpu.other:.2f}",
                    f"{p.transactions / p.ok:.1f}" if p.ok else "-",
                    other_pg_errors(p),
                ]
                for p in run.payments
            ],
        )
    )
    out.append(
        (
            "The write path without HTTP: Ledger.pay() in the bench process, the server stopped "
            "(same store, fund and cases; no views running)",
            [
                "what",
                "payments/s",
                "x bare 1 thread",
                "x bare 4 threads",
                "payments",
                "CPU (cores)",
            ],
            [
                [
                    p.name,
                    f"{p.rate:,.1f}",
                    f"{p.rate / bare1:.2f}",
                    f"{p.rate / bare4:.2f}",
                    f"{p.ok:,}",
                    p.cpu.text("bench"),
                ]
                for p in run.direct
            ],
        )
    )
    out.append(
        (
            "Archive page reads, one after another",
            ["what", "samples", "p50 / p95 / p99 / max ms", "not 200"],
            [
                [
                    p.name,
                    str(p.statuses.total()),
                    ms(p, "p50", "p95", "p99", "max"),
                    p.refused() + "".join(f"; {n} x {k}" for k, n in sorted(p.problems.items())),
                ]
                for p in run.reads
            ],
        )
    )
    return out


def command(args: argparse.Namespace) -> str:
    text = f"python -m bench.write_path --seconds {args.seconds:g} --store {args.store}"
    if args.clients != "1,4,8":
        text += f" --clients {args.clients}"
    if args.cases != 300:
        text += f" --cases {args.cases}"
    if args.samples != 200:
        text += f" --samples {args.samples}"
    if args.health_seconds != 5.0:
        text += f" --health-seconds {args.health_seconds:g}"
    return text


def report(run: Run) -> None:
    for title, columns, rows in tables(run):
        table = Table(title=title)
        for column in columns:
            table.add_column(column)
        for row in rows:
            table.add_row(*row)
        console.print(table)
    console.print("Exactly once:")
    for line in run.check.lines:
        console.print(f"  {line}")
    machine = {
        "machine": f"{os.cpu_count()} cores, {platform.platform()}, Python "
        f"{platform.python_version()}",
        "versions": ", ".join(
            f"{p} {version(p)}" for p in ("eventsourcing", "psycopg", "uvicorn", "fastapi")
        )
        + f", {wrk_version()}",
        "code": f"git {git_state()}",
    } | run.notes
    for key, value in machine.items():
        console.print(f"{key}: {value}")
    lines = [
        f"# Write-path benchmark: one hot fund ({run.args.store})",
        "",
        f"Run on {run.started:%Y-%m-%d %H:%M} UTC with `{command(run.args)}` "
        f"({run.args.seconds:g} s a phase).",
        "",
        "Bangfu is driven only through `bangfu user add` and a real `bangfu serve` process with "
        "default settings (the projector in its child process, access log), on a fresh "
        "PostgreSQL schema; the load comes from `wrk` with `bench/write_path.lua` (keep-alive "
        "connections, one request at a time each). Rates and latencies count every answer; "
        "'x bare' divides by the baselines measured at the start of the same run.",
        "",
        "How to read the columns: *lost races* are the bench database's duplicate-key errors "
        "in the PostgreSQL log (a write that lost the optimistic race and was retried); "
        "*PostgreSQL transactions a 201* counts commits and rollbacks in `pg_stat_database` "
        "(every read is a transaction too, the projector's included); CPU is in cores, from "
        "`/proc`: *server* is the `bangfu serve` process, *PostgreSQL backends* those "
        "connected to the bench database, *everything else* the rest of the machine "
        "(other people's work and PostgreSQL's background writers). *View lag* is how far "
        "the slowest view was behind the log when the phase ended, and how long it took to "
        "catch up.",
        "",
    ]
    for title, columns, rows in tables(run):
        lines += [f"## {title}", "", "| " + " | ".join(columns) + " |", "|" + "---|" * len(columns)]
        lines += ["| " + " | ".join(row) + " |" for row in rows]
        lines.append("")
    lines += ["## Exactly once", ""] + [f"- {line}" for line in run.check.lines] + [""]
    lines += ["## Machine", ""] + [f"- {key}: {value}" for key, value in machine.items()]
    OUT.write_text("\n".join(lines) + "\n")
    console.print(f"written to {OUT}")


if __name__ == "__main__":
    main()
