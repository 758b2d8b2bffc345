"""The tables of bench/mixed_load.py, printed and written to bench/RESULTS-mixed-load.md."""

from __future__ import annotations

import os
import platform
from dataclasses import dataclass
from importlib.metadata import version
from pathlib import Path
from typing import Any

from bench.mixed_load_client import Tally, percentile
from bench.write_path import git_state

OUT = Path(__file__).with_name("RESULTS-mixed-load.md")
CPU_ORDER = ("serve", "projector", "PostgreSQL", "load generator", "everything else")


@dataclass
class Phase:
    """One measured phase: what was offered, what came back, where the CPU went."""

    name: str
    loop: str  # "closed" (saturation) or "open" (a fixed offered rate)
    tally: Tally
    cpu: dict[str, float]
    lag_at_end: int
    catch_up_seconds: float

    @property
    def rate(self) -> float:
        return self.tally.answered / self.tally.seconds if self.tally.seconds else 0.0

    @property
    def offered(self) -> str:
        if self.loop == "closed":
            return "closed loop"
        sending = self.tally.sending_seconds
        return f"{self.tally.sent / sending:,.1f}" if sending else "-"

    def all_latencies(self) -> list[float]:
        return [ms for values in self.tally.latencies.values() for ms in values]

    def summary(self) -> str:
        every = self.all_latencies()
        return (
            f"{self.name}: {self.rate:,.1f} req/s, p50/p99 {percentile(every, 50):.1f}/"
            f"{percentile(every, 99):.1f} ms, errors {self.tally.errors()}, CPU "
            + ", ".join(f"{k} {self.cpu.get(k, 0):.2f}" for k in CPU_ORDER)
        )


def _ms(values: list[float]) -> str:
    if not values:
        return "-"
    return " / ".join(f"{percentile(values, p):.1f}" for p in (50, 95, 99, 100))


def overview(run: Any) -> tuple[list[str], list[list[str]]]:
    columns = [
        "phase",
        "offered req/s",
        "answered req/s",
        "requests",
        "p50 / p95 / p99 / max ms (all)",
        "non-2xx",
        "resent on a fresh connection (keep-alive closed by the server)",
        *[f"CPU {k}" for k in CPU_ORDER],
        "view lag at end (catch-up)",
    ]
    rows = [
        [
            p.name,
            p.offered,
            f"{p.rate:,.1f}",
            f"{p.tally.answered:,}",
            _ms(p.all_latencies()),
            str(p.tally.errors()),
            str(p.tally.stale_retries),
            *[f"{p.cpu.get(k, 0):.2f}" for k in CPU_ORDER],
            f"{p.lag_at_end:,} events ({p.catch_up_seconds:.1f} s)",
        ]
        for p in run.phases
    ]
    return columns, rows


def by_kind(p: Phase) -> tuple[list[str], list[list[str]]]:
    columns = ["kind", "answered", "req/s", "p50 / p95 / p99 / max ms", "non-2xx"]
    rows = [
        [
            kind,
            f"{len(values):,}",
            f"{len(values) / p.tally.seconds:,.1f}" if p.tally.seconds else "-",
            _ms(values),
            str(p.tally.errors(kind)),
        ]
        for kind, values in sorted(p.tally.latencies.items())
    ]
    return columns, rows


def per_request(run: Any) -> tuple[list[str], list[list[str]]]:
    """CPU milliseconds a request of each kind costs, alone at saturation (4 clients)."""
    columns = ["kind", "req/s", "p50 / p95 / p99 / max ms", "non-2xx"]
    columns += [f"{k} CPU ms a request" for k in CPU_ORDER[:4]]
    rows = []
    for p in run.kinds:
        n = p.tally.answered
        cost = [
            f"{p.cpu.get(k, 0) * p.tally.seconds / n * 1000:.2f}" if n else "-"
            for k in CPU_ORDER[:4]
        ]
        rows.append(
            [p.name, f"{p.rate:,.1f}", _ms(p.all_latencies()), str(p.tally.errors()), *cost]
        )
    return columns, rows


