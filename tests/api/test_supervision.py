"""Fund supervision over HTTP: the public key, checkpoints, reports and the audit package."""

from __future__ import annotations

import io
import json
import zipfile
from pathlib import Path
from uuid import UUID

import openpyxl
from fastapi.testclient import TestClient

from api.app import create_app
from domain.access import SYSTEM
from domain.application import Ledger
from domain.vocabulary import Role
from settings import Settings
from supervision import compliance
from supervision.compliance import Standards
from supervision.package_verify import verify_package
from supervision.records import from_ledger
from tests.api.support import Api, World, case_body, payment_body


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
    assert rows[0][0] == "帮扶中心" and rows[1][7] == 10000


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


def test_the_standards_are_dated_policy_data_read_from_the_configured_file(
    ledger: Ledger, settings: Settings, tmp_path: Path
) -> None:
    policy = tmp_path / "policy.json"
    policy.write_text(
        json.dumps({"dibao_lines_fen": [["2020-01-01", 50_000], ["2026-07-01", 100_000]]})
    )
    token = ledger.add_user(SYSTEM, "admin", Role.ADMIN, None)
    with TestClient(
        create_app(ledger, settings.model_copy(update={"policy_file": policy}))
    ) as client:
        api = Api(client, ledger)
        api.tokens["admin"] = token
        city = api.created("/centres", {"name": "市", "level": "prefecture"})
        fund = api.created(
            "/funds",
            {
                "centre_id": city,
                "name": "f",
                "source": "social_donation",
                "fiscal_year": 2026,
                "purposes": ["living_relief"],
            },
        )
        api.created(
            f"/funds/{fund}/receipts",
            {"amount": "20000.00", "payer": "x", "business_date": "2026-01-02"},
        )
        case = api.created("/cases", case_body(city))
        api.created(
            "/payments",
            {
                "fund_id": fund,
                "case_id": case,
                "amount": "9600.00",
                "assistance_type": "living_relief",
                "business_date": "2026-03-01",
            },
        )

        found = api.get("/supervision/suspicious-payments?late_recording_days=36600").json()

    # a deep-hardship household may get 12 months of the line in force at the year's end:
    # 12 x ¥1,000 = ¥12,000 under this file; under the built-in ¥790 line it is ¥9,480
    assert found["findings"] == []
    default = compliance.suspicious(list(from_ledger(ledger)), Standards(late_recording_days=36600))
    assert [f["rule"] for f in default] == ["above_standard"]
    assert Standards.from_file(policy).dibao_line("2026-06-30") == 50_000
