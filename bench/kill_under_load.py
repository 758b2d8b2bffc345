"""Kill `bangfu serve` with SIGKILL under load, again and again: nothing acknowledged is lost
or paid twice.

Run as ``python -m bench.kill_under_load [--kills 27] [--clients 8] [--store postgres]``. On one
fresh PostgreSQL database of its own (dropped afterwards), it prepares one hot fund with money
and a few hundred households over HTTP, then, ``--kills`` times:

1. starts a real ``bangfu serve`` process with default settings (on PostgreSQL its projector
   runs in a child process, as in production: after each SIGKILL that child must end by
   itself within 10 s, or the run fails);
2. drives ``--clients`` threads, each on its own keep-alive connection, that first re-send the
   requests of theirs that were not acknowledged before (the SAME Idempotency-Key and body) and
   then POST new payments to that ONE fund, each with its own reference and Idempotency-Key;
3. after a random 0.3-2 s sends SIGKILL to the uvicorn process itself (``bangfu serve`` runs
   uvicorn in its own process: the pid is the server, not a shell), and records every answer:
   201 (acknowledged, with its id, ``replayed`` or not) or cut off.

A last server then answers every request still unacknowledged, and the run checks, with the
server up: every 201's payment is found by ``GET /payments/{id}``, in the audit trail (a view)
and in the fund's movements (read from the log); no reference was paid twice (trail and
movements); a request answered ``replayed`` got the id of the payment its reference made; the
fund's disbursed total is the acknowledged count x ¥10.00. With the server stopped: ``bangfu
verify`` walks the hash chain, and every view, as the killed servers left it and the last one
advanced it, equals the same view rebuilt from the whole log (``Projector.rebuild``).

The helpers come from bench/write_path.py, bench/load_clients.py (the clients),
bench/kill_checks.py (the checks) and bench/processes.py. All traffic goes to 127.0.0.1 and
every loop is bounded in time and count.
"""

from __future__ import annotations

import argparse
import os
import platform
import random
import shutil
import sys
import tempfile
import time
from collections.abc import Callable
from contextlib import ExitStack
from dataclasses import dataclass, field
from datetime import UTC, datetime
from importlib.metadata import version
from pathlib import Path

from rich.console import Console
from rich.table import Table

from bench import write_path as wp
from bench.kill_checks import Figures, check_lines, check_rows, check_the_log, check_with_server
from bench.load_clients import Clients, Payments, Request, Tally
from bench.pg_cluster import postgres_settings
from bench.processes import add_users, code_version, own_database, sigkill, store_url
from bench.write_path import (
    Client,
    busy_processes,
    create_schema,
    drop_database,
    fresh_database,
    git_state,
    load_average,
    prepare,
    served,
)

DB_NAME = "bangfu_bench_kill_under_load"
OUT = Path(__file__).with_name("RESULTS-kill.md")
console = Console()


# --- one round: a server, load, a kill ---------------------------------------------------------
@dataclass
class Round:
    number: int
    startup_seconds: float = 0.0  # from starting `bangfu serve` to its first 200 on /health
    kill_after: float | None = None  # None: the last round, not killed
    killed: bool = False  # the process was gone (a zombie) right after SIGKILL
    orphans: list[int] = field(default_factory=list)  # its children still running 10 s later
    tally: Tally = field(default_factory=Tally)
    tracebacks: int = 0
    error_lines: list[str] = field(default_factory=list)


def start_server(stack: ExitStack, data_dir: Path, notes: list[str]) -> tuple[int, int]:
    """``served`` (bench/write_path.py), tried three times: other people may be editing the
    code this run restarts, and a half-edited module stops the server from starting."""
    for attempt in range(3):
        try:
            port, pid = stack.enter_context(served(data_dir))
        except RuntimeError as e:
            log = (data_dir / "serve.log").read_text(errors="replace").strip().splitlines()
            notes.append(f"bangfu serve did not start ({e}): {log[-1] if log else ''}")
            if attempt == 2:
                raise
            time.sleep(30)
            continue
        cmdline = Path(f"/proc/{pid}/cmdline").read_bytes().split(b"\0")
        if not any(part.endswith(b"bangfu") for part in cmdline) or b"serve" not in cmdline:
            raise RuntimeError(f"pid {pid} is not `bangfu serve`: {cmdline!r}")
        return port, pid
    raise AssertionError("unreachable")


