"""Benchmark: rebuilding the views from 1,000,000 events, and query latency on that store.

    python -m bench.projections [--events 1000000] [--store postgres|sqlite] [--batch 2000]
        [--views audit,funds]

Prints a table and writes bench/RESULTS-<store>.md. The baselines, measured in the same run, are
the rates at which this machine reads the raw notification log and decodes it into events; each
rebuild is given as a ratio to both (the target: a rebuild at 25% of the decoded read or more).
"""

from __future__ import annotations

import argparse
import random
import secrets
import statistics
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from functools import partial
from pathlib import Path
from typing import Any

import psycopg
from rich.console import Console
from rich.progress import Progress
from rich.table import Table

from bench.generate import BenchLedger, generate
from projections import Views, archive, audit, funds
from stores import store_env
from stores.log import LogReader
from stores.sql import SqlDatabase
from stores.vault import Vault

ADMIN_DSN = "postgresql://postgres@127.0.0.1:5432/postgres"
console = Console()


def fresh_store(kind: str) -> str:
    if kind == "sqlite":
        return f"sqlite:///{tempfile.mkdtemp(prefix='bangfu-bench-')}/bench.sqlite"
    with psycopg.connect(ADMIN_DSN, autocommit=True) as conn:
        conn.execute("DROP DATABASE IF EXISTS bangfu_bench_projections")
        conn.execute("CREATE DATABASE bangfu_bench_projections")
    return "postgresql://postgres@127.0.0.1:5432/bangfu_bench_projections"


def drop_store(kind: str) -> None:
    if kind == "postgres":
        with psycopg.connect(ADMIN_DSN, autocommit=True) as conn:
            conn.execute("DROP DATABASE IF EXISTS bangfu_bench_projections WITH (FORCE)")


def rate(count: int, seconds: float) -> float:
    return count / seconds if seconds else float("inf")


def read_log(ledger: BenchLedger, decode: bool) -> tuple[int, float]:
    """The baseline: the whole log through the one reader, raw or decoded into events."""
    reader, started = LogReader(ledger), time.perf_counter()
    count = sum(1 for _ in (reader.events() if decode else reader.entries()))
    return count, time.perf_counter() - started


def latency(samples: int, query: Callable[[random.Random], Any]) -> tuple[float, float]:
    rng = random.Random(11)
    times = []
    for _ in range(samples):
        started = time.perf_counter()
        query(rng)
        times.append((time.perf_counter() - started) * 1000)
    times.sort()
    return statistics.median(times), times[int(len(times) * 0.95) - 1]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=1_000_000)
    parser.add_argument("--store", choices=["postgres", "sqlite"], default="postgres")
    parser.add_argument("--batch", type=int, default=2000)
    parser.add_argument("--samples", type=int, default=300)
    parser.add_argument("--views", default="", help="comma-separated views to rebuild (all)")
    parser.add_argument("--no-write", action="store_true", help="print only (trial runs)")
    parser.add_argument("--keep", action="store_true", help="keep the benchmark database")
    args = parser.parse_args()
    url = fresh_store(args.store)
    ledger = BenchLedger(env=store_env(url))
    master = secrets.token_bytes(32)
    ledger.vault = Vault(SqlDatabase(ledger), lambda create: master)
    results: list[tuple[str, str, str]] = []
    try:
        with Progress(console=console) as progress:
            task = progress.add_task("generating events", total=args.events)
            started = time.perf_counter()
            data = generate(ledger, args.events, tick=lambda n: progress.update(task, completed=n))
            gen_seconds = time.perf_counter() - started
        results.append(
            (
                "generate (domain + save, 300 households a save)",
                f"{data.events:,} events",
                f"{rate(data.events, gen_seconds):,.0f}/s",
            )
        )
        raw_n, raw_s = read_log(ledger, decode=False)
        dec_n, dec_s = read_log(ledger, decode=True)
        raw_rate, dec_rate = rate(raw_n, raw_s), rate(dec_n, dec_s)
        results.append(
            ("baseline: read the notification log, raw", f"{raw_n:,}", f"{raw_rate:,.0f}/s")
        )
        results.append(
            ("baseline: read and decode into events", f"{dec_n:,}", f"{dec_rate:,.0f}/s")
        )
        views = Views(ledger, batch_size=args.batch)
        chosen = [views.projector.view(name) for name in args.views.split(",") if name]
        total_seconds = 0.0
        for view in chosen or views.projector.views:
            with Progress(console=console) as progress:
                task = progress.add_task(f"rebuilding {view.name}", total=raw_n)
                started = time.perf_counter()
                applied = views.projector.rebuild(view.name, partial(progress.advance, task))
                seconds = time.perf_counter() - started
            total_seconds += seconds
            results.append(
                (
                    f"rebuild view '{view.name}' (batch {args.batch})",
                    f"{applied:,}",
                    f"{rate(applied, seconds):,.0f}/s = "
                    f"{rate(applied, seconds) / raw_rate:.2f}x raw read, "
                    f"{rate(applied, seconds) / dec_rate:.2f}x decoded read",
                )
            )
        results.append(
            (
                "rebuild these views, one after another",
                f"{raw_n:,}",
                f"{rate(raw_n, total_seconds):,.0f} log events/s ({total_seconds:.0f} s)",
            )
        )
        built = {view.name for view in chosen or views.projector.views}
        results += query_latencies(views, data, args.samples, built)
    finally:
        ledger.close()
        if not args.keep:
            drop_store(args.store)
    report(results, args)


