"""The read models over HTTP: archive, balances on two clocks, postings, flows, trail, exports."""

from __future__ import annotations

import io
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from typing import Any

import openpyxl
from fastapi.testclient import TestClient

from api.app import create_app
from domain.access import SYSTEM
from domain.application import Ledger
from domain.vocabulary import Role
from settings import Settings
from tests.api.support import Api, World, case_body


def pay(
    api: Api, world: World, amount: str, day: str, fund: str | None = None, case: str | None = None
) -> str:
    return api.created(
        "/payments",
        {
            "fund_id": fund or world.fund,
            "case_id": case or world.case,
            "assistance_type": "living_relief",
            "amount": amount,
            "business_date": day,
        },
    )


def test_the_archive_filters_by_status_category_cause_flag_visits_and_assistance(
    api: Api, world: World
) -> None:
    widow = api.created(
        "/cases",
        case_body(
            world.street,
            category="relative_hardship",
            primary_cause="laid_off_unemployed",
            secondary_causes=["child_schooling"],
            flags=["single_parent"],
        ),
    )
    closed = api.created("/cases", case_body(world.street, flags=[]))
    api.created(
        f"/cases/{closed}/closure",
        {"reason": "exited_income_above_line", "business_date": "2026-03-01"},
    )
    api.created(f"/cases/{widow}/visits", {"date": "2026-02-01", "visitors": ["王"]})
    pay(api, world, "300.00", "2026-02-02")

    def ids(**params: Any) -> set[str]:
        response = api.view("/cases", **params)
        assert response.status_code == 200, response.text
        return {c["id"] for c in response.json()["items"]}

    assert ids() == {world.case, widow, closed}
    assert ids(status="active") == {world.case, widow}
    assert ids(status="exited") == {closed}
    assert ids(category="relative_hardship") == {widow}
    assert ids(cause="child_schooling") == {widow}
    assert ids(flag="zero_employment_family") == {world.case}
    assert ids(not_visited_since="2026-01-15") == {world.case, closed}
    assert ids(never_assisted="true") == {widow, closed}
    assert ids(not_reviewed_since="2026-01-06") == {world.case, widow, closed}
    assert ids(not_reviewed_since="2026-01-05") == set()
    row = next(c for c in api.view("/cases", year=2026).json()["items"] if c["id"] == world.case)
    assert (row["received_in_year"], row["received_total"]) == ("300.00", "300.00")


def test_the_archive_lists_only_the_asked_subtree_and_pages_by_id(api: Api, world: World) -> None:
    for _ in range(4):
        api.created("/cases", case_body(world.other_district))

    district = api.view("/cases", centre_id=world.district).json()["items"]
    first = api.view("/cases", limit=3).json()
    second = api.view("/cases", limit=3, after=first["next"]).json()

    assert [c["id"] for c in district] == [world.case]
    assert len(first["items"]) == 3 and first["next"] is not None
    assert len(second["items"]) == 2 and second["next"] is None
    assert {c["id"] for c in first["items"]}.isdisjoint({c["id"] for c in second["items"]})


def test_the_summary_counts_cases_by_category_and_cause(api: Api, world: World) -> None:
    api.created(
        "/cases",
        case_body(
            world.street, category="borderline", primary_cause="accident", secondary_causes=[]
        ),
    )

    counts = api.view("/cases/summary").json()

    assert counts["category"] == {"borderline": 1, "deep_hardship": 1}
    assert counts["primary_cause"] == {"accident": 1, "serious_illness": 1}
    assert counts["status"] == {"active": 2}


def test_a_late_correction_changes_the_past_by_business_date_but_not_as_it_was_known(
    api: Api, world: World
) -> None:
    paid = pay(api, world, "800.00", "2026-01-25")
    time.sleep(0.01)
    before_correction = datetime.now(UTC)
    time.sleep(0.01)
    api.created(f"/payments/{paid}/reversal", {"reason": "错付", "business_date": "2026-01-26"})

    def balance(**params: Any) -> str:
        response = api.view(f"/funds/{world.fund}/balance", **params)
        assert response.status_code == 200, response.text
        return str(response.json()["balance"])

    assert balance() == "10000.00"
    assert balance(as_of="2026-01-01") == "0.00"
    assert balance(as_of="2026-01-25") == "9200.00"
    assert balance(as_of="2026-01-31") == "10000.00"
    assert balance(as_of="2026-01-31", known_at=before_correction.isoformat()) == "9200.00"


