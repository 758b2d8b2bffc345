"""Fund supervision over HTTP: the public key, checkpoints, reports and the audit package."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path
from uuid import UUID

import openpyxl

from domain.vocabulary import Role
from supervision.package_verify import verify_package
from tests.api.support import Api, World, payment_body


def test_the_public_key_and_checkpoints_are_published(api: Api, world: World) -> None:
    taken = api.post("/audit/checkpoints", {})

    key = api.get("/audit/public-key", as_=None).json()
    listed = api.get("/audit/checkpoints").json()

    assert taken.status_code == 201
    assert key["algorithm"] == "Ed25519" and "BEGIN PUBLIC KEY" in key["public_key_pem"]
    assert listed[-1]["position"] == taken.json()["position"]
    assert listed[-1]["key_id"] == key["key_id"]


def test_matching_shortfalls_come_as_json_and_as_a_spreadsheet(api: Api, world: World) -> None:
    api.created(
        "/funds",
        {
            "centre_id": world.city,
            "name": "省配套",
            "source": "provincial_match",
            "fiscal_year": 2026,
            "purposes": ["living_relief"],
        },
    )

    report = api.get("/supervision/matching").json()
    sheet = api.client.get(
        "/supervision/matching",
        params={"format": "xlsx", "lang": "zh"},
        headers=api.headers("admin"),
    )

    assert [(r["match_source"], r["shortfall"]) for r in report["shortfalls"]] == [
        ("provincial_match", "10000.00"),
        ("municipal_match", "10000.00"),
    ]
    rows = list(
        openpyxl.load_workbook(io.BytesIO(sheet.content)).active.iter_rows(  # type: ignore[union-attr]
            values_only=True
        )
    )
    heads = ("中央 : 配套", "配套基数（元）", "应配套（元）", "实际到位（元）", "缺口（元）")
    assert rows[0][0] == "帮扶中心" and rows[0][5:10] == heads
    # the city matches the central ¥10,000 plus the province's match, which did not come
    assert [r[5:10] for r in rows[1:]] == [
        ("100:100", 10000, 10000, 0, 10000),
        ("100:100", 10000, 10000, 0, 10000),
    ]


def test_suspicious_payments_and_earmarks_answer_for_the_ledger(api: Api, world: World) -> None:
    for day in ("2026-01-20", "2026-01-25"):
        api.created(
            "/payments",
            {
                "fund_id": world.fund,
                "case_id": world.case,
                "assistance_type": "warmth_visit",
                "amount": "500.00",
                "business_date": day,
            },
        )

    findings = api.get("/supervision/suspicious-payments?late_recording_days=36600").json()
    earmarks = api.get("/supervision/earmarks").json()

    assert [f["rule"] for f in findings["findings"]] == ["repeat_within_window"]
    assert earmarks == {
        "payments_checked": 2,
        "transfers_checked": 0,
        "violations": [],
        "summary": "none found",
    }


def test_provenance_and_the_package_are_for_the_whole_tree_users_only(
    api: Api, world: World
) -> None:
    local = api.user("local-auditor", Role.AUDITOR, UUID(world.district))

    assert api.get(f"/supervision/provenance/{world.fund}", as_=local).status_code == 403
    assert api.get("/supervision/package", as_=local).status_code == 403
    assert api.get(f"/supervision/provenance/{world.fund}").json()["received_fen"] == 1_000_000


def test_the_downloaded_package_verifies_offline(api: Api, world: World, tmp_path: Path) -> None:
    auditor = api.user("auditor", Role.AUDITOR)

    response = api.get(f"/supervision/package?fund_id={world.fund}", as_=auditor)

    assert response.headers["content-type"] == "application/zip"
    (tmp_path / "p.zip").write_bytes(response.content)
    assert verify_package(tmp_path / "p.zip").ok
    assert "events.jsonl" in zipfile.ZipFile(tmp_path / "p.zip").namelist()


def test_the_trace_downloads_as_csv_with_a_row_per_fund_and_household(
    api: Api, world: World
) -> None:
    api.created("/payments", payment_body(world.fund, world.case, "800.00", "2026-01-25"))

    response = api.client.get(
        f"/supervision/provenance/{world.fund}",
        params={"format": "csv", "lang": "zh"},
        headers=api.headers("admin"),
    )

    lines = response.content.decode("utf-8-sig").splitlines()
    assert lines[0].startswith("层级,资金,帮扶中心编号,困难户档案")
    assert lines[1].split(",")[4] == "10000.00"
    assert world.case in lines[2] and "living_relief 800.00" in lines[2]


def test_suspicious_payments_judge_by_the_line_in_force_at_the_households_centre(
    api: Api, world: World
) -> None:
    api.created("/payments", payment_body(world.fund, world.case, "9600.00", "2026-03-01"))
    default = api.view("/supervision/suspicious-payments", late_recording_days=36600).json()

    api.created(
        "/policy",
        {
            "centre_id": world.city,
            "parameter": "dibao_line",
            "value": "1000.00",
            "effective_from": "2026-07-01",
            "reason": "市低保标准年中上调",
        },
    )
    raised = api.view("/supervision/suspicious-payments", late_recording_days=36600).json()

    # a deep-hardship household may get 12 months of the line in force on the year's last day:
    # 12 x ¥790 = ¥9,480 by default; 12 x ¥1,000 = ¥12,000 once the city's line rises mid-year
    assert [f["rule"] for f in default["findings"]] == ["above_standard"]
    assert "the 948000 fen standard" in default["findings"][0]["detail"]
    assert raised["findings"] == []


def test_matching_requires_the_share_in_force_at_the_centre_unless_a_ratio_is_asked(
    api: Api, world: World
) -> None:
    api.created(
        "/policy",
        {
            "centre_id": world.city,
            "parameter": "matching_ratio",
            "subject": "province",
            "value": "50",
            "effective_from": "2026-01-01",
            "reason": "省级配套比例",
        },
    )

    by_policy = api.view("/supervision/matching").json()
    one_to_one = api.view("/supervision/matching", ratio="1:1").json()

    assert [
        (r["matching_level"], r["ratio"], r["base"], r["required"]) for r in by_policy["rows"]
    ] == [
        ("province", "100:50", "10000.00", "5000.00"),
        ("prefecture", "100:100", "10000.00", "10000.00"),  # the province sent none of its share
    ]
    assert [r["required"] for r in one_to_one["rows"]] == ["10000.00", "10000.00"]
    assert (by_policy["ratio"], one_to_one["ratio"]) == ("policy", "1:1")