def query_latencies(
    views: Views, data: Any, samples: int, built: set[str]
) -> list[tuple[str, str, str]]:
    """p50/p95 of each query whose view this run rebuilt (another reads an empty table)."""
    streets = data.centres[11:]

    def balance(rng: random.Random) -> None:
        as_of = (date(2026, 1, 10) + timedelta(days=rng.randrange(300))).isoformat()
        known = datetime.now(UTC) - timedelta(seconds=rng.randrange(0, 60))
        funds.balance(views.funds, str(rng.choice(data.street_funds)), as_of, known)

    def timeline(rng: random.Random) -> None:
        audit.timeline(views.audit, str(rng.choice(data.cases)))

    def archive_page(rng: random.Random) -> None:
        f = archive.ArchiveFilter(centre_id=str(rng.choice(streets)), status="active")
        archive.list_cases(views.archive, f, limit=50)

    def archive_filtered(rng: random.Random) -> None:
        f = archive.ArchiveFilter(
            centre_id=str(data.centres[1 + rng.randrange(10)]),
            category="deep_hardship",
            not_visited_since=date(2026, 6, 1),
        )
        archive.list_cases(views.archive, f, limit=50)

    def audit_page(rng: random.Random) -> None:
        audit.events(
            views.audit, audit.AuditFilter(), limit=100, after=rng.randrange(0, data.events)
        )

    def audit_by_fund(rng: random.Random) -> None:
        audit.events(
            views.audit, audit.AuditFilter(fund_id=str(rng.choice(data.street_funds))), limit=100
        )

    rows = []
    for view, name, query in (
        ("funds", "balance at a past moment (as_of + known_at)", balance),
        ("audit", "case timeline", timeline),
        ("archive", "archive page (street subtree, active)", archive_page),
        ("archive", "archive page (district, category, not visited since)", archive_filtered),
        ("audit", "audit trail page (from a random position)", audit_page),
        ("audit", "audit trail page (one fund)", audit_by_fund),
    ):
        if view not in built:
            continue
        p50, p95 = latency(samples, query)
        rows.append((f"query: {name}", f"{samples} samples", f"p50 {p50:.1f} ms, p95 {p95:.1f} ms"))
    return rows


def report(results: list[tuple[str, str, str]], args: argparse.Namespace) -> None:
    table = Table(title=f"Bangfu projections benchmark ({args.store}, {args.events:,} events)")
    for column in ("what", "count", "figure"):
        table.add_column(column)
    for row in results:
        table.add_row(*row)
    console.print(table)
    lines = [
        f"# Projections benchmark: {args.store}, {args.events:,} events",
        "",
        f"Run on {datetime.now(UTC):%Y-%m-%d %H:%M} UTC with "
        f"`python -m bench.projections --events {args.events} --store {args.store} "
        f"--batch {args.batch}` (2 cores, shared machine).",
        "",
        "| what | count | figure |",
        "|---|---|---|",
    ]
    lines += [f"| {a} | {b} | {c} |" for a, b, c in results]
    if args.no_write:
        return
    out = Path(__file__).with_name(f"RESULTS-{args.store}.md")
    out.write_text("\n".join(lines) + "\n")
    console.print(f"written to {out}")


if __name__ == "__main__":
    main()
