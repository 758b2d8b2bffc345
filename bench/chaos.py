"""Chaos: SIGKILL to `bangfu serve` and to the projector at random moments under load, and
crash-like database restarts; nothing acknowledged is lost or paid twice.

Run as ``python -m bench.chaos --cycles 100 --clients 8 [--restart-db-every K]``. It starts a
throwaway PostgreSQL cluster of its own (bench/pg_cluster.py: initdb in a temporary folder, its
own port, fsync on; the shared server is never touched), then a real ``bangfu serve`` with
``BANGFU_PROJECT_IN_PROCESS=false`` and a ``bangfu project`` process beside it, as in compose.
It prepares one hot fund and a few hundred households over HTTP, and measures the baseline: the
payments/s of the same clients for ``--baseline-seconds`` with nothing killed. Then
``--clients`` threads pay the fund without a pause (each request with its own reference and
Idempotency-Key, re-sent with the SAME key and body after a cut-off, a refused connection or a
5xx) while, ``--cycles`` times:

1. every K-th cycle (``--restart-db-every K``), after a random delay, the database is
   restarted with ``pg_ctl restart -m immediate`` (a crash: every backend killed, the WAL
   replayed), and the run waits until the server acknowledges a payment again and the
   projector applies a new event, without restarting either (60 s at most, or the run fails);
2. after a random delay, SIGKILL goes to the server, the projector or both (drawn each cycle),
   each confirmed dead, and what was killed is started again (the server on the same port).

Then the clients stop making new payments, re-send every request still unacknowledged, and
bench/kill_checks.py checks as bench/kill_under_load.py does: every 201's payment is found
(`GET /payments/{id}`, the audit trail, the fund's movements), no reference is paid twice, a
'replayed' answer names its reference's payment, the fund's total is the acknowledged count x
¥10.00; with no process running, `bangfu verify` walks the chain and the signed checkpoints
(the projector signs one every ``--checkpoint-every`` events: at least one must exist), and
every view equals the same view rebuilt from the whole log. The figures go to
bench/RESULTS-chaos.md (bench/chaos_report.py). Every loop is bounded in time and count.
"""

from __future__ import annotations

import argparse
import http.client
import random
import shutil
import signal
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from rich.console import Console

from bench.chaos_report import machine_facts, report
from bench.kill_checks import Figures, check_the_log, check_with_server
from bench.load_clients import Clients, Payments, Request, Tally
from bench.pg_cluster import Cluster, free_port_from, postgres_settings
from bench.processes import (
    Bangfu,
    add_users,
    code_version,
    logged,
    own_database,
    serve,
    serving,
    store_url,
)
from bench.write_path import Client, create_schema, fresh_database, prepare

DB_NAME = "bangfu_chaos"
VICTIMS = ("serve", "project", "both")
RECOVERY_LIMIT = 60.0  # seconds the server and the projector have to recover from a DB restart
console = Console()


@dataclass
class Cycle:
    """One cycle: maybe a database restart, then a kill and a restart."""

    number: int
    victims: str  # serve, project or both
    kill_after: float  # seconds of load before the SIGKILL
    db_restart: bool = False
    db_restart_seconds: float | None = None  # pg_ctl restart -m immediate, until it accepts
    serve_recovered: float | None = None  # seconds after the DB restart to the next 201
    project_recovered: float | None = None  # ... to the projector's next applied event
    killed: int = 0  # processes confirmed dead after SIGKILL
    orphans: list[int] = field(default_factory=list)  # their children alive 10 s later
    up_seconds: dict[str, float] = field(default_factory=dict)  # restart, until ready
    tally: Tally = field(default_factory=Tally)

    @property
    def names(self) -> tuple[str, ...]:
        return ("serve", "project") if self.victims == "both" else (self.victims,)

    @property
    def recovered(self) -> bool:
        return not self.db_restart or (
            self.serve_recovered is not None and self.project_recovered is not None
        )


@dataclass
class Result:
    cycles: int
    clients: int
    cases: int
    seed: int
    kill_range: tuple[float, float]
    restart_db_every: int  # 0: never
    checkpoint_every: int
    baseline_seconds: float
    pre_ping: bool = False
    baseline: Tally = field(default_factory=Tally)  # the unkilled run before the chaos
    baseline_wall: float = 0.0
    chaos_wall: float = 0.0
    chaos_acked: int = 0
    runs: list[Cycle] = field(default_factory=list)
    figures: Figures = field(default_factory=Figures)
    notes: list[str] = field(default_factory=list)
    setup_seconds: float = 0.0
    first_up: dict[str, float] = field(default_factory=dict)
    code_versions: set[str] = field(default_factory=set)
    logs: dict[str, str] = field(default_factory=dict)  # process name -> its whole log
    postgres: str = ""  # the cluster's version and settings
    db_restart_seconds: list[float] = field(default_factory=list)

    @property
    def problems(self) -> list[str]:
        """Why the run failed (empty: it passed)."""
        f, out = self.figures, []
        if not f.passed:
            out.append("a check of the payments, the chain or the views failed (see the table)")
        if f.checkpoints == 0:
            out.append("no signed checkpoint was made")
        for c in self.runs:
            if c.killed < len(c.names) or c.orphans:
                out.append(f"cycle {c.number}: {c.victims} outlived SIGKILL, or left children")
            if not c.recovered:
                out.append(f"cycle {c.number}: no recovery within {RECOVERY_LIMIT:.0f} s")
        return out + self.notes_of_concern

    @property
    def passed(self) -> bool:
        return not self.problems

    @property
    def notes_of_concern(self) -> list[str]:
        return [n for n in self.notes if "replayed on its first send" in n]


