"""Benchmark: what one save of one event costs on PostgreSQL, against the library's own insert.

    python -m bench.save_round_trips [--saves 2000] [--switch-ms 5]

A payment's save holds the events table's lock (and, in a writers' turn, every other process's
writes) for its round trips to the server; under load each round trip is also a wait for the
interpreter, which the request threads are using. So each save is timed twice: with the
interpreter idle, and with one other thread spinning in Python (as a serve worker's readers do).
``--switch-ms`` sets the interpreter's switch interval (Python's default: 5 ms).

The baseline, measured in the same run on the same database: eventsourcing's
PostgresApplicationRecorder inserting the same one-event batches into a table of its own (no
chain, no check of the writer's reads). Bangfu's save (stores/chain.py) also checks one read
aggregate's version, reads the chain's last link and writes the new link.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from uuid import uuid4

from eventsourcing.persistence import StoredEvent
from eventsourcing.postgres import PostgresApplicationRecorder
from rich.console import Console
from rich.table import Table

from bench.generate import BenchLedger
from bench.projections import drop_store, fresh_store
from stores import store_env

console = Console()


@contextmanager
def busy_interpreter(busy: bool) -> Iterator[None]:
    """One other thread running Python code for the block (when ``busy``)."""
    stop = threading.Event()

    def spin() -> None:
        while not stop.is_set():
            sum(range(2_000))

    thread = threading.Thread(target=spin, daemon=True)
    if busy:
        thread.start()
    try:
        yield
    finally:
        stop.set()
        if busy:
            thread.join()


def timed(save: Callable[[], object], saves: int) -> list[float]:
    """Milliseconds of each of ``saves`` calls."""
    times = []
    for _ in range(saves):
        started = time.perf_counter()
        save()
        times.append((time.perf_counter() - started) * 1000)
    return times


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--saves", type=int, default=2000)
    parser.add_argument("--switch-ms", type=float, default=5.0)
    args = parser.parse_args()
    url = fresh_store("postgres")
    ledger = BenchLedger(env=store_env(url))
    try:
        chained = ledger.recorder
        plain = PostgresApplicationRecorder(
            chained.datastore,  # type: ignore[attr-defined]
            events_table_name="bench_plain_events",
        )
        plain.create_table()
        read = uuid4()
        chained.insert_events([StoredEvent(read, 1, "bench:Read", b"{}")])

        def event() -> list[StoredEvent]:
            return [StoredEvent(uuid4(), 1, "bench:Paid", b'{"amount_fen": 10000}')]

        kinds: dict[str, Callable[[], object]] = {
            "eventsourcing's insert (baseline)": lambda: plain.insert_events(event()),
            "Bangfu's save (chain, one read checked)": lambda: chained.insert_events(
                event(), expected_versions={read: 1}
            ),
        }
        table = Table(title=f"one event a save, {args.saves} saves each, ms")
        for column in ("save", "interpreter", "median", "p90", "p99", "ratio to baseline"):
            table.add_column(column)
        sys.setswitchinterval(args.switch_ms / 1000)
        for condition, busy in (("idle", False), ("one thread spinning", True)):
            times: dict[str, list[float]] = {name: [] for name in kinds}
            with busy_interpreter(busy):
                for _ in range(4):  # interleaved: the machine's drift hits both alike
                    for name, save in kinds.items():
                        times[name] += timed(save, args.saves // 4)
            base = statistics.median(next(iter(times.values())))
            for name, measured in times.items():
                measured.sort()
                median = statistics.median(measured)
                p90, p99 = (measured[int(len(measured) * q) - 1] for q in (0.9, 0.99))
                table.add_row(
                    name,
                    f"{condition}, switch interval {args.switch_ms:g} ms",
                    f"{median:.2f}",
                    f"{p90:.2f}",
                    f"{p99:.2f}",
                    f"{median / base:.2f}",
                )
        console.print(table)
    finally:
        ledger.close()
        drop_store("postgres")


if __name__ == "__main__":
    main()
