"""Local policy over HTTP: an admin records a setting, anyone who reads the centre sees what is
in force there and where it comes from; refusals are problems that record nothing."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from domain.vocabulary import Role
from tests.api.support import Api, World


def a_setting(centre: str, **more: Any) -> dict[str, Any]:
    body = {
        "centre_id": centre,
        "parameter": "dibao_line",
        "value": "850.00",
        "effective_from": "2026-07-01",
        "reason": "区政府文件",
    }
    return body | more


def line(api: Api, centre: str, on: str, as_: str = "admin") -> dict[str, Any]:
    found = api.get(f"/policy?centre_id={centre}&on={on}&parameter=dibao_line", as_=as_).json()
    row: dict[str, Any] = found["parameters"][0]
    return row


def test_a_district_admin_sets_its_line_and_a_street_caseworker_reads_it_in_force_there(
    api: Api, world: World
) -> None:
    district_admin = api.user("district-admin", Role.ADMIN, UUID(world.district))
    caseworker = api.user("street-caseworker", Role.CASEWORKER, UUID(world.street))

    first = api.post("/policy", a_setting(world.district), as_=district_admin, key="k1")
    again = api.post("/policy", a_setting(world.district), as_=district_admin, key="k1")
    before = line(api, world.street, "2026-06-30", caseworker)
    after = line(api, world.street, "2026-07-01", caseworker)
    history = api.get(f"/policy/history?centre_id={world.street}", as_=caseworker).json()

    assert first.status_code == 201 and again.json()["id"] == first.json()["id"]
    assert again.json()["replayed"] is True
    assert (before["value"], before["set_at"], before["since"]) == ("790.00", None, "2025-01-01")
    assert after | {"setting_id": None} == {
        "parameter": "dibao_line",
        "parameter_zh": "低保标准（元/人·月）",
        "parameter_en": "Dibao line (yuan per person a month)",
        "subject": None,
        "subject_zh": None,
        "unit": "yuan",
        "unit_zh": "元",
        "value": "850.00",
        "set_at": world.district,
        "set_at_name": "朝阳区",
        "since": "2026-07-01",
        "setting_id": None,
    }
    assert after["setting_id"] == first.json()["id"]
    assert [(s["value"], s["status"], s["actor"]) for s in history["settings"]] == [
        ("850.00", "in_effect", "district-admin")
    ]


def test_refusals_are_problems_and_record_nothing(api: Api, world: World) -> None:
    finance = api.user("finance", Role.FINANCE)
    district_admin = api.user("district-admin", Role.ADMIN, UUID(world.district))
    head = api.ledger.recorder.max_notification_id()

    refused = {
        "finance": api.post("/policy", a_setting(world.city), as_=finance),
        "outside": api.post("/policy", a_setting(world.city), as_=district_admin),
        "months": api.post(
            "/policy",
            a_setting(world.city, parameter="living_relief_months", value="13")
            | {"subject": "deep_hardship"},
        ),
        "subject": api.post(
            "/policy",
            a_setting(world.city, parameter="living_relief_months", value="6")
            | {"subject": "everyone"},
        ),
        "money": api.post("/policy", a_setting(world.city, value="790.001")),
        "negative": api.post("/policy", a_setting(world.city, value="-1.00")),
        "parameter": api.post("/policy", a_setting(world.city, parameter="wage_floor")),
        "correction": api.post("/policy", a_setting(world.city, corrects=world.fund)),
        "withdrawal": api.post(
            "/policy/withdrawals",
            {"centre_id": world.city, "setting_id": world.fund, "reason": "x"},
        ),
    }

    assert {k: r.status_code for k, r in refused.items()} == {
        "finance": 403,
        "outside": 403,
        "months": 422,
        "subject": 422,
        "money": 422,
        "negative": 422,
        "parameter": 422,
        "correction": 404,
        "withdrawal": 404,
    }
    assert all(r.headers["content-type"] == "application/problem+json" for r in refused.values())
    assert refused["months"].json()["type"] == "urn:bangfu:problem:invalid-policy"
    assert "from 0 to 12 months, not 13" in refused["months"].json()["detail"]
    assert api.ledger.recorder.max_notification_id() == head
    assert api.get(f"/policy/history?centre_id={world.city}").json()["settings"] == []


def test_a_correction_replaces_a_setting_and_a_withdrawal_lets_the_city_decide_again(
    api: Api, world: World
) -> None:
    city = api.created("/policy", a_setting(world.city, value="820.00"))
    own = api.created("/policy", a_setting(world.district))

    fixed = api.created("/policy", a_setting(world.district, value="860.00", corrects=own))
    twice = api.post("/policy", a_setting(world.district, value="870.00", corrects=own))
    withdrawn = api.post(
        "/policy/withdrawals",
        {"centre_id": world.district, "setting_id": fixed, "reason": "并入市标准"},
    )

    assert twice.status_code == 409
    assert withdrawn.status_code == 201
    assert line(api, world.street, "2026-07-01")["setting_id"] == city
    statuses = [
        (s["setting_id"], s["status"], s["replaced_by"])
        for s in api.get(f"/policy/history?centre_id={world.district}").json()["settings"]
    ]
    assert statuses == [
        (city, "in_effect", None),
        (own, "corrected", fixed),
        (fixed, "withdrawn", None),
    ]