def run_round(
    rnd: Round,
    data_dir: Path,
    token: str,
    queues: list[list[Request]],
    payments: Payments | None,
    rng: random.Random,
    kill_range: tuple[float, float],
    notes: list[str],
    when_up: Callable[[int], None] = lambda port: None,
    when_drained: Callable[[int], None] = lambda port: None,
) -> None:
    """One server: the clients re-send what is unacknowledged, then (unless this is the last
    round, ``payments`` None) send new payments until the server is killed. ``when_up``
    runs before the clients start, ``when_drained`` in the last round after they finished,
    each with the server's port."""
    with ExitStack() as stack:
        started = time.perf_counter()
        port, pid = start_server(stack, data_dir, notes)
        rnd.startup_seconds = time.perf_counter() - started
        when_up(port)
        last = payments is None
        clients = Clients(port, token, queues, payments, seconds=300 if last else 120)
        if not last:
            rnd.kill_after = rng.uniform(*kill_range)
            time.sleep(rnd.kill_after)
            rnd.killed, rnd.orphans = sigkill(pid)  # the uvicorn process itself
        rnd.tally = clients.finish(notes, stop=not last)
        if last:
            when_drained(port)
    log = (data_dir / "serve.log").read_text(errors="replace")
    rnd.tracebacks = log.count("Traceback")
    rnd.error_lines = [line for line in log.splitlines() if line.startswith("ERROR")]


# --- the run ---------------------------------------------------------------------------------
@dataclass
class Result:
    kills: int
    clients: int
    cases: int
    seed: int
    kill_range: tuple[float, float]
    rounds: list[Round] = field(default_factory=list)
    figures: Figures = field(default_factory=Figures)
    notes: list[str] = field(default_factory=list)  # anything odd seen on the way
    setup_seconds: float = 0.0
    code_versions: list[str] = field(default_factory=list)  # one a server start

    @property
    def passed(self) -> bool:
        killed = all(r.killed for r in self.rounds if r.kill_after is not None)
        orphans = any(r.orphans for r in self.rounds)
        return self.figures.passed and killed and not orphans and not self.notes_of_concern

    @property
    def notes_of_concern(self) -> list[str]:
        return [n for n in self.notes if "replayed on its first send" in n]


def run(
    kills: int,
    clients: int,
    cases: int = 300,
    seed: int | None = None,
    kill_range: tuple[float, float] = (0.3, 2.0),
    database: str = DB_NAME,
    admin_dsn: str = wp.ADMIN_DSN,
    keep: bool = False,
    say: Callable[[str], None] = console.print,
) -> Result:
    """The whole run on a fresh database of its own, dropped afterwards unless ``keep``."""
    seed = random.randrange(2**32) if seed is None else seed
    result = Result(kills, clients, cases, seed, kill_range)
    rng = random.Random(seed)
    data_dir = Path(tempfile.mkdtemp(prefix="bangfu-bench-kill-"))
    with own_database(database, admin_dsn):
        fresh_database()
        try:
            create_schema("bangfu")
            tokens = add_users(data_dir)
            payments = Payments("K")  # the fund is made by the first server

            def set_up(port: int) -> None:
                admin = Client(port, tokens["admin"])
                started = time.perf_counter()
                payments.hot = prepare(admin, cases)
                result.setup_seconds = time.perf_counter() - started
                admin.close()
                say(f"prepared one fund and {cases} households in {result.setup_seconds:.1f} s")

            def check(port: int) -> None:
                say("checking every acknowledged payment, with the last server")
                assert payments.hot is not None
                check_with_server(port, tokens, payments.hot, payments.all, result.figures)

            queues: list[list[Request]] = [[] for _ in range(clients)]
            for number in range(kills + 1):
                last = number == kills
                rnd = Round(number + 1)
                result.code_versions.append(code_version())
                run_round(
                    rnd,
                    data_dir,
                    tokens["finance"],
                    queues,
                    None if last else payments,
                    rng,
                    kill_range,
                    result.notes,
                    set_up if number == 0 else lambda port: None,
                    check,
                )
                result.rounds.append(rnd)
                t = rnd.tally
                what = "last server, not killed" if last else f"killed after {rnd.kill_after:.2f} s"
                say(
                    f"round {rnd.number}: up in {rnd.startup_seconds:.1f} s, {what}: "
                    f"{t.sends} sends, {t.acked} acknowledged ({t.replayed} replayed), "
                    f"{t.cut_off} cut off, {sum(map(len, queues))} waiting"
                )
            say("bangfu verify, and the views against a rebuild, with no server")
            check_the_log(data_dir, store_url(), result.figures)
        finally:
            if not keep:
                drop_database()
                shutil.rmtree(data_dir, ignore_errors=True)
    return result


# --- the report ----------------------------------------------------------------------------------
def figure_rows(result: Result) -> list[tuple[str, str]]:
    killed = sum(r.killed for r in result.rounds if r.kill_after is not None)
    return [
        ("kills (SIGKILL to the uvicorn process)", f"{killed} of {result.kills} confirmed dead"),
        (
            "children outliving a killed server by 10 s (the projector's process)",
            str(sum(len(r.orphans) for r in result.rounds)),
        ),
        *check_rows(result.figures),
    ]


def command(result: Result) -> str:
    text = (
        f"python -m bench.kill_under_load --kills {result.kills} --clients {result.clients} "
        "--store postgres"
    )
    if result.cases != 300:
        text += f" --cases {result.cases}"
    return text


