"""Two `bangfu project` processes at once apply every event exactly once."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections import Counter
from datetime import date, timedelta
from pathlib import Path
from uuid import UUID

from cli.demo import DemoData
from domain.access import Actor
from domain.application import Context, Ledger
from domain.cases import Goods
from domain.vocabulary import Role, VisitKind
from projections import Views
from supervision.signing import Signer
from tests.integration.test_projections import everything

BANGFU = str(Path(sys.executable).parent / "bangfu")


def visit_every_open_case(ledger: Ledger, cases: list[UUID], rounds: range) -> None:
    staff = Context(Actor("tester", Role.ADMIN))
    for round_ in rounds:
        for case in cases:
            ledger.record_visit(
                staff,
                case,
                ["张干事"],
                VisitKind.ROUTINE,
                None,
                f"第{round_ + 1}次走访",
                [Goods("米面油", 100_00)],
                date(2026, 3, 1) + timedelta(days=round_),
            )


def test_two_projector_processes_apply_each_batch_once(
    demo: tuple[Ledger, DemoData, Signer], store_url: str, tmp_path: Path
) -> None:
    ledger, data, _ = demo
    open_cases = data.cases[1:]  # the demo closes the first one
    visit_every_open_case(ledger, open_cases, range(3))
    views = Views(ledger)  # the view tables exist before either process starts
    projector = views.projector
    # funds and audit start at the head, so at first both processes race on the archive alone
    # (where a batch applied twice used to raise no error at all: a visit simply counted twice)
    projector.catch_up(views.funds)
    projector.catch_up(views.audit)

    env = {k: v for k, v in os.environ.items() if not k.startswith("BANGFU_")}
    env |= {
        "BANGFU_DATABASE_URL": store_url,
        # the tables exist already; two processes creating them at once race in PostgreSQL's
        # catalogue ("tuple concurrently updated"), so neither does, as in production
        "BANGFU_CREATE_TABLES": "false",
        "BANGFU_MASTER_KEY_FILE": str(tmp_path / "master.key"),
        "BANGFU_SIGNING_KEY_FILE": str(tmp_path / "signing-key.pem"),
    }
    command = [BANGFU, "project", "--batch-size", "1", "--poll", "0.05"]
    logs = [tmp_path / f"projector-{n}.log" for n in (1, 2)]
    processes = []
    for log in logs:
        with log.open("w") as output:
            processes.append(
                subprocess.Popen(
                    command, cwd=tmp_path, env=env, stdout=output, stderr=subprocess.STDOUT
                )
            )

    def wait_for_the_head() -> None:
        head = ledger.recorder.max_notification_id() or 0
        deadline = time.monotonic() + 120
        while True:
            states = [projector.state(v.name) for v in projector.views]
            if all(s is not None and s.position >= head for s in states):
                return
            for process, log in zip(processes, logs, strict=True):
                assert process.poll() is None, log.read_text()[-3000:]
            assert time.monotonic() < deadline, states
            time.sleep(0.05)

    try:
        wait_for_the_head()
        # then writes arrive while both run, and they race on all three views
        visit_every_open_case(ledger, open_cases, range(3, 5))
        for payment in data.payments[1:5]:
            ledger.reverse_payment(Context(Actor("tester", Role.ADMIN)), payment, "重复发放")
        wait_for_the_head()
        time.sleep(0.5)  # a loser of the last race would apply its batch again now
        assert all(p.poll() is None for p in processes), "both ran until the head"
    finally:
        for process in processes:
            if process.poll() is None:
                process.send_signal(signal.SIGTERM)
        for process in processes:
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()

    events = projector.read(0, 100_000)
    assert 250 < len(events) < 600
    visits = Counter(
        str(e.originator_id) for _, e in events if type(e).__qualname__ == "Case.Visited"
    )
    # the closed case was visited once (in the Spring Festival campaign), the one that campaign
    # did not reach five times, every other open case six times
    assert sorted(set(visits.values())) == [1, 5, 6]
    archive = views.archive
    rows = archive.db.query(
        f"SELECT case_id, visits FROM {archive.table('archive_cases', archive.generation())}"
    )
    assert {r["case_id"]: r["visits"] for r in rows} == dict(visits)
    projected = everything(views)
    for name in ("archive", "funds", "audit"):
        projector.rebuild(name)
    assert everything(views) == projected
    assert projector.failures() == {}
