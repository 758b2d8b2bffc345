"""The report of bench/chaos.py: printed, and written to bench/RESULTS-chaos.md."""

from __future__ import annotations

import os
import platform
import re
from collections import Counter
from datetime import datetime
from importlib.metadata import version
from pathlib import Path
from typing import TYPE_CHECKING

from rich.console import Console
from rich.table import Table

from bench.kill_checks import check_lines, check_rows
from bench.write_path import busy_processes, git_state, load_average

if TYPE_CHECKING:
    from bench.chaos import Result

OUT = Path(__file__).with_name("RESULTS-chaos.md")
EXCEPTION = re.compile(r"\b((?:[a-z_]+\.)*[A-Z]\w*(?:Error|Exception)): ([^\"\\\n]{0,100})")
console = Console()


def machine_facts() -> dict[str, str]:
    """The machine, the versions, and how busy it is before the run."""
    return {
        "machine": f"{os.cpu_count()} cores, {platform.platform()}, Python "
        f"{platform.python_version()}",
        "versions": ", ".join(
            f"{p} {version(p)}" for p in ("eventsourcing", "psycopg", "uvicorn", "fastapi")
        ),
        "load average (1/5/15 min) before": load_average(),
        "busy processes before (share of one core over 1 s)": "; ".join(busy_processes()) or "none",
    }


def spread(values: list[float]) -> str:
    if not values:
        return "-"
    return f"{min(values):.1f}-{max(values):.1f} s, mean {sum(values) / len(values):.1f} s"


def exceptions(log: str) -> list[str]:
    """The exceptions a log names, the most frequent first (numbers masked)."""
    text = log.replace("\\n", "\n").replace("\\t", " ")  # as JSON lines escape them
    found = Counter(
        f"{kind}: {re.sub(r'[0-9]+', 'N', what.strip())}" for kind, what in EXCEPTION.findall(text)
    )
    return [f"{n} x {what}" for what, n in found.most_common(6)]


def rate(acked: int, seconds: float) -> float:
    return acked / seconds if seconds else 0.0


def figure_rows(r: Result) -> list[tuple[str, str]]:
    drawn = Counter(c.victims for c in r.runs)
    kills = sum(len(c.names) for c in r.runs)
    db = [c for c in r.runs if c.db_restart]
    base = rate(r.baseline.acked, r.baseline_wall)
    under = rate(r.chaos_acked, r.chaos_wall)
    rows = [
        ("cycles", f"{len(r.runs)} of {r.cycles}"),
        (
            "victims drawn (SIGKILL)",
            f"serve only {drawn['serve']}, projector only {drawn['project']}, both {drawn['both']}",
        ),
        ("processes confirmed dead after SIGKILL", f"{sum(c.killed for c in r.runs)} of {kills}"),
        ("children outliving a killed process by 10 s", str(sum(len(c.orphans) for c in r.runs))),
        (
            "restarted, until ready",
            "; ".join(
                f"{name} {spread([c.up_seconds[name] for c in r.runs if name in c.up_seconds])}"
                for name in ("serve", "project")
            ),
        ),
        (
            "database restarts (pg_ctl restart -m immediate)",
            f"{len(db)}"
            + (f", each accepting again in {spread(r.db_restart_seconds)}" if db else ""),
        ),
    ]
    if db:
        serve = [c.serve_recovered for c in db if c.serve_recovered is not None]
        project = [c.project_recovered for c in db if c.project_recovered is not None]
        rows += [
            (
                "  server's next 201 after it, no restart",
                f"{len(serve)} of {len(db)}: {spread(serve)}",
            ),
            (
                "  projector's next applied event after it, no restart",
                f"{len(project)} of {len(db)}: {spread(project)}",
            ),
        ]
    rows += [
        (
            "baseline: payments/s, nothing killed",
            f"{base:.1f} ({r.baseline.acked:,} in {r.baseline_wall:.1f} s)",
        ),
        (
            "payments/s through the chaos (restarts included)",
            f"{under:.1f} ({r.chaos_acked:,} in {r.chaos_wall:.1f} s): "
            f"{under / base if base else 0:.2f}x the baseline",
        ),
        *check_rows(r.figures),
    ]
    return rows