def report(result: Result, started: datetime, machine: dict[str, str]) -> None:
    table = Table(title="Killed under load: nothing acknowledged lost or doubled")
    table.add_column("what")
    table.add_column("figure")
    for row in figure_rows(result):
        table.add_row(*row)
    console.print(table)
    for line in result.figures.exactly_once_lines + result.figures.views_detail:
        console.print(f"  {line}", markup=False)
    for note in result.notes:
        console.print(f"note: {note}", markup=False)
    ups = [r.startup_seconds for r in result.rounds]
    delays = [r.kill_after for r in result.rounds if r.kill_after is not None]
    tracebacks = sum(r.tracebacks for r in result.rounds)
    errors = [line for r in result.rounds for line in r.error_lines]
    machine = {
        "outcome": "PASSED" if result.passed else "FAILED",
        "kill delays": f"uniform {result.kill_range[0]:g}-{result.kill_range[1]:g} s, "
        f"seed {result.seed} (drawn {min(delays):.2f}-{max(delays):.2f} s)"
        if delays
        else "none",
        "server restarts": f"{len(ups)}, each up (first 200 on /health) in "
        f"{min(ups):.1f}-{max(ups):.1f} s, mean {sum(ups) / len(ups):.1f} s",
        "server logs": f"{tracebacks} tracebacks, {len(errors)} ERROR lines"
        + (f" (first: {errors[0][:120]})" if errors else ""),
        "code": f"git {git_state()}; {len(set(result.code_versions))} version(s) of the source "
        "served over the restarts",
        "setup over HTTP": f"3 centres, 1 fund, 1 receipt, {result.cases} households in "
        f"{result.setup_seconds:.1f} s",
    } | machine
    for key, value in machine.items():
        console.print(f"{key}: {value}", markup=False)
    lines = [
        f"# Killed under load: SIGKILL to `bangfu serve`, {result.kills} times (postgres)",
        "",
        f"Run on {started:%Y-%m-%d %H:%M} UTC with `{command(result)}`.",
        "",
        "One hot fund, a real `bangfu serve` process with default settings (in-process "
        f"projector) started {result.kills + 1} times on one fresh PostgreSQL database. Each "
        f"time {result.clients} client threads (keep-alive, one request at a time each) first "
        "re-send their unacknowledged requests (same Idempotency-Key, same body) and then POST "
        "new payments of ¥10.00 to the one fund, each with its own reference and key, until "
        "the server process is sent SIGKILL after a random delay; the last server is not "
        "killed and answers what is left. Then, with a server up: every 201's payment must "
        "be found by `GET /payments/{id}`, in the audit trail and in the fund's movements "
        "(read from the log), with no reference paid twice; with no server: `bangfu verify` "
        "and each view against `Projector.rebuild` of it (every row of every table).",
        "",
        "| what | figure |",
        "|---|---|",
    ]
    lines += [f"| {what} | {value} |" for what, value in figure_rows(result)]
    lines += [
        "",
        "## Rounds",
        "",
        "| round | up in s | killed after s | sends | 201 | replayed | cut off | other answers |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for r in result.rounds:
        t = r.tally
        after = "-" if r.kill_after is None else f"{r.kill_after:.2f}"
        lines.append(
            f"| {r.number} | {r.startup_seconds:.1f} | {after} | {t.sends} | {t.acked} | "
            f"{t.replayed} | {t.cut_off} | {t.other} |"
        )
    lines += ["", "## Checks", "", *check_lines(result.figures)]
    lines += [f"- note: {note}" for note in result.notes]
    lines += ["", "## Machine", ""] + [f"- {k}: {v}" for k, v in machine.items()]
    OUT.write_text("\n".join(lines) + "\n")
    console.print(f"written to {OUT}")


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--kills", type=int, default=27)
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--store", choices=["postgres"], default="postgres")
    parser.add_argument("--cases", type=int, default=300, help="households at the street")
    parser.add_argument("--seed", type=int, default=None, help="for the kill delays")
    parser.add_argument("--keep", action="store_true", help="keep the database and data dir")
    args = parser.parse_args()
    if not 1 <= args.kills <= 500 or not 1 <= args.clients <= 64 or not 1 <= args.cases <= 5000:
        parser.error("--kills is 1..500, --clients 1..64, --cases 1..5000")
    started = datetime.now(UTC)
    machine = {
        "machine": f"{os.cpu_count()} cores, {platform.platform()}, Python "
        f"{platform.python_version()}",
        "versions": ", ".join(
            f"{p} {version(p)}" for p in ("eventsourcing", "psycopg", "uvicorn", "fastapi")
        ),
        "PostgreSQL": postgres_settings(wp.ADMIN_DSN),
        "load average (1/5/15 min) before": load_average(),
        "busy processes before (share of one core over 1 s)": "; ".join(busy_processes()) or "none",
    }
    result = run(args.kills, args.clients, args.cases, args.seed, keep=args.keep)
    machine["load average (1/5/15 min) after"] = load_average()
    machine["busy processes after"] = "; ".join(busy_processes()) or "none"
    machine["wall time"] = f"{(datetime.now(UTC) - started).total_seconds():.0f} s"
    report(result, started, machine)
    if not result.passed:
        sys.exit(1)


if __name__ == "__main__":
    main()