def position(auditor: Client) -> int | None:
    """The lowest position of the views, or None if the server cannot say just now."""
    try:
        status, views = auditor.call("GET", "/projections/status")
    except (OSError, http.client.HTTPException):
        return None
    return min(int(v["position"]) for v in views) if status == 200 else None


def wait_recovery(
    clients: Clients, auditor: Client, cycle: Cycle, restart: Callable[[], float]
) -> None:
    """Restart the database, then time, from the moment it accepts again, the server's next
    201 and the projector's next applied event (the views' lowest position passing the one
    the server first reports after the restart)."""
    cycle.db_restart_seconds = restart()
    started, acked = time.monotonic(), clients.snapshot().acked
    before: int | None = None
    while time.monotonic() - started < RECOVERY_LIMIT:
        waited = time.monotonic() - started
        if cycle.serve_recovered is None and clients.snapshot().acked > acked:
            cycle.serve_recovered = waited
        now = position(auditor)
        if before is None:
            before = now
        elif cycle.project_recovered is None and now is not None and now > before:
            cycle.project_recovered = waited
        if cycle.recovered:
            return
        time.sleep(0.05)


def run_cycle(
    cycle: Cycle,
    processes: dict[str, Bangfu],
    ready: dict[str, Callable[[int], bool]],
    clients: Clients,
    auditor: Client,
    cluster: Cluster,
    rng: random.Random,
    kill_range: tuple[float, float],
    notes: list[str],
) -> None:
    before = clients.snapshot()
    if cycle.db_restart:
        time.sleep(rng.uniform(*kill_range))
        wait_recovery(clients, auditor, cycle, cluster.restart)
    time.sleep(cycle.kill_after)
    for name in cycle.names:
        if processes[name].exited():
            notes.append(
                f"cycle {cycle.number}: {name} had exited by itself: {processes[name].tail()}"
            )
        killed, orphans = processes[name].kill()
        cycle.killed += killed
        cycle.orphans += orphans
    for name in cycle.names:
        cycle.up_seconds[name] = processes[name].start_retrying(ready[name], notes)
    cycle.tally = clients.snapshot().since(before)


def run(
    cycles: int,
    clients: int,
    cases: int = 300,
    seed: int | None = None,
    kill_range: tuple[float, float] = (0.3, 2.0),
    restart_db_every: int = 0,
    checkpoint_every: int = 500,
    baseline_seconds: float = 10.0,
    keep: bool = False,
    pre_ping: bool = False,
    victims: tuple[str, ...] = (),
    say: Callable[[str], None] = console.print,
) -> Result:
    """The whole run on a PostgreSQL cluster of its own, removed afterwards (and the data
    directory, with the processes' logs, unless ``keep``). ``pre_ping``: the pools check each
    connection before lending it (eventsourcing's POSTGRES_PRE_PING). ``victims``: the victim
    of each cycle in turn (serve, project or both), instead of a random draw."""
    seed = random.randrange(2**32) if seed is None else seed
    result = Result(
        cycles, clients, cases, seed, kill_range, restart_db_every, checkpoint_every,
        baseline_seconds, pre_ping,
    )  # fmt: skip
    rng = random.Random(seed)
    data_dir = Path(tempfile.mkdtemp(prefix="bangfu-chaos-"))
    try:
        with Cluster() as cluster, own_database(DB_NAME, cluster.admin_dsn):
            say(f"own PostgreSQL cluster on port {cluster.port}, in {cluster.root}")
            fresh_database()
            create_schema("bangfu")
            tokens = add_users(data_dir)
            env = {
                "BANGFU_PROJECT_IN_PROCESS": "false",
                "BANGFU_CHECKPOINT_EVERY_EVENTS": str(checkpoint_every),
                "POSTGRES_PRE_PING": "y" if pre_ping else "n",  # store_env leaves it to us
            }
            port = free_port_from(28000)  # below the ephemeral ports: free again after a kill
            processes = {
                "serve": serve(data_dir, port, env),
                "project": Bangfu("project", data_dir, ["project"], env),
            }
            ready = {"serve": serving(port), "project": logged(processes["project"], "Projecting")}
            try:
                for name, process in processes.items():
                    result.first_up[name] = process.start_retrying(ready[name], result.notes)
                result.code_versions.add(code_version())
                chaos(result, processes, ready, port, tokens, cluster, rng, victims, say)
            finally:
                for process in processes.values():
                    process.stop()
                result.logs = {n: p.log.read_text(errors="replace") for n, p in processes.items()}
            say("bangfu verify, and the views against a rebuild, with no process running")
            check_the_log(data_dir, store_url(), result.figures)
            result.postgres = postgres_settings(cluster.admin_dsn)
    finally:
        if keep:
            say(f"kept {data_dir} (the logs of serve and project)")
        else:
            shutil.rmtree(data_dir, ignore_errors=True)
    return result


