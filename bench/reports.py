"""Benchmark: the supervision reports answered from their read models, at N events.

    python -m bench.reports [--events 1000000] [--store postgres|sqlite] [--samples 200] [--check]

Writes N events in batches (bench/generate.py, then irregular payments through the use cases),
rebuilds the five supervision views, and times each report through the API (p50, p95), beside
the rate at which LogReader reads the whole log in the same run and the process's memory before
and after the reports. ``--check`` then compares each report with its recomputation from the
events. Writes bench/RESULTS-reports.md.
"""

from __future__ import annotations

import argparse
import random
import resource
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import psycopg
from fastapi.testclient import TestClient
from rich.console import Console
from rich.table import Table

from api.app import create_app
from bench.generate import BenchLedger, Generated
from bench.projections import ADMIN_DSN, latency, rate, read_log
from bench.report_history import write_history
from domain.access import SYSTEM
from domain.application import Ledger
from domain.vocabulary import Role
from projections import Views, conservation
from projections.earmarks import earmarks
from projections.matching import matching
from projections.provenance_trace import trace
from projections.runner import Projector
from projections.suspicious_rules import suspicious
from settings import Settings
from supervision import compliance, provenance
from supervision.records import from_ledger
from supervision.scope import Scope

SUPERVISION = ("provenance", "matching", "suspicious", "earmarks", "conservation")
READS = ((False, "raw"), (True, "decoded into events"))
console = Console()


Row = tuple[str, str, str]


def memory(when: str) -> Row:
    """The process's resident memory now and at its peak so far (Linux)."""
    now = int(Path("/proc/self/statm").read_text().split()[1]) * resource.getpagesize() / 2**20
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 2**10
    return (f"memory of the process {when}", "", f"resident {now:,.0f} MiB, peak {peak:,.0f} MiB")


def calls(data: Generated, roots: list[str], districts: list[str]) -> dict[str, Any]:
    """Each report as the bench calls it: a name, and (path, params) for a random draw."""
    centres = [str(c) for c in data.centres]
    tree, suspicious_ = "/supervision/provenance/", "/supervision/suspicious-payments"

    def day(rng: random.Random) -> str:
        return (date(2026, 1, 10) + timedelta(days=rng.randrange(300))).isoformat()

    def lateness(rng: random.Random) -> dict[str, int]:
        late = rng.choice([0, 30, 90, 400, 36600])
        return {"repeat_window_days": rng.randrange(60), "late_recording_days": late}

    return {
        "provenance: a central fund's tree (first 100 households)": lambda r: (
            tree + r.choice(roots),
            {},
        ),
        "provenance: a district fund as of a past date": lambda r: (
            tree + r.choice(districts),
            {"as_of": day(r)},
        ),
        "matching: whole ledger, a random ratio": lambda r: (
            "/supervision/matching",
            {"ratio": f"1:{r.randint(1, 3)}"},
        ),
        "matching: a district": lambda r: (
            "/supervision/matching",
            {"centre_id": r.choice(centres[1:11])},
        ),
        "suspicious payments: whole ledger, defaults (first 100)": lambda r: (suspicious_, {}),
        "suspicious payments: whole ledger, random window and lateness (100)": lambda r: (
            suspicious_,
            {**lateness(r), "limit": 100},
        ),
        "suspicious payments: a street, random window and lateness": lambda r: (
            suspicious_,
            {**lateness(r), "centre_id": r.choice(centres[11:])},
        ),
        "earmarks: whole ledger": lambda r: ("/supervision/earmarks", {}),
        "earmarks: a district": lambda r: (
            "/supervision/earmarks",
            {"centre_id": r.choice(centres[1:11])},
        ),
        "conservation: whole ledger": lambda r: ("/audit/conservation", {}),
    }


def time_reports(
    ledger: BenchLedger, data: Generated, views: Views, samples: int, folder: Path
) -> list[tuple[str, str, str]]:
    """Every report through the API (a TestClient, no projector thread), p50 and p95."""
    token = ledger.add_user(SYSTEM, "bench-auditor", Role.AUDITOR, None)
    Projector(ledger, [views.projector.view(n) for n in SUPERVISION]).run_once()
    prov = views.provenance
    funds = prov.db.query(
        f"SELECT fund_id, parent_fund_id FROM {prov.table('prov_funds', prov.generation())}"
    )
    roots = [f["fund_id"] for f in funds if f["parent_fund_id"] is None]
    districts = [f["fund_id"] for f in funds if f["parent_fund_id"] in roots]
    settings = Settings(
        project_in_process=False,
        signing_key_file=folder / "signing-key.pem",
        master_key_file=folder / "master.key",
    )
    rows = []
    with TestClient(create_app(ledger, settings)) as client:
        headers = {"Authorization": f"Bearer {token}"}
        for name, call in calls(data, roots, districts).items():

            def get(rng: random.Random, call: Callable[..., Any] = call) -> None:
                path, params = call(rng)
                response = client.get(path, params=params, headers=headers)
                assert response.status_code == 200, response.text[:300]

            p50, p95 = latency(samples, get)
            rows.append((name, f"{samples} calls", f"p50 {p50:.1f} ms, p95 {p95:.1f} ms"))
    leaves = [str(f) for f in data.street_funds]

    def street_trace(rng: random.Random) -> None:
        trace(views.provenance, rng.choice(leaves), f"2026-{rng.randint(1, 12):02d}-01", 1000)

    p50, p95 = latency(samples, street_trace)
    label = "provenance: a street fund as of a date (the view's query; no HTTP)"
    rows.append((label, f"{samples} calls", f"p50 {p50:.1f} ms, p95 {p95:.1f} ms"))
    return rows


