"""Sustained mixed HTTP load: 80% reads, 20% payments, two server processes and one projector.

Run as ``python -m bench.mixed_load [--minutes 10] [--rate 200]``. On one fresh PostgreSQL
database (dropped afterwards), set up over HTTP as a real deployment would
(bench/mixed_load_setup.py), with ``bangfu serve`` (BANGFU_PROJECT_IN_PROCESS=false) and one
``bangfu project`` process, it measures in the same run:

a) 1 serve process: the ``GET /health/live`` ceiling, then the mix at saturation (closed loop);
b) ``bangfu serve --workers 2`` (two processes on one listening socket): the same two phases;
c) the held phase: the mix at a FIXED offered rate (open loop, bench/mixed_load_client.py) for
   ``--minutes``, on the two workers.

Each phase reports, per request kind, p50/p95/p99/max latency and every non-2xx answer; the rate
achieved; CPU by process (servers, projector, PostgreSQL backends, the load generator, the rest
of the machine); the views' lag when it ended. Afterwards: every payment acknowledged with 201
exists exactly once, and the views caught up. Writes bench/RESULTS-mixed-load.md.
"""

from __future__ import annotations

import argparse
import os
import shutil
import tempfile
import time
from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from bench import write_path as wp
from bench.mixed_load_client import TIMEOUT, Tally, closed_loop, open_loop, run
from bench.mixed_load_report import Phase, write_report
from bench.mixed_load_setup import KINDS, Data, Mix, health, prepare
from bench.mixed_load_timeline import Sampler, counters_table, table, worker_counters
from bench.processes import Bangfu, child_pids, logged, own_database, serving
from bench.write_path import Client, Monitor, cli, free_port, load_average, proc_cpu_seconds

DB_NAME = "bangfu_bench_mixed_load"
ADMIN_DSN = "postgresql://postgres@127.0.0.1:5432/postgres"
ROLES = ("admin", "finance", "supervisor", "auditor")
ROLES_USED = ("admin", "finance", "auditor")  # the bench's own calls (setup, checks)
SEPARATE = {"BANGFU_PROJECT_IN_PROCESS": "false", "BANGFU_CREATE_TABLES": "false"}


@dataclass
class Servers:
    """The processes under test: one ``bangfu serve`` (maybe with workers) and the projector."""

    serve: Bangfu
    projector: Bangfu
    port: int

    def groups(self) -> dict[str, list[int]]:
        workers = child_pids(self.serve.pid)
        return {"serve": [self.serve.pid, *workers], "projector": [self.projector.pid]}


class Meter:
    """CPU seconds of each group of processes, this process, PostgreSQL's backends, machine."""

    def __init__(self, monitor: Monitor) -> None:
        self.monitor = monitor

    def snapshot(self, servers: Servers) -> dict[str, float]:
        out = {k: sum(map(proc_cpu_seconds, pids)) for k, pids in servers.groups().items()}
        mine = os.times()
        out["load generator"] = mine.user + mine.system
        out["PostgreSQL"] = sum(self.monitor.backends().values())
        out["machine"] = wp.machine_cpu()[0]
        out["wall"] = time.perf_counter()
        return out

    @staticmethod
    def cores(start: dict[str, float], end: dict[str, float]) -> dict[str, float]:
        wall = end["wall"] - start["wall"]
        used = {k: (end[k] - start.get(k, 0.0)) / wall for k in end if k != "wall"}
        ours = sum(v for k, v in used.items() if k != "machine")
        used["everything else"] = max(0.0, used.pop("machine") - ours)
        return used


def view_lag(admin: Client) -> int:
    return max(int(v["lag"]) for v in admin.ok("GET", "/projections/status"))


def measure(
    name: str, servers: Servers, meter: Meter, admin: Client, load: object, note: str
) -> Phase:
    """Run one load coroutine, with CPU and the views' lag at its end."""
    start = meter.snapshot(servers)
    tally: Tally = run(load)
    cpu = Meter.cores(start, meter.snapshot(servers))
    lag = view_lag(admin)
    _, seconds = wp.wait_for_views(admin)
    phase = Phase(name, note, tally, cpu, lag, seconds)
    print(f"  {phase.summary()}")
    return phase


def start_servers(data_dir: Path, workers: int, projector: Bangfu | None) -> Servers:
    port = free_port()
    args = ["serve", "--host", wp.HOST, "--port", str(port), "--workers", str(workers)]
    serve = Bangfu(f"serve-{workers}", data_dir, args, SEPARATE)
    serve.start(serving(port), limit=180)
    if workers > 1:  # every worker answers before the load starts
        deadline = time.monotonic() + 60
        while len(child_pids(serve.pid)) < workers and time.monotonic() < deadline:
            time.sleep(0.2)
        time.sleep(2)
    if projector is None:
        projector = Bangfu("project", data_dir, ["project"], SEPARATE)
        projector.start(logged(projector, "Projecting"), limit=180)
    return Servers(serve, projector, port)