def test_postings_show_running_balance_counterparty_and_actor_and_page(
    api: Api, world: World
) -> None:
    for n in range(3):
        pay(api, world, f"{n + 1}00.00", f"2026-02-0{n + 1}")

    first = api.view(f"/funds/{world.fund}/postings", limit=2).json()
    rest = api.view(f"/funds/{world.fund}/postings", after=first["next"]).json()

    rows = first["items"] + rest["items"]
    assert [(r["type"], r["amount"], r["balance_after"]) for r in rows] == [
        ("Received", "10000.00", "10000.00"),
        ("Disbursed", "-100.00", "9900.00"),
        ("Disbursed", "-200.00", "9700.00"),
        ("Disbursed", "-300.00", "9400.00"),
    ]
    assert rows[1]["counterparty_kind"] == "case" and rows[1]["counterparty_id"] == world.case
    assert all(r["actor"] == "admin" and r["recorded_at"].endswith("Z") for r in rows)


def test_the_timeline_reads_as_a_story_with_fund_names(api: Api, world: World) -> None:
    api.created(
        f"/cases/{world.case}/visits",
        {
            "date": "2026-01-20",
            "visitors": ["王主席"],
            "kind": "campaign",
            "campaign": "spring_festival_warmth",
        },
    )
    pay(api, world, "500.00", "2026-01-21")

    timeline = api.view(f"/cases/{world.case}/timeline").json()

    assert [e["type"] for e in timeline] == ["Registered", "Visited", "AssistanceReceived"]
    assert "王主席" in timeline[1]["summary"]
    assert timeline[2]["fund_name"] == "中央财政专项帮扶资金"
    assert "¥500.00" in timeline[2]["summary"]


def test_the_audit_trail_filters_by_actor_type_fund_case_and_centre(api: Api, world: World) -> None:
    pay(api, world, "100.00", "2026-01-21")

    def types(**params: Any) -> list[str]:
        response = api.view("/audit/events", **params)
        assert response.status_code == 200, response.text
        return [e["type"] for e in response.json()["items"]]

    everything = api.view("/audit/events").json()["items"]
    assert [e["position"] for e in everything] == sorted(e["position"] for e in everything)
    assert types(type="Disbursed") == ["Disbursed"]
    assert types(fund_id=world.fund) == [
        "Opened",
        "Received",
        "Disbursed",
        "AssistanceReceived",
        "Made",
    ]
    assert types(case_id=world.case) == [
        "Registered",
        "Claimed",
        "Disbursed",
        "AssistanceReceived",
        "Made",
    ]
    assert "Disbursed" not in types(centre_id=world.district)
    assert types(by="nobody") == []
    assert types(recorded_from="2099-01-01T00:00:00Z") == []


def test_fund_flows_follow_money_down_the_tree_by_type_and_category(api: Api, world: World) -> None:
    child = api.post(
        f"/funds/{world.fund}/allocations",
        {"to_centre_id": world.district, "amount": "3000.00", "business_date": "2026-01-10"},
    ).json()["id"]
    pay(api, world, "800.00", "2026-01-25", fund=child)
    reversed_payment = pay(api, world, "200.00", "2026-01-26")
    api.created(f"/payments/{reversed_payment}/reversal", {"reason": "错付"})
    api.created(f"/funds/{child}/returns", {"amount": "1000.00", "business_date": "2026-12-01"})

    flows = api.view(f"/funds/{world.fund}/flows").json()

    assert (flows["received"], flows["paid"], flows["reversed"]) == (
        "10000.00",
        "1000.00",
        "200.00",
    )
    assert flows["unspent"] == "9200.00"
    assert [
        (c["centre_name"], c["allocated"], c["returned_up"]) for c in flows["allocated_to_children"]
    ] == [("朝阳区", "3000.00", "1000.00")]
    assert flows["paid_by_type"]["living_relief"] == {
        "paid": "1000.00",
        "reversed": "200.00",
        "payments": 2,
    }
    assert flows["paid_by_category"]["deep_hardship"]["paid"] == "1000.00"


def test_year_end_statistics_roll_funds_up_per_centre_and_source(api: Api, world: World) -> None:
    api.post(
        f"/funds/{world.fund}/allocations",
        {"to_centre_id": world.district, "amount": "3000.00", "business_date": "2026-01-10"},
    )

    report = api.view("/reports/year-end", centre_id=world.city, fiscal_year=2026).json()

    rows = {(r["centre_name"], r["source"]): r for r in report["rows"]}
    assert rows[("长春市帮扶中心", "central_special_fund")]["allocated_out"] == "3000.00"
    assert rows[("朝阳区", "central_special_fund")]["balance"] == "3000.00"