def check(ledger: Ledger, data: Generated, views: Views) -> list[str]:
    """Each report read from its view against its recomputation from the events."""
    records, std = list(from_ledger(ledger)), compliance.Standards()
    for centre in (None, str(data.centres[1])):
        scoped = Scope(centre_id=centre).select(records) if centre else records
        marks = earmarks(views.earmarks, centre)
        found = {**marks.counts, "violations": marks.items}
        assert found == {
            k: v
            for k, v in compliance.earmarks(scoped).items()
            if k not in ("summary", "not_checked")
        }
        assert matching(
            views.matching, compliance.MATCH_SOURCES, centre
        ).items == compliance.matching(scoped), "matching"
        assert suspicious(views.suspicious, std, centre).items == compliance.suspicious(
            scoped, std
        ), "suspicious payments"
    for as_of in (None, "2026-06-30"):
        tree = trace(views.provenance, str(data.street_funds[0]), as_of) or {}
        shown = {k: v for k, v in tree.items() if k not in ("households_total", "next")}
        assert shown == provenance.trace(records, str(data.street_funds[0]), as_of), "provenance"
    assert conservation.totals(views.conservation) == conservation.check(ledger), "conservation"
    return ["matching", "suspicious payments", "earmarks", "provenance", "conservation"]


def run(url: str, events: int, samples: int, irregulars: int, checking: bool) -> list[Row]:
    """The whole benchmark on the (empty) store at ``url``: write, read, rebuild, time."""
    started = time.perf_counter()
    ledger, data = write_history(url, events, irregulars)
    seconds = time.perf_counter() - started
    try:
        reads = [(what, *read_log(ledger, decode)) for decode, what in READS]
        count, raw_rate = reads[0][1], rate(reads[0][1], reads[0][2])
        rows = [("write the history in batches", f"{count:,}", f"{rate(count, seconds):,.0f}/s")]
        rows += [
            (f"baseline: read the whole log (LogReader), {what}", f"{n:,}", f"{rate(n, t):,.0f}/s")
            for what, n, t in reads
        ]
        views = Views(ledger)
        for name in SUPERVISION:
            started = time.perf_counter()
            applied = views.projector.rebuild(name)
            per_second = rate(applied, time.perf_counter() - started)
            figure = f"{per_second:,.0f}/s = {per_second / raw_rate:.2f}x raw read"
            rows.append((f"rebuild view '{name}'", f"{applied:,}", figure))
        rows.append(memory("before the reports"))
        with tempfile.TemporaryDirectory(prefix="bangfu-bench-") as folder:
            rows += time_reports(ledger, data, views, samples, Path(folder))
        rows.append(memory("after the reports"))
        if checking:
            checked = ", ".join(check(ledger, data, views))
            rows.append(("each report equals its recomputation from the events", "", checked))
    finally:
        ledger.close()
    return rows


@contextmanager
def bench_store(kind: str, keep: bool) -> Iterator[str]:
    """An empty store of the benchmark's own: the database bangfu_bench_reports, or a file."""
    if kind == "sqlite":
        yield f"sqlite:///{tempfile.mkdtemp(prefix='bangfu-bench-')}/bench.sqlite"
        return
    with psycopg.connect(ADMIN_DSN, autocommit=True) as conn:
        conn.execute("DROP DATABASE IF EXISTS bangfu_bench_reports WITH (FORCE)")
        conn.execute("CREATE DATABASE bangfu_bench_reports")
    yield ADMIN_DSN.rsplit("/", 1)[0] + "/bangfu_bench_reports"
    if not keep:
        with psycopg.connect(ADMIN_DSN, autocommit=True) as conn:
            conn.execute("DROP DATABASE bangfu_bench_reports WITH (FORCE)")


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--events", type=int, default=1_000_000)
    parser.add_argument("--store", choices=["postgres", "sqlite"], default="postgres")
    parser.add_argument("--samples", type=int, default=200)
    parser.add_argument("--irregular", type=int, default=200, help="irregular households")
    parser.add_argument("--check", action="store_true", help="compare with recomputations")
    parser.add_argument("--keep", action="store_true", help="keep the benchmark database")
    args = parser.parse_args()
    with bench_store(args.store, args.keep) as url:
        rows = run(url, args.events, args.samples, args.irregular, args.check)
    write(rows, args)


def write(rows: list[Row], args: argparse.Namespace) -> None:
    """Print the table and write bench/RESULTS-reports.md."""
    title = f"Supervision reports benchmark: {args.store}, {args.events:,} events"
    table = Table("what", "count", "figure", title=title)
    for row in rows:
        table.add_row(*row)
    console.print(table)
    command = (
        f"python -m bench.reports --events {args.events} --store {args.store} "
        f"--samples {args.samples} --irregular {args.irregular}"
        + (" --check" if args.check else "")
        + (" --keep" if args.keep else "")
    )
    lines = [
        f"# {title}",
        "",
        f"Run on {datetime.now(UTC):%Y-%m-%d %H:%M} UTC with `{command}` (2 cores, shared).",
        "",
        "| what | count | figure |",
        "|---|---|---|",
        *(f"| {a} | {b} | {c} |" for a, b, c in rows),
    ]
    out = Path(__file__).with_name("RESULTS-reports.md")
    out.write_text("\n".join(lines) + "\n")
    console.print(f"written to {out}")


if __name__ == "__main__":
    main()