def command(r: Result) -> str:
    text = f"python -m bench.chaos --cycles {r.cycles} --clients {r.clients}"
    if r.restart_db_every:
        text += f" --restart-db-every {r.restart_db_every}"
    if r.pre_ping:
        text += " --pre-ping"
    for flag, value, default in (
        ("--cases", r.cases, 300),
        ("--checkpoint-every", r.checkpoint_every, 500),
        ("--baseline-seconds", r.baseline_seconds, 10.0),
    ):
        if value != default:
            text += f" {flag} {value:g}"
    return text


def cycle_rows(r: Result) -> list[str]:
    rows = [
        "| cycle | DB restart: s / server back / projector back | killed | after s | up in s "
        "| sends | 201 | replayed | cut off | other |",
        "|---|---|---|---|---|---|---|---|---|---|",
    ]
    for c in r.runs:
        t = c.tally
        db = "-"
        if c.db_restart:
            db = " / ".join(
                "NO" if v is None else f"{v:.1f}"
                for v in (c.db_restart_seconds, c.serve_recovered, c.project_recovered)
            )
        ups = ", ".join(f"{s:.1f}" for s in c.up_seconds.values())
        rows.append(
            f"| {c.number} | {db} | {c.victims} | {c.kill_after:.2f} | {ups} | {t.sends} | "
            f"{t.acked} | {t.replayed} | {t.cut_off} | {t.other} |"
        )
    return rows


def report(r: Result, started: datetime, facts: dict[str, str], about: str) -> None:
    """Print the figures and write them, with ``about`` (how the run works), to OUT."""
    table = Table(title="Chaos: SIGKILL to serve and projector, database restarts")
    table.add_column("what")
    table.add_column("figure")
    for row in figure_rows(r):
        table.add_row(*row)
    console.print(table)
    logs = {
        name: f"{log.count('Traceback')} tracebacks; " + ("; ".join(exceptions(log)) or "none")
        for name, log in r.logs.items()
    }
    facts = {
        "outcome": "PASSED" if r.passed else "FAILED: " + "; ".join(r.problems),
        "seed": str(r.seed),
        "kill delays": f"uniform {r.kill_range[0]:g}-{r.kill_range[1]:g} s",
        **{f"{name} log (over every restart)": text for name, text in logs.items()},
        "first start, until ready": ", ".join(f"{n} {s:.1f} s" for n, s in r.first_up.items()),
        "code": f"git {git_state()}; {len(r.code_versions)} version(s) of the source served",
        "setup over HTTP": f"3 centres, 1 fund, 1 receipt, {r.cases} households in "
        f"{r.setup_seconds:.1f} s",
        "PostgreSQL (the run's own cluster)": r.postgres,
        "connection pools": "each connection checked before it is lent (POSTGRES_PRE_PING=y)"
        if r.pre_ping
        else "connections lent unchecked (eventsourcing's default, POSTGRES_PRE_PING=n)",
        **facts,
        "load average (1/5/15 min) after": load_average(),
        "wall time": f"{(datetime.now(started.tzinfo) - started).total_seconds():.0f} s",
    }
    for key, value in facts.items():
        console.print(f"{key}: {value}", markup=False)
    for note in r.notes:
        console.print(f"note: {note}", markup=False)
    lines = [
        f"# Chaos: SIGKILL to `bangfu serve` and `bangfu project`, {r.cycles} cycles"
        + (
            f", the database restarted every {r.restart_db_every} cycles"
            if r.restart_db_every
            else ""
        ),
        "",
        f"Run on {started:%Y-%m-%d %H:%M} UTC with `{command(r)}`.",
        "",
        about,
        "",
        "| what | figure |",
        "|---|---|",
        *(f"| {what} | {value} |" for what, value in figure_rows(r)),
        "",
        "## Cycles",
        "",
        *cycle_rows(r),
        "",
        "## Checks",
        "",
        *check_lines(r.figures),
        *(f"- note: {note}" for note in r.notes),
        "",
        "## Machine",
        "",
        *(f"- {k}: {v}" for k, v in facts.items()),
    ]
    OUT.write_text("\n".join(lines) + "\n")
    console.print(f"written to {OUT}")
