"""Campaigns (两节送温暖) over HTTP: opened by finance staff, households visited by caseworkers
of their subtree and paid the standard, coverage per centre (also as a spreadsheet with Chinese
headers), a close refused while a household not reached has no reason; every refusal is
problem+json."""

from __future__ import annotations

import csv
import io
from typing import Any
from uuid import UUID

from domain.vocabulary import Role
from tests.api.support import Api, World, case_body


def campaign_body(world: World, **more: Any) -> dict[str, Any]:
    return {
        "centre_id": world.city, "kind": "spring_festival_warmth", "name": "2026年两节送温暖",
        "starts_on": "2026-01-10", "ends_on": "2026-02-20", "fund_ids": [world.fund],
        "budget": "1000.00", "standards": {"deep_hardship": "500.00"},
        "business_date": "2026-01-05",
    } | more  # fmt: skip


def test_a_campaign_is_visited_paid_covered_and_closed_with_a_reason_for_each_miss(
    api: Api, world: World
) -> None:
    api.user("fin", Role.FINANCE, UUID(world.city))
    api.user("cw", Role.CASEWORKER, UUID(world.district))
    api.user("cw-other", Role.CASEWORKER, UUID(world.other_district))
    other = api.created("/cases", case_body(world.other_district))
    campaign = api.created("/campaigns", campaign_body(world), "fin")
    visit = {"case_id": world.case, "visitors": ["王干事"], "business_date": "2026-01-15"}

    assert api.post(f"/campaigns/{campaign}/visits", visit, "cw").status_code == 201
    assert api.post(f"/campaigns/{campaign}/visits", visit, "cw-other").status_code == 403
    paid = {
        "case_id": world.case,
        "fund_id": world.fund,
        "goods": "米面油",
        "business_date": "2026-01-15",
    }
    first = api.post(f"/campaigns/{campaign}/payments", paid, "fin", key="pay-1")
    again = api.post(f"/campaigns/{campaign}/payments", paid, "fin", key="pay-1")
    assert first.status_code == again.status_code == 201
    assert again.json()["id"] == first.json()["id"] and again.json()["replayed"] is True
    late = api.post(f"/campaigns/{campaign}/visits", visit | {"business_date": "2026-02-21"}, "cw")
    assert late.status_code == 422
    assert late.headers["content-type"] == "application/problem+json"
    assert late.json()["type"] == "urn:bangfu:problem:outside-campaign"

    found = api.view(f"/campaigns/{campaign}/coverage", "fin").json()
    rows = {c["centre_name"]: (c["households"], c["both"], c["neither"]) for c in found["centres"]}
    assert rows == {"红旗街道": (1, 1, 0), "南关区": (1, 0, 1)}
    assert (found["campaign"]["spent"], found["campaign"]["left"]) == ("500.00", "500.00")
    assert [(h["case_id"], h["reason"]) for h in found["unreached"]] == [(other, None)]
    own = api.view(f"/campaigns/{campaign}/coverage", "cw").json()  # the district's alone
    assert [c["centre_name"] for c in own["centres"]] == ["红旗街道"] and own["unreached"] == []
    sheet = api.view(f"/campaigns/{campaign}/coverage", "fin", format="csv", lang="zh")
    table = list(csv.reader(io.StringIO(sheet.content.decode("utf-8-sig"))))
    assert table[0][1:5] == ["帮扶中心", "应覆盖户数", "已走访", "已发放"]
    assert table[-1][1:] == ["合计 total", "2", "1", "1", "1", "1", "0", "500.00"]
    assert [c["id"] for c in api.view("/campaigns", "cw").json()["items"]] == [campaign]

    refused = api.post(f"/campaigns/{campaign}/close", {"business_date": "2026-02-21"}, "fin")
    assert refused.status_code == 409 and "1 household" in refused.json()["detail"]
    reasons = [{"case_id": other, "reason": "moved_away", "note": "迁往外省"}]
    closing = {"reasons": reasons, "business_date": "2026-02-21"}
    assert api.post(f"/campaigns/{campaign}/close", closing, "fin").status_code == 201
    after = api.post(f"/campaigns/{campaign}/visits", visit, "cw")
    assert after.status_code == 409 and after.json()["type"] == "urn:bangfu:problem:campaign-closed"
    shown = api.view(f"/campaigns/{campaign}", "cw").json()
    assert (shown["status"], shown["at_close"]["neither"], shown["spent"]) == (
        "closed",
        1,
        "500.00",
    )


def test_bad_campaign_input_is_refused_as_problem_json(api: Api, world: World) -> None:
    as_number = api.post("/campaigns", campaign_body(world, budget=1000))
    backwards = api.post("/campaigns", campaign_body(world, ends_on="2026-01-01"))
    no_such = api.post(
        f"/campaigns/{world.fund}/exceptions", {"case_id": world.case, "reason": "refused"}
    )

    assert as_number.status_code == 422 and as_number.json()["errors"]
    assert backwards.status_code == 422 and "window" in backwards.json()["detail"]
    assert no_such.status_code == 404
    assert {r.headers["content-type"] for r in (as_number, backwards, no_such)} == {
        "application/problem+json"
    }
