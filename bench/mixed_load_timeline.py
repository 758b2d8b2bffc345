"""Second by second through the held phase of bench/mixed_load.py: where a stall comes from.

A sampler thread reads, once a second, what each process did in that second (CPU of every serve
worker, the projector and the bench database's PostgreSQL backends; RSS of the workers), the
events appended (the highest notification id), PostgreSQL's own checkpoints and any autovacuum
or other backend waiting on a lock. Joined with the client's answers bucketed by the second they
were due, the report prints the seconds whose p99 went over the target with what the servers
were doing then, and writes every second to a CSV beside the results.

With ``spy`` set, a second in which fewer than a third of the offered requests were answered
triggers ``py-spy dump`` of every serve worker (at most one dump every 5 s), kept for the report:
what the workers were doing during the stall.
"""

from __future__ import annotations

import csv
import http.client
import subprocess
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

import psycopg

from bench import write_path as wp
from bench.mixed_load_client import Tally, percentile
from bench.processes import child_pids
from bench.write_path import HOST

CSV_OUT = Path(__file__).with_name("RESULTS-mixed-load-timeline.csv")
TARGET_MS = 100.0


def _rss_mb(pid: int) -> float:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return 0.0


@dataclass
class Second:
    """What the servers did in one second of the held phase."""

    at: float  # seconds since the phase began
    cpu: dict[str, float]  # cores: "w<pid>", "projector", "PostgreSQL"
    rss_mb: dict[str, float]
    events: int  # appended in this second
    pg_checkpoints: int  # PostgreSQL checkpoints that began in this second
    waiting: list[str]  # backends waiting on a lock, and autovacuum workers, as seen then


@dataclass
class Sampler:
    """Samples the servers once a second on a thread while the held phase runs."""

    serve_pid: int
    projector_pid: int
    spy: bool = False
    rate: float = 0.0
    tally: Tally | None = None
    seconds: list[Second] = field(default_factory=list)
    dumps: list[str] = field(default_factory=list)
    _stop: threading.Event = field(default_factory=threading.Event)
    _thread: threading.Thread | None = None

    def start(self) -> None:
        self._thread = threading.Thread(target=self._run, name="timeline", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=10)

    def _pids(self) -> dict[str, int]:
        workers = child_pids(self.serve_pid) or [self.serve_pid]
        return {f"w{pid}": pid for pid in workers} | {"projector": self.projector_pid}

    def _run(self) -> None:
        with (
            psycopg.connect(wp.ADMIN_DSN, autocommit=True) as admin,
            psycopg.connect(wp.DB_URL, autocommit=True) as db,
        ):
            began = time.perf_counter()
            last = self._read(admin, db)
            last_dump = 0.0
            while not self._stop.wait(max(0.0, 1.0 - (time.perf_counter() - last[0]))):
                now = self._read(admin, db)
                wall = now[0] - last[0]
                cpu = {k: (now[1][k] - last[1].get(k, now[1][k])) / wall for k in now[1]}
                self.seconds.append(
                    Second(
                        round(now[0] - began, 1),
                        cpu,
                        {k: _rss_mb(pid) for k, pid in self._pids().items() if k != "projector"},
                        now[2] - last[2],
                        now[3] - last[3],
                        now[4],
                    )
                )
                last = now
                if self.spy and self._stalled(now[0]) and now[0] - last_dump > 5:
                    last_dump = now[0]
                    self._dump(round(now[0] - began, 1))

    def _read(
        self, admin: psycopg.Connection, db: psycopg.Connection
    ) -> tuple[float, dict[str, float], int, int, list[str]]:
        cpu = {k: wp.proc_cpu_seconds(pid) for k, pid in self._pids().items()}
        backends = admin.execute(
            "SELECT pid, backend_type, wait_event_type, wait_event, left(query, 60) "
            "FROM pg_stat_activity WHERE datname = %s",
            (wp.DB_NAME,),
        ).fetchall()
        cpu["PostgreSQL"] = sum(wp.proc_cpu_seconds(pid) for pid, *_ in backends)
        waiting = [
            f"{kind}: {wait_type}/{wait} {query!r}"
            for _, kind, wait_type, wait, query in backends
            if wait_type == "Lock" or kind == "autovacuum worker"
        ]
        admin.execute("SELECT pg_stat_clear_snapshot()")
        checkpoints = admin.execute(
            "SELECT checkpoints_timed + checkpoints_req FROM pg_stat_bgwriter"
        ).fetchone()
        top = db.execute(
            "SELECT COALESCE(MAX(notification_id), 0) FROM bangfu.bangfu_events"
        ).fetchone()
        return (
            time.perf_counter(),
            cpu,
            int(top[0]) if top else 0,
            int(checkpoints[0]) if checkpoints else 0,
            waiting,
        )

    def _stalled(self, now: float) -> bool:
        """Fewer than a third of the offered rate answered in the last second."""
        if self.tally is None or not self.rate or not self.tally.origin:
            return False
        since = now - 1.0 - self.tally.origin
        recent = self.tally.answers[-int(self.rate * 3) :]
        answered = sum(1 for _, done, _ in recent if done >= since)
        return answered < self.rate / 3

    def _dump(self, at: float) -> None:
        for name, pid in self._pids().items():
            if name == "projector":
                continue
            out = subprocess.run(
                [
                    str(Path(sys.executable).with_name("py-spy")),
                    "dump",
                    "--nonblocking",
                    "--pid",
                    str(pid),
                ],
                capture_output=True,
                text=True,
                timeout=30,
                check=False,
            )
            self.dumps.append(f"### {at:.0f} s, worker {pid}\n\n```\n{out.stdout[-6000:]}\n```\n")