@dataclass
class Run:
    args: argparse.Namespace
    started: datetime
    notes: dict[str, str] = field(default_factory=dict)
    phases: list[Phase] = field(default_factory=list)
    kinds: list[Phase] = field(default_factory=list)  # each kind alone, 4 clients, 1 serve
    check: list[str] = field(default_factory=list)
    timeline: list[str] = field(default_factory=list)  # (c) second by second
    passed: bool = True


def probes(run: Run, servers: Servers, meter: Meter, admin: Client, mix: Mix, label: str) -> None:
    """(a)/(b): the /health/live ceiling and the mix at saturation on these servers."""
    a = run.args
    probe = health(mix.tokens["auditor"])
    print(f"{label}: GET /health/live, {a.clients} clients, {a.probe_seconds:g} s")
    load = closed_loop([servers.port], a.clients, a.probe_seconds, lambda n: probe)
    run.phases.append(measure(f"{label}: /health/live", servers, meter, admin, load, "closed"))
    if label.startswith("(a)") and a.kind_seconds:
        for kind in KINDS:  # what each kind costs alone (CPU a request; see the report)
            load = closed_loop([servers.port], 4, a.kind_seconds, mix.only(kind))
            run.kinds.append(measure(f"{kind} alone", servers, meter, admin, load, "closed"))
    print(f"{label}: the mix at saturation, {a.clients} clients, {a.probe_seconds:g} s")
    load = closed_loop([servers.port], a.clients, a.probe_seconds, mix.make)
    run.phases.append(measure(f"{label}: mix, saturation", servers, meter, admin, load, "closed"))


def check_exactly_once(run: Run, admin: Client, auditor: Client, data: Data) -> None:
    """Every 201 payment exists once in the trail, of the fund it named, with its reference."""
    phases = [*run.kinds, *run.phases]
    acked = [i for p in phases for i in p.tally.acked]
    unanswered = sum(p.tally.unanswered_payments for p in phases)
    ids = Counter(pid for pid, _, _ in acked)
    expect(
        run,
        len(ids) == len(acked) and "" not in ids,
        f"{len(acked):,} payments got 201, each own id",
    )
    trail: dict[str, tuple[str, str]] = {}
    for fund in data.funds:
        after = 0
        for _ in range(10_000):
            page = auditor.ok(
                "GET", f"/audit/events?type=Made&fund_id={fund}&limit=1000&after={after}"
            )
            for row in page["items"]:
                if row["aggregate"] == "Payment":
                    trail[row["originator_id"]] = (fund, row["data"].get("reference", ""))
            if page["next"] is None:
                break
            after = page["next"]
    missing = [pid for pid, fund, ref in acked if trail.get(pid) != (fund, ref)]
    expect(run, not missing, f"acknowledged payments not in the trail as sent: {len(missing)}")
    refs = Counter(ref for _, ref in trail.values())
    expect(run, max(refs.values(), default=1) == 1, "no reference was paid twice")
    extra = len(trail) - len(acked) - data.history_payments
    expect(
        run,
        0 <= extra <= unanswered,
        f"payments in the trail {len(trail):,} = {data.history_payments:,} at setup + "
        f"{len(acked):,} acknowledged + {extra} stored without an answer (requests cut off "
        f"by the client's {TIMEOUT:g} s timeout: {unanswered})",
    )
    paid = 0
    for fund in data.funds:
        paid += wp.fen(admin.ok("GET", f"/funds/{fund}")["disbursed"])
    expect(run, paid == 1_000 * len(trail), f"the funds' disbursed totals ¥{paid / 100:,.2f}")
    expect(run, view_lag(admin) == 0, "every view has applied the whole log")


def expect(run: Run, ok: bool, text: str) -> None:
    run.check.append(f"{'ok' if ok else 'FAILED'}: {text}")
    run.passed = run.passed and ok
    print(run.check[-1])


def users(data_dir: Path) -> dict[str, str]:
    tokens = {"admin": cli(data_dir, "user", "add", "bench-admin", "--role", "admin")}
    for role in ROLES[1:]:
        tokens[role] = cli(data_dir, "user", "add", f"bench-{role}", "--role", role)
    return tokens