def _table(title: str, columns: list[str], rows: list[list[str]]) -> list[str]:
    lines = [f"## {title}", "", "| " + " | ".join(columns) + " |", "|" + "---|" * len(columns)]
    return [*lines, *("| " + " | ".join(r) + " |" for r in rows), ""]


def command(args: Any) -> str:
    text = f"python -m bench.mixed_load --minutes {args.minutes:g} --rate {args.rate:g}"
    if args.probe_seconds != 20.0:
        text += f" --probe-seconds {args.probe_seconds:g}"
    if args.kind_seconds != 5.0:
        text += f" --kind-seconds {args.kind_seconds:g}"
    if args.clients != 16:
        text += f" --clients {args.clients}"
    if args.households != 3000:
        text += f" --households {args.households}"
    return text


def write_report(run: Any) -> None:
    held = [p for p in run.phases if p.loop == "open"]
    lines = [
        "# Mixed HTTP load: 80% reads, 20% payments, two serve processes and one projector",
        "",
        f"Run on {run.started:%Y-%m-%d %H:%M} UTC with `{command(run.args)}`.",
        "",
        "One fresh PostgreSQL database, set up over HTTP (bench/mixed_load_setup.py). "
        "`bangfu serve` runs with BANGFU_PROJECT_IN_PROCESS=false beside one `bangfu project`; "
        "(a) one serve process, (b) `bangfu serve --workers 2` (two processes accepting on one "
        "listening socket), (c) the same at a fixed offered rate (open loop: each request is due "
        "at its time whatever the earlier ones did, and its latency counts from that time). "
        "The mix is 20% `POST /payments` (with Idempotency-Key; half to one hot fund) and 16% "
        "each of GET fund, balance as of a past date, a household's timeline, an archive page "
        "(50 households, as a supervisor: each records a personal-data read) and an audit page "
        "(50 events). CPU is in cores from /proc (the machine has "
        f"{os.cpu_count()}): serve (all its processes), the projector, the bench database's "
        "PostgreSQL backends, the load generator (this Python process, uvloop), everything else "
        "(other work on the shared machine, PostgreSQL's background writers).",
        "",
    ]
    if held:
        p = held[0]
        every = p.all_latencies()
        verdict = p.tally.errors() == 0 and percentile(every, 99) < 100
        lines += [
            f"**Held phase: {p.offered} req/s offered, {p.rate:,.1f} answered, p99 "
            f"{percentile(every, 99):.1f} ms, {p.tally.errors()} non-2xx: the target "
            f"(p99 < 100 ms, no errors) {'HELD' if verdict else 'was NOT held'}.**",
            "",
        ]
    lines += _table("Phases", *overview(run))
    if run.kinds:
        lines += _table(
            "(a) 1 serve: each kind alone, 4 clients: what a request costs", *per_request(run)
        )
    for p in run.phases:
        if "health" not in p.name:
            lines += _table(f"{p.name}, by request kind", *by_kind(p))
    lines += run.timeline
    problems = [f"{p.name}: {n} x {k}" for p in run.phases for k, n in p.tally.problems.items()]
    lines += ["## Answers other than 2xx", "", *(f"- {t}" for t in problems or ["none"]), ""]
    lines += ["## Exactly once and views", "", *(f"- {t}" for t in run.check), ""]
    machine = {
        "machine": f"{os.cpu_count()} cores, {platform.platform()}, Python "
        f"{platform.python_version()}",
        "versions": ", ".join(
            f"{p} {version(p)}" for p in ("eventsourcing", "psycopg", "uvicorn", "fastapi")
        ),
        "code": f"git {git_state()}",
    } | run.notes
    lines += ["## Machine", "", *(f"- {k}: {v}" for k, v in machine.items())]
    OUT.write_text("\n".join(lines) + "\n")
    print("\n".join(lines))
    print(f"written to {OUT}")
