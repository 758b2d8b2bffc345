"""Views built while events arrive equal views rebuilt from scratch; a killed projector resumes."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any

from cli.demo import DemoBuilder
from domain.application import Ledger
from projections import Views, archive
from projections.runner import View
from tests.store_templates import StoreTemplates

BANGFU = str(Path(sys.executable).parent / "bangfu")


def contents(view: View) -> dict[str, list[tuple[Any, ...]]]:
    """Every row of every table of the view's current generation, in a stable order."""
    g = view.generation()
    out = {}
    for base in view.tables:
        rows = view.db.query(f"SELECT * FROM {view.table(base, g)}")
        out[base] = sorted(tuple(str(v) for v in r.values()) for r in rows)
    return out


def everything(views: Views) -> dict[str, dict[str, list[tuple[Any, ...]]]]:
    return {v.name: contents(v) for v in views.projector.views}


def test_views_built_while_events_arrive_equal_views_rebuilt_from_scratch(ledger: Ledger) -> None:
    views = Views(ledger, batch_size=7)  # small batches: many boundaries inside use cases
    stop = threading.Event()
    ledger.listeners.append(lambda position: views.projector.wake.set())
    runner = threading.Thread(target=views.projector.run_forever, args=(stop, 0.01))
    runner.start()
    try:
        DemoBuilder(ledger, households=25).build()
    finally:
        stop.set()
        views.projector.wake.set()
        runner.join()
    views.projector.run_once()
    incremental = everything(views)

    rebuilt = ("archive", "funds", "audit", "referrals", "policy", "dynamics", "filing")
    for name in (*rebuilt, "campaigns", "schedules", "approvals"):
        views.projector.rebuild(name)

    assert everything(views) == incremental
    assert sum(len(rows) for rows in incremental["policy"].values()) > 20  # the demo's policy
    assert sum(len(rows) for rows in incremental["audit"].values()) > 300
    assert len(incremental["referrals"]["referrals"]) == 3  # the demo's referrals (转介)
    assert len(incremental["dynamics"]["dyn_incomes"]) == 25  # the demo's incomes (收入登记)
    assert len(incremental["filing"]["filing_applications"]) == 9  # the demo's applications
    assert sum(map(len, incremental["campaigns"].values())) > 25  # the campaign and its roster
    assert sum(map(len, incremental["schedules"].values())) >= 3  # the demo's schedules
    assert sum(map(len, incremental["approvals"].values())) >= 3  # the demo's requests
    assert {
        s.generation for s in map(views.projector.state, ("archive", "funds", "audit")) if s
    } == {2}


def test_a_rebuild_switches_over_while_readers_keep_reading_the_old_view(
    store_url: str, tmp_path: Path, store_templates: StoreTemplates
) -> None:
    with store_templates.demo(store_url, tmp_path, households=25) as (ledger, _):
        rebuild_while_reading(ledger)


def rebuild_while_reading(ledger: Ledger) -> None:
    views = Views(ledger, batch_size=50)
    views.projector.run_once()
    expected = archive.list_cases(views.archive, archive.ArchiveFilter(), limit=1000)
    failures: list[BaseException] = []
    reads = 0
    done = threading.Event()

    def read_continuously() -> None:
        nonlocal reads
        while not done.is_set():
            try:
                assert (
                    archive.list_cases(views.archive, archive.ArchiveFilter(), limit=1000)
                    == expected
                )
                reads += 1
            except BaseException as e:
                failures.append(e)

    reader = threading.Thread(target=read_continuously)
    reader.start()
    views.projector.rebuild("archive")
    views.projector.rebuild("archive")
    done.set()
    reader.join()

    assert failures == [] and reads > 0
    state = views.projector.state("archive")
    assert state is not None and state.generation == 3


def test_a_killed_projector_resumes_with_no_event_lost_or_counted_twice(
    store_url: str, tmp_path: Path, store_templates: StoreTemplates
) -> None:
    with store_templates.demo(store_url, tmp_path, households=25) as (ledger, _):
        kill_the_projector_and_resume(ledger, store_url, tmp_path)


def kill_the_projector_and_resume(ledger: Ledger, store_url: str, tmp_path: Path) -> None:
    head = ledger.recorder.max_notification_id() or 0
    Views(ledger)  # create the view tables once, before the projector process starts
    env = {k: v for k, v in os.environ.items() if not k.startswith("BANGFU_")}
    env["BANGFU_DATABASE_URL"] = store_url
    env["BANGFU_DATA_DIR"] = str(tmp_path)  # the store's own master key, and a signing key
    process = subprocess.Popen(
        [BANGFU, "project", "--batch-size", "1", "--poll", "0.05"],
        cwd=tmp_path,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    views = Views(ledger)

    def positions() -> dict[str, int]:
        states = [views.projector.state(n) for n in ("archive", "funds", "audit")]
        return {s.view: s.position for s in states if s is not None}

    deadline = time.monotonic() + 120
    while min(positions().values()) < head // 3:
        assert process.poll() is None and time.monotonic() < deadline
        time.sleep(0.01)
    process.send_signal(signal.SIGKILL)
    process.wait()
    killed_at = positions()

    assert max(killed_at.values()) < head, "the projector finished a view before it was killed"
    views.projector.run_once()
    resumed = everything(views)
    for name in ("archive", "funds", "audit"):
        views.projector.rebuild(name)
    assert everything(views) == resumed
    print(f"\nkilled at {killed_at} of {head}; resumed and matched a rebuild")
