"""A rebuild killed half-way resumes where it stopped, ends equal to a clean rebuild, and leaves
no orphan tables; a second rebuild of the same view is refused while one runs."""

from __future__ import annotations

import logging
import os
import signal
import subprocess
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from typer.testing import CliRunner

from bench.generate import generate
from cli.main import app
from projections import Views
from projections.rebuild import generations, table_names
from projections.view_errors import RebuildRunningError
from stores import open_ledger
from tests.integration.bangfu import BANGFU
from tests.integration.test_projections import contents


def test_a_killed_rebuild_resumes_where_it_stopped_and_equals_a_clean_rebuild(
    store_url: str, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    ledger = open_ledger(store_url, master_key_file=tmp_path / "master.key")
    generate(ledger, 2000)
    head = ledger.recorder.max_notification_id() or 0
    views = Views(ledger)
    with views.audit.db.transaction() as cursor:
        views.audit.create(cursor, 7)  # an orphan no rebuild can resume (a rebuild long gone)
    ours = {"BANGFU_DATABASE_URL": store_url, "BANGFU_DATA_DIR": str(tmp_path)}
    killed = subprocess.Popen(
        [BANGFU, "projections", "rebuild", "audit", "--batch-size", "10"],
        cwd=tmp_path,
        env={k: v for k, v in os.environ.items() if not k.startswith("BANGFU_")} | ours,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 120
    while (saved := views.projector.state("audit@rebuild")) is None or saved.position == 0:
        assert killed.poll() is None and time.monotonic() < deadline, "the rebuild never began"
        time.sleep(0.005)
    killed.send_signal(signal.SIGKILL)
    killed.wait()
    saved = views.projector.state("audit@rebuild")
    assert saved is not None and 0 < saved.position < head, "the rebuild ended before the kill"
    assert sorted(generations(views.audit, table_names(views.audit.db))) == [1, 2]

    cli = CliRunner(env=ours)  # in this process: a second of imports, not two processes' four
    status = cli.invoke(app, ["projections", "status"])
    resumed = cli.invoke(app, ["projections", "rebuild", "audit"])

    assert f"audit: 重建中 rebuilding generation 2, at position {saved.position} of {head}" in (
        status.stdout
    ), status.stdout
    assert resumed.exit_code == 0, resumed.output
    assert f"audit: 续建 resuming at position {saved.position} of {head}" in resumed.stdout
    assert f"audit: {head - saved.position} events in" in resumed.stdout  # none read twice
    state = views.projector.state("audit")
    assert state is not None and (state.generation, state.position) == (2, head)
    assert views.projector.state("audit@rebuild") is None
    assert sorted(generations(views.audit, table_names(views.audit.db))) == [1, 2]
    rows = contents(views.audit)
    assert len(rows["audit_events"]) == head
    with views.audit.db.transaction() as cursor:
        views.audit.create(cursor, 5)  # another orphan: a fresh start drops it too
    with caplog.at_level(logging.INFO, logger="bangfu.projections"):
        views.projector.rebuild("audit", restart=True)
    assert contents(views.audit) == rows
    assert sorted(generations(views.audit, table_names(views.audit.db))) == [2, 3]
    batches = [r.__dict__ for r in caplog.records if r.__dict__.get("view") == "audit@rebuild"]
    assert sum(b["events"] for b in batches) == head and batches[-1]["position"] == head
    assert all(b["events"] > 0 and b["ms"] >= 0 for b in batches)  # no line for an empty one
    ledger.close()


def test_a_second_rebuild_of_a_view_is_refused_at_once_while_the_first_runs_on(
    store_url: str, tmp_path: Path
) -> None:
    ledger = open_ledger(store_url, master_key_file=tmp_path / "master.key")
    generate(ledger, 600)
    head = ledger.recorder.max_notification_id() or 0
    first, second = Views(ledger, batch_size=50), Views(ledger, batch_size=50)
    begun, go_on = threading.Event(), threading.Event()

    def held_after_a_batch(n: int) -> None:
        begun.set()
        assert go_on.wait(60)

    running = ThreadPoolExecutor(1).submit(first.projector.rebuild, "audit", held_after_a_batch)
    assert begun.wait(60), "the first rebuild never began"
    ours = {"BANGFU_DATABASE_URL": store_url, "BANGFU_DATA_DIR": str(tmp_path)}

    with pytest.raises(RebuildRunningError, match="a rebuild of the audit view is running"):
        second.projector.rebuild("audit")
    refused = CliRunner(env=ours).invoke(app, ["projections", "rebuild", "audit"])
    another_view = second.projector.rebuild("funds")  # other views are not held up
    go_on.set()

    assert refused.exit_code == 1 and "a rebuild of the audit view is running" in refused.output
    assert another_view == head
    assert running.result(timeout=120) == head
    state = second.projector.state("audit")
    assert state is not None and (state.generation, state.position) == (2, head)
    assert len(contents(second.audit)["audit_events"]) == head
    assert second.projector.rebuild("audit") == head  # the lock went with the first one
    ledger.close()
