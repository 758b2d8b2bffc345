"""bench/scale.py's queries stage: a real `bangfu serve` (no projector in it) on the kept store,
each read model query timed over HTTP (p50/p95/p99) beside GET /health/live in the same run,
then the server's peak resident memory (VmHWM)."""

from __future__ import annotations

import os
import random
import signal
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any

import httpx

from domain.access import SYSTEM
from domain.vocabulary import Role
from projections import Views

if TYPE_CHECKING:
    from bench.scale import Run

PORT = 8765
Call = Callable[[random.Random], tuple[str, dict[str, Any]]]


def stage_queries(run: Run, samples: int) -> None:
    ledger = run.open()
    try:
        tokens = {
            role: ledger.add_user(SYSTEM, f"scale-{role.value}-{time.time_ns()}", role, None)
            for role in (Role.AUDITOR, Role.SUPERVISOR)
        }
        views = Views(ledger)
        views.projector.run_once()  # the user's events, so that no view is behind the log
        pick = Picks(views)
    finally:
        ledger.close()
    figures: dict[str, Any] = {"load_average_start": run.load_average(), "samples": samples}
    server = start_serve(run)
    try:
        figures["rss_after_start_kib"] = memory(server.pid)
        figures["queries"] = {}
        # an auditor reads no personal data, so writes nothing: the reports that want their
        # view at the log's head find it there (no projector runs); the supervisor's archive
        # pages open names and record each reading (an event), so they come last
        for role, chosen in ((Role.AUDITOR, calls(pick)), (Role.SUPERVISOR, names(pick))):
            with httpx.Client(
                base_url=f"http://127.0.0.1:{PORT}",
                headers={"Authorization": f"Bearer {tokens[role]}"},
                timeout=120,
            ) as client:
                for name, call in chosen.items():
                    figures["queries"][name] = timed(client, call, samples)
                    run.log(f"queries: {name}: {summary(figures['queries'][name])}")
        figures["rss_kib"] = memory(server.pid)
    finally:
        server.send_signal(signal.SIGTERM)
        server.wait(60)
    figures["load_average_end"] = run.load_average()
    run.figures("queries", figures)


def start_serve(run: Run) -> subprocess.Popen[bytes]:
    env = os.environ | {
        "BANGFU_DATA_DIR": str(run.data_dir),
        "BANGFU_DATABASE_URL": run.url,
        "BANGFU_PROJECT_IN_PROCESS": "false",
        "BANGFU_LOG_LEVEL": "WARNING",
    }
    bangfu = Path(sys.executable).with_name("bangfu")
    log = (run.data_dir / "serve.log").open("ab")
    started = time.perf_counter()
    server = subprocess.Popen(
        [str(bangfu), "serve", "--port", str(PORT)], env=env, stdout=log, stderr=log
    )
    deadline = time.monotonic() + 600
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise SystemExit(f"bangfu serve exited with {server.returncode}: see serve.log")
        try:
            if httpx.get(f"http://127.0.0.1:{PORT}/health/live", timeout=2).status_code == 200:
                run.log(f"queries: serve answered after {time.perf_counter() - started:.1f} s")
                return server
        except httpx.HTTPError:
            pass
        time.sleep(0.5)
    server.kill()
    raise SystemExit("bangfu serve did not answer within 600 s")


def memory(pid: int) -> dict[str, int]:
    """VmRSS and VmHWM (peak) of a process, in KiB."""
    fields = dict(
        line.split(":", 1) for line in Path(f"/proc/{pid}/status").read_text().splitlines()
    )
    return {k: int(fields[k].split()[0]) for k in ("VmRSS", "VmHWM")}


def timed(client: httpx.Client, call: Call, samples: int) -> dict[str, Any]:
    rng, times = random.Random(11), []
    for n in range(samples + 5):
        path, params = call(rng)
        started = time.perf_counter()
        response = client.get(path, params=params)
        elapsed = (time.perf_counter() - started) * 1000
        if response.status_code != 200:
            raise SystemExit(f"{path} {params}: {response.status_code} {response.text[:300]}")
        if n >= 5:  # the first few warm the connection and the caches
            times.append(elapsed)
    times.sort()
    return {
        "p50": statistics.median(times),
        "p95": times[max(0, int(len(times) * 0.95) - 1)],
        "p99": times[max(0, int(len(times) * 0.99) - 1)],
        "max": times[-1],
        "example": f"{path} {params}",
    }


def summary(q: dict[str, Any]) -> str:
    return f"p50 {q['p50']:.1f} ms, p95 {q['p95']:.1f} ms, p99 {q['p99']:.1f} ms"


