"""Health, the vocabulary with Chinese terms, the OpenAPI docs, and the conservation check."""

from __future__ import annotations

from uuid import UUID

from domain.vocabulary import Role
from tests.api.support import Api, World, payment_body


def test_the_vocabulary_lists_every_term_with_its_chinese_name(api: Api) -> None:
    terms = api.get("/vocabulary", as_=None).json()

    assert {"value": "central_special_fund", "zh": "中央财政专项帮扶资金"} in terms["fund_source"]
    assert {"value": "zero_employment_family", "zh": "零就业家庭"} in terms["flag"]
    assert all(t["zh"] != t["value"] for group in terms.values() for t in group)


def test_the_openapi_document_names_the_main_routes(api: Api) -> None:
    paths = api.get("/openapi.json", as_=None).json()["paths"]

    assert {
        "/centres",
        "/funds",
        "/funds/{fund_id}/receipts",
        "/funds/{fund_id}/allocations",
        "/funds/{fund_id}/returns",
        "/funds/{fund_id}/movements",
        "/cases",
        "/cases/{case_id}/history",
        "/payments",
        "/payments/{payment_id}/reversal",
    } <= set(paths)


def test_an_auditor_sees_that_money_was_conserved(api: Api, world: World) -> None:
    auditor = api.user("auditor", Role.AUDITOR)
    api.post("/payments", payment_body(world.fund, world.case, "800.00", "2026-01-25"))

    check = api.get("/audit/conservation", as_=auditor).json()

    assert check["holds"] is True
    assert (check["appropriated"], check["paid"], check["balances"]) == (
        "10000.00",
        "800.00",
        "9200.00",
    )


def test_the_whole_ledger_check_is_refused_to_a_user_bound_to_one_centre(
    api: Api, world: World
) -> None:
    local = api.user("local", Role.AUDITOR, UUID(world.district))

    assert api.get("/audit/conservation", as_=local).status_code == 403


def test_health_answers_anyone_with_a_bare_ok(api: Api, world: World) -> None:
    health = api.get("/health", as_=None)

    assert health.status_code == 200 and health.json() == {"status": "ok"}
