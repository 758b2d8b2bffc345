"""Benchmark at scale (10 M events): generate a kept store, bring its views up, query it via HTTP.

    nice -n 19 python -m bench.scale --stage generate|views|queries|all [--events 10000000]
        [--db bangfu_bench_10m] [--data-dir /work/bench-data/10m]

A KEPT PostgreSQL database that a real `bangfu serve` opens (keys in files in the data dir,
schema stamped by bootstrap.prepare_store). Each stage resumes: generate keeps its state in
<data-dir>/generate-state.json after every save, views carries on from each view's position.
The stages log to <data-dir>/scale.log with timestamps and write figures to
<data-dir>/figures-<stage>.json; bench/scale_report.py writes bench/RESULTS-scale.md.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import random
import shutil
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import psycopg

from bench.generate import Generated, Tree, first_unwritten, households, plant
from bench.scale_queries import stage_queries
from bench.scale_views import stage_views
from bootstrap import prepare_store
from domain.application import Ledger
from domain.centres import Centre
from domain.funds import Fund
from settings import Settings
from stores import open_ledger
from stores.log import LogReader

ADMIN_DSN = "postgresql://postgres@127.0.0.1:5432/postgres"
MIN_FREE_BYTES = 20 * 2**30


class Run:
    """One stage's store, folder and log."""

    def __init__(self, db: str, data_dir: Path) -> None:
        self.db, self.data_dir = db, data_dir.absolute()
        self.url = f"postgresql://postgres@127.0.0.1:5432/{db}"
        self.data_dir.mkdir(parents=True, exist_ok=True)
        self.settings = Settings(  # a small pool: the database's 100 connections are shared
            data_dir=self.data_dir,
            database_url=f"{self.url}?pool_size=2",
            _env_file=None,  # type: ignore[call-arg]
        )

    def log(self, message: str) -> None:
        line = f"{datetime.now(UTC):%Y-%m-%d %H:%M:%S} {message}"
        print(line, flush=True)
        with (self.data_dir / "scale.log").open("a") as f:
            f.write(line + "\n")

    def figures(self, stage: str, figures: dict[str, Any]) -> None:
        path = self.data_dir / f"figures-{stage}.json"
        path.write_text(json.dumps(figures, indent=1, default=str))
        self.log(f"{stage}: figures in {path}")

    def create_database(self) -> None:
        with psycopg.connect(ADMIN_DSN, autocommit=True) as conn:
            found = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", (self.db,))
            if not found.fetchone():
                conn.execute(f'CREATE DATABASE "{self.db}"')

    def renice_backends(self) -> int:
        """Renice every PostgreSQL backend serving this database to 19 (the rest of the machine
        keeps working); returns how many."""
        with psycopg.connect(ADMIN_DSN, autocommit=True) as conn:
            rows = conn.execute(
                "SELECT pid FROM pg_stat_activity WHERE datname = %s", (self.db,)
            ).fetchall()
        for (pid,) in rows:
            with contextlib.suppress(OSError):  # gone meanwhile
                os.setpriority(os.PRIO_PROCESS, pid, 19)
        return len(rows)

    def open(self) -> Ledger:
        prepare_store(self.settings, migrate_now=True)
        s = self.settings
        return open_ledger(
            s.database_url, master_key_file=s.master_key_file, erasure_record=s.erasure_record_path
        )

    def load_average(self) -> str:
        return " ".join(f"{x:.2f}" for x in os.getloadavg())


def stage_generate(run: Run, events: int, seed: int = 7) -> None:
    """Write ``events`` in saves of ~300 households' aggregates, resuming where a crash left."""
    run.create_database()
    ledger = run.open()
    ledger.snapshotting_intervals = {}  # type: ignore[misc]  # as bench.generate.BenchLedger
    state_file = run.data_dir / "generate-state.json"
    out = Generated()
    try:
        if state_file.exists():
            state = json.loads(state_file.read_text())
            tree = reload_tree(ledger, state)
            # a save may have committed after the last state was written (a kill between)
            done = first_unwritten(ledger, state["done"], tree.households)
            head = LogReader(ledger).head()
            state.update(done=done, events=head)
            out.events = head
            run.log(f"generate: resuming at household {state['done']:,} ({out.events:,} events)")
        else:
            started = time.perf_counter()
            tree = plant(ledger, events, out)
            state = {
                "target_events": events,
                "households": tree.households,
                "done": 0,
                "events": out.events,
                "seconds": time.perf_counter() - started,
                "load_average_start": run.load_average(),
                "streets": [str(s.id) for s in tree.streets],
                "street_funds": {
                    str(k): [str(f.id) for f in v] for k, v in tree.street_funds.items()
                },
            }
            save_state(state_file, state)
            run.log(f"generate: planted centres and funds, {tree.households:,} households to go")
        write_households(run, ledger, tree, state, state_file, out, seed)
    finally:
        ledger.close()