def bench(run: Run, data_dir: Path, monitor: Monitor) -> None:
    a, meter = run.args, Meter(monitor)
    wp.create_schema("bangfu")
    tokens = users(data_dir)
    servers = start_servers(data_dir, 1, None)
    admin, finance, auditor = (Client(servers.port, tokens[r]) for r in ROLES_USED)
    try:
        began = time.perf_counter()
        data = prepare(admin, finance, a.households, a.history)
        wp.wait_for_views(admin)
        run.notes["setup over HTTP"] = (
            f"7 centres, 7 funds with a receipt each, {a.households} households, "
            f"{data.history_payments} payments dated over the last 60 days, in "
            f"{time.perf_counter() - began:.1f} s"
        )
        mix = Mix(data, tokens, "L")
        probes(run, servers, meter, admin, mix, "(a) 1 serve")
        servers.serve.stop()
        servers = start_servers(data_dir, 2, servers.projector)
        for c in (admin, finance, auditor):
            c.close()
        admin, finance, auditor = (Client(servers.port, tokens[r]) for r in ROLES_USED)
        probes(run, servers, meter, admin, mix, "(b) 2 serves")
        print(f"(c) held: {a.rate:g} req/s for {a.minutes:g} min; load average {load_average()}")
        run.notes["load average at the start of (c)"] = load_average()
        tally, counted = Tally(), worker_counters(servers.port, 2)
        sampler = Sampler(servers.serve.pid, servers.projector.pid, a.spy, a.rate, tally)
        sampler.start()
        load = open_loop([servers.port], a.rate, a.minutes * 60, mix.make, tally)
        try:
            run.phases.append(measure("(c) 2 serves: held", servers, meter, admin, load, "open"))
        finally:
            sampler.stop()
        run.timeline = table(sampler, tally)
        run.timeline += counters_table(counted, worker_counters(servers.port, 2))
        run.notes["load average at the end of (c)"] = load_average()
        check_exactly_once(run, admin, auditor, data)
    finally:
        for c in (admin, finance, auditor):
            c.close()
        servers.serve.stop()
        servers.projector.stop()
    for name in ("serve-1", "serve-2", "project"):
        log = (data_dir / f"{name}.log").read_text(errors="replace")
        pauses = [line for line in log.splitlines() if "gc pause" in line]
        run.notes[f"{name} log"] = (
            f"{log.count('Traceback')} tracebacks, {len(pauses)} GC pauses over 100 ms"
            + (f" (the longest: {max(pauses, key=_pause_ms)})" if pauses else "")
        )


def _pause_ms(line: str) -> float:
    at = line.find('"ms":')
    return float(line[at + 5 :].split(",")[0].strip("} ")) if at >= 0 else 0.0


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--minutes", type=float, default=10.0, help="the held phase (c)")
    parser.add_argument("--rate", type=float, default=200.0, help="offered req/s in (c)")
    parser.add_argument("--probe-seconds", type=float, default=20.0, help="phases (a), (b)")
    parser.add_argument("--clients", type=int, default=16, help="connections in (a), (b)")
    parser.add_argument("--kind-seconds", type=float, default=5.0, help="each kind alone in (a)")
    parser.add_argument(
        "--households",
        type=int,
        default=3000,
        help="households the payments spread over (with 300, each gets about 80 payments in 10 "
        "minutes at 200 req/s, and its timeline, which lists every event, grows 25-fold)",
    )
    parser.add_argument("--history", type=int, default=2, help="payments a household at setup")
    parser.add_argument("--keep", action="store_true", help="keep the database and data dir")
    parser.add_argument("--spy", action="store_true", help="py-spy dump the workers in a stall")
    args = parser.parse_args()
    if not (0 < args.minutes <= 60 and 0 < args.rate <= 5000 and 1 <= args.clients <= 256):
        parser.error("--minutes 0..60, --rate 0..5000, --clients 1..256")
    run = Run(args, datetime.now(UTC))
    run.notes["load average (1/5/15 min) before"] = load_average()
    run.notes["busy processes before"] = "; ".join(wp.busy_processes()) or "none"
    data_dir = Path(tempfile.mkdtemp(prefix="bangfu-bench-mixed-"))
    with own_database(DB_NAME, ADMIN_DSN):
        wp.fresh_database()
        monitor = Monitor()
        try:
            run.notes["PostgreSQL"] = monitor.settings()
            bench(run, data_dir, monitor)
        finally:
            monitor.close()
            if not args.keep:
                wp.drop_database()
                shutil.rmtree(data_dir, ignore_errors=True)
    run.notes["load average (1/5/15 min) after"] = load_average()
    write_report(run)
    if not run.passed:
        raise SystemExit(1)


if __name__ == "__main__":
    main()
