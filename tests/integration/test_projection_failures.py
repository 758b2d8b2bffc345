"""A view that cannot apply an event stops just before it; the other views and reads go on."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any, ClassVar
from uuid import UUID, uuid4

import pytest
from fastapi.testclient import TestClient

from api.app import create_app
from domain.access import SYSTEM, Actor
from domain.application import Context, Ledger
from domain.funds import Fund
from domain.vocabulary import AssistanceType, CentreLevel, FundSource, Role
from projections import Views
from projections.runner import Batch, Projector, View, ViewBehindError, ViewFailedError
from settings import Settings
from stores.sql import Cursor, SqlDatabase
from tests.api.support import case_body

BANGFU = str(Path(sys.executable).parent / "bangfu")
ADMIN = Context(Actor("tester", Role.ADMIN))


def save_unappliable_receipt(ledger: Ledger, centre_id: UUID) -> tuple[Fund, int, int]:
    """Write, behind the API's back, a receipt of 10**20 fen: no BIGINT (or SQLite integer)
    holds it, so the funds view cannot apply it. Returns the fund and the log positions of
    its opening and of the bad receipt."""
    fund = Fund.open(
        [centre_id],
        "越界的资金",
        FundSource.CENTRAL_SPECIAL_FUND,
        2026,
        [AssistanceType.LIVING_RELIEF],
        "intruder",
        date(2026, 1, 2),
    )
    fund.trigger_event(  # the event itself: the command's guards would refuse the amount
        fund.Received,
        movement_id=uuid4(),
        amount_fen=10**20,
        payer="某人",
        reference="X-1",
        actor="intruder",
        business_date=date(2026, 1, 3),
    )
    ledger.save(fund)
    mine = [
        n.id for n in ledger.recorder.select_notifications(0, 100_000) if n.originator_id == fund.id
    ]
    assert len(mine) == 2
    return fund, mine[0], mine[1]


def history_around_a_bad_event(ledger: Ledger) -> tuple[Fund, int, int, int]:
    """Some good events, the bad receipt, then more good events; returns the head too."""
    city = ledger.create_centre(ADMIN, "长春市帮扶中心", CentreLevel.PREFECTURE, None).result.id
    ledger.open_fund(
        ADMIN, city, "好资金", FundSource.CENTRAL_SPECIAL_FUND, 2026, [AssistanceType.LIVING_RELIEF]
    )
    fund, opened, bad = save_unappliable_receipt(ledger, city)
    for name in ("朝阳区", "南关区"):
        ledger.create_centre(ADMIN, name, CentreLevel.COUNTY, city)
    head = ledger.recorder.max_notification_id() or 0
    assert head > bad
    return fund, opened, bad, head


def test_a_view_that_cannot_apply_an_event_stops_before_it_and_the_others_go_on(
    ledger: Ledger,
) -> None:
    fund, opened, bad, head = history_around_a_bad_event(ledger)
    views = Views(ledger, batch_size=50)  # the bad event lies inside a batch

    views.projector.run_once()

    positions = {v.name: views.projector.state(v.name) for v in views.projector.views}
    assert {name: s.position for name, s in positions.items() if s} == {
        "archive": head,
        "audit": head,
        "funds": opened,
        # the supervision views: those that keep the receipt's amount stop before it too
        "provenance": opened,
        "matching": opened,
        "suspicious": head,
        "earmarks": head,
        "conservation": opened,
        "referrals": head,
        "policy": head,
        "dynamics": head,
        "filing": head,
        "campaigns": head,
        "schedules": head,
        "approvals": head,
    }
    failures = views.projector.failures()
    assert set(failures) == {"funds", "provenance", "matching", "conservation"}
    failure = failures["funds"]
    assert (failure.position, failure.topic, failure.originator_id, failure.originator_version) == (
        bad,
        "domain.funds:Fund.Received",
        str(fund.id),
        2,
    )
    assert "out of range" in failure.error or "too large" in failure.error
    assert abs((datetime.now(UTC) - datetime.fromisoformat(failure.failed_at)).total_seconds()) < 60
    trail = views.audit.db.query(
        f"SELECT position FROM {views.audit.table('audit_events', 1)} WHERE position = %s", [bad]
    )
    assert trail == [{"position": bad}]  # the audit view went past the event funds refused

    views.projector.run_once()  # not retried yet, and nothing raised
    funds_state = views.projector.state("funds")
    assert funds_state is not None and funds_state.position == opened

    with pytest.raises(ViewFailedError) as refused:
        views.projector.wait_for("funds", head, timeout=30)
    assert isinstance(refused.value, ViewBehindError)
    assert f"log position {bad}" in str(refused.value) and "Fund.Received" in str(refused.value)
    assert views.projector.wait_for("funds", opened, timeout=0).position == opened

    with pytest.raises(ViewFailedError):  # a rebuild meets the same event and keeps the old one
        views.projector.rebuild("funds")
    after = views.projector.state("funds")
    assert after is not None and (after.generation, after.position) == (1, opened)
    assert set(views.projector.failures()) == {"funds", "provenance", "matching", "conservation"}


class FussyView(View):
    """A test view that refuses the events of the aggregates named in ``refused``."""

    name = "fussy"
    tables: ClassVar[dict[str, str]] = {
        "fussy_events": "position BIGINT PRIMARY KEY, originator_id TEXT NOT NULL"
    }

    def __init__(self, db: SqlDatabase) -> None:
        super().__init__(db)
        self.refused: set[str] = set()

    def apply(self, cursor: Cursor, generation: int, batch: Batch) -> None:
        for _, event in batch:
            if str(event.originator_id) in self.refused:
                raise ValueError(f"fussy refuses {event.originator_id}")
        cursor.executemany(
            self.db.sql(f"INSERT INTO {self.table('fussy_events', generation)} VALUES (%s, %s)"),
            [(p, str(e.originator_id)) for p, e in batch],
        )

    def positions(self) -> list[int]:
        g = self.generation()
        rows = self.db.query(f"SELECT position FROM {self.table('fussy_events', g)}")
        return sorted(r["position"] for r in rows)


def fussy_projector(ledger: Ledger, refused: set[str]) -> tuple[Projector, FussyView]:
    view = FussyView(SqlDatabase(ledger))
    view.refused = refused
    return Projector(ledger, [view], batch_size=50), view


def test_a_failed_view_is_retried_now_and_then_and_the_failure_cleared_when_it_succeeds(
    ledger: Ledger,
) -> None:
    fund, opened, _, _ = history_around_a_bad_event(ledger)
    refused = {str(fund.id)}
    projector, view = fussy_projector(ledger, refused)
    all_positions = [n.id for n in ledger.recorder.select_notifications(0, 100_000)]

    projector.run_once()

    assert view.positions() == [p for p in all_positions if p < opened]
    assert projector.failures()["fussy"].position == opened
    refused.clear()  # the view can apply it now (say, a fixed release)
    projector.retry_seconds = 3600
    projector.run_once()
    assert set(projector.failures()) == {"fussy"}, "retried before its time"

    restarted, view = fussy_projector(ledger, set())  # a restart retries at once
    restarted.run_once()
    assert restarted.failures() == {}
    assert view.positions() == all_positions

    # A view that fails again is retried by the loop every retry_seconds.
    more = ledger.create_centre(ADMIN, "二道区", CentreLevel.COUNTY, None).result.id
    refused_again = {str(more)}
    again, view = fussy_projector(ledger, refused_again)
    again.retry_seconds = 0.0
    again.run_once()
    assert set(again.failures()) == {"fussy"}
    refused_again.clear()
    again.run_once()
    assert again.failures() == {} and view.positions()[-1] == ledger.recorder.max_notification_id()

    # A rebuild that succeeds clears the failure too.
    latest = ledger.create_centre(ADMIN, "宽城区", CentreLevel.COUNTY, None).result.id
    refused_again.add(str(latest))
    again.run_once()
    assert set(again.failures()) == {"fussy"}
    refused_again.clear()
    again.retry_seconds = 3600
    again.rebuild("fussy")
    assert again.failures() == {}
    state = again.state("fussy")
    assert state is not None and state.generation == 2
    assert view.positions() == [n.id for n in ledger.recorder.select_notifications(0, 100_000)]


def test_status_health_and_reads_show_a_stopped_view(
    ledger: Ledger, store_url: str, settings: Settings, tmp_path: Path
) -> None:
    settings = settings.model_copy(update={"read_wait_seconds": 10.0})
    token = ledger.add_user(SYSTEM, "admin", Role.ADMIN, None)
    headers = {"Authorization": f"Bearer {token}"}
    with TestClient(create_app(ledger, settings), raise_server_exceptions=False) as client:

        def created(path: str, body: dict[str, Any]) -> dict[str, Any]:
            response = client.post(path, json=body, headers=headers)
            assert response.status_code == 201, response.text
            answer: dict[str, Any] = response.json()
            return answer

        city = created("/centres", {"name": "长春市帮扶中心", "level": "prefecture"})["id"]
        street = created("/centres", {"name": "红旗街道", "level": "street", "parent_id": city})
        good = created(
            "/funds",
            {
                "centre_id": city,
                "name": "中央财政专项帮扶资金",
                "source": "central_special_fund",
                "fiscal_year": 2026,
                "purposes": ["living_relief"],
            },
        )["id"]
        fund, opened, bad = save_unappliable_receipt(ledger, UUID(city))
        case = created("/cases", case_body(street["id"]))
        last = case["position"]

        deadline = time.monotonic() + 30
        while True:
            status = client.get("/projections/status", headers=headers)
            assert status.status_code == 200, status.text
            by_view = {s["view"]: s for s in status.json()}
            if (
                by_view["archive"]["position"] >= last
                and by_view["audit"]["position"] >= last
                and by_view["funds"]["failed_at_position"] is not None
            ):
                break
            assert time.monotonic() < deadline, by_view
            time.sleep(0.05)

        assert client.get("/projections/status").status_code == 401
        funds_status = by_view["funds"]
        assert funds_status["position"] == opened and funds_status["failed_at_position"] == bad
        assert funds_status["event"] == {
            "topic": "domain.funds:Fund.Received",
            "originator_id": str(fund.id),
            "originator_version": 2,
        }
        assert "out of range" in funds_status["error"] or "too large" in funds_status["error"]
        assert by_view["archive"]["failed_at_position"] is None
        assert by_view["archive"]["error"] is None and by_view["archive"]["event"] is None

        health = client.get("/health")
        assert health.status_code == 200
        assert health.json() == {
            "status": "degraded",
            "detail": "a read model stopped at an event it cannot apply; see /projections/status",
        }

        plain = client.get("/funds", headers=headers)
        assert plain.status_code == 200
        listed = {f["fund_id"]: f["received"] for f in plain.json()["items"]}
        assert listed == {good: "0.00", str(fund.id): "0.00"}  # opened, not yet received

        started = time.monotonic()
        newer = client.get("/funds", params={"min_position": last}, headers=headers)
        waited = time.monotonic() - started
        assert newer.status_code == 503 and waited < 2.0, (newer.text, waited)
        problem = newer.json()
        assert problem["view"] == "funds" and problem["view_position"] == opened
        assert f"log position {bad}" in problem["detail"]
        assert "Fund.Received" in problem["detail"] and str(fund.id) in problem["detail"]
        assert problem["type"] == "urn:bangfu:problem:view-failed"
        assert problem["failed_at_position"] == bad
        assert newer.headers["retry-after"] == "60"  # the view is tried again every minute

        archive = client.get("/cases", params={"min_position": last}, headers=headers)
        assert archive.status_code == 200
        assert case["id"] in {c["id"] for c in archive.json()["items"]}

    env = {k: v for k, v in os.environ.items() if not k.startswith("BANGFU_")}
    env |= {
        "BANGFU_DATABASE_URL": store_url,
        "BANGFU_MASTER_KEY_FILE": str(tmp_path / "master.key"),
        "BANGFU_SIGNING_KEY_FILE": str(tmp_path / "signing-key.pem"),
        "COLUMNS": "200",
    }
    cli = subprocess.run(
        [BANGFU, "projections", "status"],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert cli.returncode == 0, cli.stderr
    assert "failed at" in cli.stdout
    funds_line = next(line for line in cli.stdout.splitlines() if "│ funds" in line)
    assert str(bad) in funds_line
    assert f"log position {bad}" in cli.stdout and "Fund.Received" in cli.stdout
    assert str(fund.id) in cli.stdout