COUNTERS = (
    "bangfu_write_commands_total",
    "bangfu_write_batches_total",
    "bangfu_write_races_lost_total",
    'bangfu_gc_pause_seconds_count{generation="0"}',
    'bangfu_gc_pause_seconds_count{generation="1"}',
    'bangfu_gc_pause_seconds_count{generation="2"}',
    'bangfu_gc_pause_seconds_sum{generation="2"}',
)


def _scrape(port: int) -> dict[str, float]:
    conn = http.client.HTTPConnection(HOST, port, timeout=30)
    try:
        conn.request("GET", "/metrics")
        text = conn.getresponse().read().decode()
    finally:
        conn.close()
    values = {}
    for line in text.splitlines():
        name, _, value = line.rpartition(" ")
        if name in COUNTERS or name == "bangfu_process_id":
            values[name] = float(value)
    return values


def worker_counters(port: int, workers: int) -> dict[str, dict[str, float]]:
    """Each serve worker's own write and GC counters from /metrics, keyed by its pid: rounds of
    16 scrapes at once on fresh connections (a busy worker leaves the next to the other one)
    until every worker has answered (at most 4 rounds)."""
    found: dict[str, dict[str, float]] = {}
    with ThreadPoolExecutor(16) as pool:
        for _ in range(4):
            for values in pool.map(_scrape, [port] * 16):
                found[str(int(values.get("bangfu_process_id", 0)))] = values
            if len(found) >= workers:
                break
    return found


def counters_table(
    before: dict[str, dict[str, float]], after: dict[str, dict[str, float]]
) -> list[str]:
    """What each worker counted during the held phase."""
    columns = ["worker (pid)", *(c.removeprefix("bangfu_") for c in COUNTERS)]
    lines = ["## (c) held: each serve worker's write and GC counters", ""]
    lines += ["| " + " | ".join(columns) + " |", "|" + "---|" * len(columns)]
    for key, values in sorted(after.items()):
        start = before.get(key, {})
        cells = [f"{values[c] - start.get(c, 0):,.3f}".rstrip("0").rstrip(".") for c in COUNTERS]
        lines.append("| " + " | ".join([key, *cells]) + " |")
    return [*lines, ""]


def table(sampler: Sampler, tally: Tally) -> list[str]:
    """The report's section: a summary of the seconds, then the seconds over the target."""
    due: dict[int, list[float]] = {}
    for at, _, ms in tally.answers:
        due.setdefault(int(at), []).append(ms)
    rows, slow = [], 0
    with CSV_OUT.open("w", newline="") as f:
        out = csv.writer(f)
        workers = sorted({k for s in sampler.seconds for k in s.cpu if k.startswith("w")})
        out.writerow(
            ["second", "answered (by due second)", "p50 ms", "p99 ms", "max ms", "events"]
            + [f"{k} cores" for k in (*workers, "projector", "PostgreSQL")]
            + [f"{k} RSS MB" for k in workers]
            + ["PostgreSQL checkpoints", "waiting or autovacuum"]
        )
        for s in sampler.seconds:
            values = due.get(int(s.at) - 1, [])  # the second that just ended
            p99 = percentile(values, 99)
            line = [
                f"{s.at:.0f}",
                str(len(values)),
                f"{percentile(values, 50):.1f}",
                f"{p99:.1f}",
                f"{max(values, default=0):.1f}",
                str(s.events),
                *[f"{s.cpu.get(k, 0):.2f}" for k in (*workers, "projector", "PostgreSQL")],
                *[f"{s.rss_mb.get(k, 0):.0f}" for k in workers],
                str(s.pg_checkpoints),
                "; ".join(s.waiting),
            ]
            out.writerow(line)
            if p99 > TARGET_MS:
                slow += 1
                rows.append(line)
    head = (
        f"{len(sampler.seconds)} seconds sampled, {slow} with p99 over {TARGET_MS:g} ms "
        f"(every second in {CSV_OUT.name})."
    )
    columns = [
        "s", "answered", "p50", "p99", "max", "events",
        *[f"{k} cores" for k in (*workers, "projector", "PostgreSQL")],
        *[f"{k} MB" for k in workers], "PG ckpt", "waiting / autovacuum",
    ]  # fmt: skip
    lines = ["## (c) held: the seconds over the target", "", head, ""]
    if rows:
        lines += ["| " + " | ".join(columns) + " |", "|" + "---|" * len(columns)]
        lines += ["| " + " | ".join(r) + " |" for r in rows[:120]]
        lines.append("")
    if sampler.dumps:
        lines += ["## py-spy dumps of the serve workers during stalls", "", *sampler.dumps[:6]]
    return lines