class Picks:
    """Sample ids drawn from the views: funds by level, cases, centres, the log's head."""

    def __init__(self, views: Views) -> None:
        db, f, a = views.funds.db, views.funds, views.archive
        funds = db.query(
            "SELECT fund_id, parent_fund_id, centre_id FROM "
            f"{f.table('funds_funds', f.generation())}"
        )
        self.roots = [str(r["fund_id"]) for r in funds if r["parent_fund_id"] is None]
        mids = [r for r in funds if str(r["parent_fund_id"]) in self.roots]
        self.districts = sorted(str(r["fund_id"]) for r in mids)
        leaves = [r for r in funds if str(r["parent_fund_id"]) in self.districts]
        self.streets = sorted(str(r["fund_id"]) for r in leaves)
        self.district_centres = sorted({str(r["centre_id"]) for r in mids})
        self.street_centres = sorted({str(r["centre_id"]) for r in leaves})
        cases = a.table("archive_cases", a.generation())
        rows = db.query(f"SELECT case_id FROM {cases} ORDER BY case_id LIMIT 2000")
        self.cases = [str(r["case_id"]) for r in rows]
        self.head = views.projector.state("audit").position  # type: ignore[union-attr]


def day(rng: random.Random) -> str:
    return (date(2026, 1, 10) + timedelta(days=rng.randrange(300))).isoformat()


def calls(p: Picks) -> dict[str, Call]:
    """Every query the brief names, and every supervision report endpoint of the API."""
    suspicious = "/supervision/suspicious-payments"
    now = datetime.now(UTC)
    return {
        "baseline: GET /health/live": lambda r: ("/health/live", {}),
        "balance of a street fund as of a past date, known at a past moment": lambda r: (
            f"/funds/{r.choice(p.streets)}/balance",
            {"as_of": day(r), "known_at": (now - timedelta(seconds=r.randrange(60))).isoformat()},
        ),
        "balance of a street fund as of a past date": lambda r: (
            f"/funds/{r.choice(p.streets)}/balance",
            {"as_of": day(r)},
        ),
        "case timeline": lambda r: (f"/cases/{r.choice(p.cases)}/timeline", {}),
        "archive page: a street subtree, active": lambda r: (
            "/cases",
            {"centre_id": r.choice(p.street_centres), "status": "active"},
        ),
        "archive page: a district, category, not visited since": lambda r: (
            "/cases",
            {
                "centre_id": r.choice(p.district_centres),
                "category": "deep_hardship",
                "not_visited_since": "2026-06-01",
            },
        ),
        "audit page: from a random position": lambda r: (
            "/audit/events",
            {"after": r.randrange(p.head), "limit": 100},
        ),
        "audit page: one fund": lambda r: ("/audit/events", {"fund_id": r.choice(p.streets)}),
        "audit page: a district, from a random position": lambda r: (
            "/audit/events",
            {"centre_id": r.choice(p.district_centres), "after": r.randrange(p.head)},
        ),
        "provenance: a central fund's tree": lambda r: (
            f"/supervision/provenance/{r.choice(p.roots)}",
            {},
        ),
        "provenance: a district fund as of a past date": lambda r: (
            f"/supervision/provenance/{r.choice(p.districts)}",
            {"as_of": day(r)},
        ),
        "provenance: a street fund": lambda r: (
            f"/supervision/provenance/{r.choice(p.streets)}",
            {},
        ),
        "matching: whole ledger, a random ratio": lambda r: (
            "/supervision/matching",
            {"ratio": f"1:{r.randint(1, 3)}"},
        ),
        "matching: a district": lambda r: (
            "/supervision/matching",
            {"centre_id": r.choice(p.district_centres)},
        ),
        "suspicious payments: whole ledger, defaults": lambda r: (suspicious, {}),
        "suspicious payments: whole ledger, random window and lateness": lambda r: (
            suspicious,
            {
                "repeat_window_days": r.randrange(60),
                "late_recording_days": r.choice([0, 30, 90, 400, 36600]),
            },
        ),
        "suspicious payments: a street": lambda r: (
            suspicious,
            {"centre_id": r.choice(p.street_centres), "repeat_window_days": r.randrange(60)},
        ),
        "earmarks: whole ledger": lambda r: ("/supervision/earmarks", {}),
        "earmarks: a district": lambda r: (
            "/supervision/earmarks",
            {"centre_id": r.choice(p.district_centres)},
        ),
        "conservation: whole ledger": lambda r: ("/audit/conservation", {}),
    }


def names(p: Picks) -> dict[str, Call]:
    """The archive pages as a supervisor sees them: names opened, the reading recorded."""
    return {
        "archive page as a supervisor (names): a street subtree, active": lambda r: (
            "/cases",
            {"centre_id": r.choice(p.street_centres), "status": "active"},
        ),
    }