def chaos(
    result: Result,
    processes: dict[str, Bangfu],
    ready: dict[str, Callable[[int], bool]],
    port: int,
    tokens: dict[str, str],
    cluster: Cluster,
    rng: random.Random,
    victims: tuple[str, ...],
    say: Callable[[str], None],
) -> None:
    """Prepare, measure the baseline, run the cycles, drain, and check with the server up."""
    admin, auditor = Client(port, tokens["admin"]), Client(port, tokens["auditor"])
    started = time.perf_counter()
    payments = Payments("C")
    payments.hot = prepare(admin, result.cases)
    result.setup_seconds = time.perf_counter() - started
    say(f"prepared one fund and {result.cases} households in {result.setup_seconds:.1f} s")
    queues: list[list[Request]] = [[] for _ in range(result.clients)]
    token = tokens["finance"]
    started = time.perf_counter()
    load = Clients(port, token, queues, payments, seconds=result.baseline_seconds)
    result.baseline = load.finish(result.notes, stop=False)
    result.baseline_wall = time.perf_counter() - started
    say(
        f"baseline, nothing killed: {result.baseline.acked} payments in "
        f"{result.baseline_wall:.1f} s"
    )
    started = time.perf_counter()
    load = Clients(port, token, queues, payments, seconds=result.cycles * 120 + 600)
    for number in range(1, result.cycles + 1):
        every = result.restart_db_every
        victim = victims[(number - 1) % len(victims)] if victims else rng.choice(VICTIMS)
        cycle = Cycle(number, victim, rng.uniform(*result.kill_range))
        cycle.db_restart = every > 0 and number % every == 0
        run_cycle(
            cycle, processes, ready, load, auditor, cluster, rng, result.kill_range, result.notes
        )
        result.runs.append(cycle)
        result.code_versions.add(code_version())
        say(describe(cycle))
    result.chaos_acked = load.finish(result.notes).acked
    result.chaos_wall = time.perf_counter() - started
    result.db_restart_seconds = cluster.restarts
    say(f"re-sending {sum(map(len, queues))} unacknowledged requests to the last server")
    Clients(port, token, queues, None, seconds=300).finish(result.notes, stop=False)
    say("checking every acknowledged payment, with the server and the projector up")
    check_with_server(port, tokens, payments.hot, payments.all, result.figures)
    admin.close()
    auditor.close()


def describe(c: Cycle) -> str:
    t = c.tally
    db = ""
    if c.db_restart:
        db = (
            f"database restarted ({c.db_restart_seconds:.1f} s), recovered: server "
            f"{fmt(c.serve_recovered)}, projector {fmt(c.project_recovered)}; "
        )
    ups = ", ".join(f"{n} up in {s:.1f} s" for n, s in c.up_seconds.items())
    return (
        f"cycle {c.number}: {db}killed {c.victims} after {c.kill_after:.2f} s ({ups}): "
        f"{t.sends} sends, {t.acked} acknowledged ({t.replayed} replayed), {t.cut_off} cut off, "
        f"{t.other} other answers"
    )


def fmt(seconds: float | None) -> str:
    return "NO" if seconds is None else f"{seconds:.1f} s"


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--cycles", type=int, default=100)
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--restart-db-every", type=int, default=0, metavar="K", help="0: never")
    parser.add_argument("--cases", type=int, default=300, help="households at the street")
    parser.add_argument("--seed", type=int, default=None, help="for the delays and victims")
    parser.add_argument("--checkpoint-every", type=int, default=500, help="events")
    parser.add_argument("--baseline-seconds", type=float, default=10.0)
    parser.add_argument("--keep", action="store_true", help="keep the data dir and its logs")
    parser.add_argument(
        "--pre-ping", action="store_true", help="POSTGRES_PRE_PING=y for serve and project"
    )
    args = parser.parse_args()
    if not (
        1 <= args.cycles <= 1000
        and 1 <= args.clients <= 64
        and 1 <= args.cases <= 5000
        and 0 <= args.restart_db_every <= args.cycles
        and args.checkpoint_every >= 1
        and 1 <= args.baseline_seconds <= 600
    ):
        parser.error(
            "--cycles is 1..1000, --clients 1..64, --cases 1..5000, --restart-db-every "
            "0..cycles, --checkpoint-every >= 1, --baseline-seconds 1..600"
        )
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))  # clean up the cluster on a kill
    started = datetime.now(UTC)
    before = machine_facts()
    result = run(
        args.cycles, args.clients, args.cases, args.seed, restart_db_every=args.restart_db_every,
        checkpoint_every=args.checkpoint_every, baseline_seconds=args.baseline_seconds,
        keep=args.keep, pre_ping=args.pre_ping,
    )  # fmt: skip
    report(result, started, before, (__doc__ or "").split("\n\n", 1)[1].strip())
    if not result.passed:
        sys.exit(1)


if __name__ == "__main__":
    main()