def write_households(
    run: Run,
    ledger: Ledger,
    tree: Tree,
    state: dict[str, Any],
    state_file: Path,
    out: Generated,
    seed: int,
) -> None:
    session_start, session_events = time.perf_counter(), out.events
    base_seconds = state["seconds"]
    last = {"log": 0.0, "nice": 0.0}

    def saved(done: int) -> None:
        now = time.perf_counter()
        state.update(done=done, events=out.events, seconds=base_seconds + now - session_start)
        save_state(state_file, state)
        if now - last["nice"] > 60:
            last["nice"] = now
            run.renice_backends()
            if shutil.disk_usage("/").free < MIN_FREE_BYTES:
                raise SystemExit("generate: under 20 GB free on /, stopped (resumable)")
        if now - last["log"] > 30:
            last["log"] = now
            rate = (out.events - session_events) / (now - session_start)
            run.log(
                f"generate: {done:,}/{tree.households:,} households, {out.events:,} events, "
                f"{rate:,.0f} events/s this session, load {run.load_average()}"
            )

    start = state["done"]
    rng = random.Random(seed if start == 0 else f"{seed}/{start}")
    run.renice_backends()
    households(ledger, tree, rng, start, tree.households, out, saved=saved)
    state["load_average_end"] = run.load_average()
    state["finished_at"] = datetime.now(UTC).isoformat()
    save_state(state_file, state)
    run.log(
        f"generate: done, {out.events:,} events in {state['seconds']:,.0f} s "
        f"({out.events / state['seconds']:,.0f} events/s overall)"
    )


def reload_tree(ledger: Ledger, state: dict[str, Any]) -> Tree:
    """The streets and street funds again, from the store (after a crash)."""
    from uuid import UUID

    streets: list[Centre] = [ledger.repository.get(UUID(s)) for s in state["streets"]]
    funds: dict[UUID, list[Fund]] = {
        UUID(k): [ledger.repository.get(UUID(f)) for f in v]
        for k, v in state["street_funds"].items()
    }
    return Tree(streets, funds, state["households"])


def transient_error(error: BaseException) -> bool:
    """A lost or refused connection (not a bug): worth resuming."""
    text = f"{type(error).__name__} {error}"
    return any(word in text for word in ("OperationalError", "too many clients", "connection"))


def save_state(path: Path, state: dict[str, Any]) -> None:
    temp = path.with_suffix(".tmp")
    temp.write_text(json.dumps(state))
    temp.replace(path)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--stage", choices=["generate", "views", "queries", "all"], required=True)
    parser.add_argument("--events", type=int, default=10_000_000)
    parser.add_argument("--db", default="bangfu_bench_10m")
    parser.add_argument("--data-dir", type=Path, default=Path("/work/bench-data/10m"))
    parser.add_argument("--samples", type=int, default=200, help="requests per query")
    args = parser.parse_args()
    run = Run(args.db, args.data_dir)
    if args.stage in ("generate", "all"):
        for attempt in range(200):  # the machine is shared: a full or restarted database
            try:
                stage_generate(run, args.events)
                break
            except Exception as error:  # resumes from its state file
                if attempt == 199 or not transient_error(error):
                    raise
                run.log(f"generate: {type(error).__name__}: {error}; resuming in 15 s")
                time.sleep(15)
    if args.stage in ("views", "all"):
        os.nice(19)  # the views stage runs for long, beside other work
        stage_views(run)
    if args.stage in ("queries", "all"):
        stage_queries(run, args.samples)


if __name__ == "__main__":
    main()
