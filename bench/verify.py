"""Benchmark: how long `bangfu verify` takes per 100,000 events.

    python -m bench.verify [--events 300000] [--store postgres|sqlite]

The baseline, measured in the same run, is reading the raw notification log.
"""

from __future__ import annotations

import argparse
import secrets
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

from rich.console import Console
from rich.table import Table

from bench.generate import BenchLedger, generate
from bench.projections import drop_store, fresh_store, read_log
from stores import store_env
from stores.sql import SqlDatabase
from stores.vault import Vault
from supervision.checkpoints import Checkpoints
from supervision.signing import Signer
from supervision.verify import verify

console = Console()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=300_000)
    parser.add_argument("--store", choices=["postgres", "sqlite"], default="postgres")
    args = parser.parse_args()
    url = fresh_store(args.store)
    ledger = BenchLedger(env=store_env(url))
    master = secrets.token_bytes(32)
    ledger.vault = Vault(SqlDatabase(ledger), lambda create: master)
    signer = Signer(Path(tempfile.mkdtemp()) / "key.pem")
    try:
        data = generate(ledger, args.events)
        Checkpoints(ledger).take(signer)
        raw_n, raw_s = read_log(ledger, decode=False)
        started = time.perf_counter()
        report = verify(ledger, signer.public_key_pem)
        seconds = time.perf_counter() - started
        assert report.ok, report.faults[:3]
    finally:
        ledger.close()
        drop_store(args.store)
    per_100k = seconds / report.events * 100_000
    rows = [
        ("events in the store", f"{data.events:,}"),
        ("baseline: read the raw log", f"{raw_n / raw_s:,.0f} events/s"),
        (
            "verify (digests, links, checkpoint signatures)",
            f"{report.events / seconds:,.0f} events/s = "
            f"{report.events / seconds / (raw_n / raw_s):.2f}x raw read",
        ),
        ("verify time per 100,000 events", f"{per_100k:.2f} s"),
    ]
    table = Table(title=f"bangfu verify ({args.store})")
    table.add_column("what")
    table.add_column("figure")
    for row in rows:
        table.add_row(*row)
    console.print(table)
    out = Path(__file__).with_name(f"RESULTS-verify-{args.store}.md")
    out.write_text(
        "\n".join(
            [
                f"# `bangfu verify` benchmark: {args.store}",
                "",
                f"Run on {datetime.now(UTC):%Y-%m-%d %H:%M} UTC with "
                f"`python -m bench.verify --events {args.events} --store "
                f"{args.store}` (2 cores, shared machine).",
                "",
                "| what | figure |",
                "|---|---|",
                *[f"| {a} | {b} |" for a, b in rows],
            ]
        )
        + "\n"
    )


if __name__ == "__main__":
    main()