def test_exports_come_as_csv_and_xlsx_with_chinese_headers(api: Api, world: World) -> None:
    csv_response = api.view("/cases", format="csv", lang="zh")
    xlsx_response = api.view(f"/funds/{world.fund}/postings", format="xlsx", lang="zh")

    assert csv_response.headers["content-type"].startswith("text/csv")
    text = csv_response.content.decode("utf-8-sig")
    assert text.splitlines()[0].startswith("档案编号,姓名,状态")
    assert world.case in text
    book = openpyxl.load_workbook(io.BytesIO(xlsx_response.content))
    sheet = book.active
    assert sheet is not None
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][:4] == ("序号", "业务日期", "记账时间", "类型")
    assert rows[1][4] == 10000  # an amount is a number in a spreadsheet


def test_a_read_waits_for_its_view_to_reach_the_write_it_follows(api: Api, world: World) -> None:
    created = api.post("/cases", case_body(world.street)).json()

    response = api.client.get(
        "/cases", params={"min_position": created["position"]}, headers=api.headers("admin")
    )

    assert created["id"] in {c["id"] for c in response.json()["items"]}


def test_projection_status_reports_positions_and_lag(api: Api, world: World) -> None:
    api.view("/cases")

    status = {s["view"]: s for s in api.get("/projections/status").json()}

    assert set(status) == {
        "archive",
        "funds",
        "audit",
        "provenance",
        "matching",
        "suspicious",
        "earmarks",
        "conservation",
        "referrals",
        "policy",
        "dynamics",
        "filing",
        "campaigns",
        "schedules",
        "approvals",
    }
    assert status["archive"]["position"] >= api.position


@contextmanager
def unprojected(ledger: Ledger, settings: Settings) -> Iterator[tuple[TestClient, dict[str, str]]]:
    """An admin's client of an app that runs no projector (a read waits 0.2 s for its view)."""
    settings = settings.model_copy(update={"project_in_process": False, "read_wait_seconds": 0.2})
    token = ledger.add_user(SYSTEM, "admin", Role.ADMIN, None)
    with TestClient(create_app(ledger, settings)) as client:
        yield client, {"Authorization": f"Bearer {token}"}


def test_a_read_gets_a_clear_view_behind_answer_when_no_projector_runs(
    ledger: Ledger, settings: Settings
) -> None:
    with unprojected(ledger, settings) as (client, headers):
        written = client.post(
            "/centres", json={"name": "市", "level": "prefecture"}, headers=headers
        ).json()

        response = client.get(
            "/cases", params={"min_position": written["position"]}, headers=headers
        )

    assert response.status_code == 503
    problem = response.json()
    assert problem["type"] == "urn:bangfu:problem:view-behind"
    assert (problem["view"], problem["wanted_position"]) == ("archive", written["position"])
    assert response.headers["retry-after"] == "1"


def test_every_fund_of_a_subtree_is_listed_with_its_balance_now(api: Api, world: World) -> None:
    child = api.post(
        f"/funds/{world.fund}/allocations",
        {"to_centre_id": world.district, "amount": "3000.00", "business_date": "2026-01-10"},
    ).json()["id"]

    everything = {f["fund_id"]: f["balance"] for f in api.view("/funds").json()["items"]}
    district = [f["fund_id"] for f in api.view("/funds", centre_id=world.district).json()["items"]]

    assert everything == {world.fund: "7000.00", child: "3000.00"}
    assert district == [child]


def test_the_year_end_report_downloads_as_a_spreadsheet_with_chinese_headers(
    api: Api, world: World
) -> None:
    response = api.view(
        "/reports/year-end", centre_id=world.city, fiscal_year=2026, format="xlsx", lang="zh"
    )

    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active
    assert sheet is not None
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][:3] == ("帮扶中心", "资金来源", "资金账户数")
    assert rows[1][0] == "长春市帮扶中心" and rows[1][3] == 10000


def test_a_position_beyond_the_end_of_the_log_is_refused_at_once(api: Api, world: World) -> None:
    response = api.get(f"/cases?min_position={api.position + 1_000_000}")

    assert response.status_code == 422
    assert "the log ends at" in response.json()["detail"]


def test_the_balance_of_a_fund_the_funds_view_has_not_seen_yet_is_view_behind_not_missing(
    ledger: Ledger, settings: Settings
) -> None:
    with unprojected(ledger, settings) as (client, headers):
        centre = client.post(
            "/centres", json={"name": "市", "level": "prefecture"}, headers=headers
        )
        fund = {
            "centre_id": centre.json()["id"],
            "name": "送温暖",
            "source": "acftu_warmth_fund",
            "fiscal_year": 2026,
            "purposes": ["warmth_visit"],
        }
        opened = client.post("/funds", json=fund, headers=headers).json()

        response = client.get(f"/funds/{opened['id']}/balance", headers=headers)

    assert response.status_code == 503, response.text
    assert response.json()["type"] == "urn:bangfu:problem:view-behind"
