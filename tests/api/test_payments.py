"""Payments over HTTP: earmark, balance, open case, the fund's subtree, and reversal."""

from __future__ import annotations

from typing import Any

from tests.api.support import Api, World, case_body


def payment(world: World, **overrides: Any) -> dict[str, Any]:
    body = {
        "fund_id": world.fund,
        "case_id": world.case,
        "assistance_type": "living_relief",
        "amount": "800.00",
        "reference": "SH-1",
        "business_date": "2026-01-25",
    }
    return body | overrides


def test_a_payment_moves_money_from_the_fund_to_the_household(api: Api, world: World) -> None:
    response = api.post("/payments", payment(world))

    assert response.status_code == 201
    paid = api.get(f"/payments/{response.json()['id']}").json()
    assert (paid["amount"], paid["assistance_type"], paid["reversed"]) == (
        "800.00",
        "living_relief",
        False,
    )
    assert api.get(f"/funds/{world.fund}").json()["balance"] == "9200.00"
    assert api.get(f"/cases/{world.case}").json()["received"] == "800.00"


def test_a_payment_outside_the_funds_earmark_is_422_and_changes_nothing(
    api: Api, world: World
) -> None:
    before = api.ledger.recorder.max_notification_id()

    response = api.post("/payments", payment(world, assistance_type="education_aid"))

    assert response.status_code == 422
    assert response.json()["type"] == "urn:bangfu:problem:purpose-not-allowed"
    assert "助学" in response.json()["detail"]
    assert api.ledger.recorder.max_notification_id() == before


def test_a_payment_larger_than_the_balance_is_409(api: Api, world: World) -> None:
    response = api.post("/payments", payment(world, amount="10000.01"))

    assert response.status_code == 409
    assert response.json()["type"] == "urn:bangfu:problem:insufficient-funds"


def test_a_payment_to_a_closed_case_is_409_and_to_an_unknown_case_404(
    api: Api, world: World
) -> None:
    api.created(
        f"/cases/{world.case}/closure", {"reason": "deceased", "business_date": "2026-01-20"}
    )

    closed = api.post("/payments", payment(world))
    unknown = api.post("/payments", payment(world, case_id="00000000-0000-0000-0000-0000000000aa"))

    assert closed.status_code == 409
    assert closed.json()["type"] == "urn:bangfu:problem:case-closed"
    assert unknown.status_code == 404
    assert unknown.json()["type"] == "urn:bangfu:problem:case-not-found"
    assert api.get(f"/funds/{world.fund}").json()["balance"] == "10000.00"


def test_a_fund_pays_only_cases_at_or_below_its_centre(api: Api, world: World) -> None:
    district_fund = api.post(
        f"/funds/{world.fund}/allocations",
        {"to_centre_id": world.other_district, "amount": "1000.00", "business_date": "2026-01-10"},
    ).json()["id"]

    response = api.post("/payments", payment(world, fund_id=district_fund))

    assert response.status_code == 422
    assert response.json()["type"] == "urn:bangfu:problem:case-outside-fund-tree"


def test_a_reversal_returns_the_money_and_keeps_the_original_payment(
    api: Api, world: World
) -> None:
    paid = api.created("/payments", payment(world))

    response = api.post(
        f"/payments/{paid}/reversal", {"reason": "重复发放", "business_date": "2026-01-30"}
    )

    assert response.status_code == 201
    reversal_id = response.json()["id"]
    assert api.get(f"/funds/{world.fund}").json()["balance"] == "10000.00"
    after = api.get(f"/payments/{paid}").json()
    assert (after["reversed"], after["reversal_id"], after["amount"]) == (
        True,
        reversal_id,
        "800.00",
    )
    history = api.get(f"/cases/{world.case}/history").json()
    assert [e["type"] for e in history] == [
        "Registered",
        "AssistanceReceived",
        "AssistanceReversed",
    ]
    assert history[2]["data"]["payment_id"] == paid
    assert history[2]["data"]["reason"] == "重复发放"
    moves = api.get(f"/funds/{world.fund}/movements").json()
    assert [(m["type"], m["amount"], m["corrects"]) for m in moves[1:]] == [
        ("Disbursed", "-800.00", None),
        ("DisbursementReversed", "800.00", paid),
    ]


def test_a_payment_can_be_reversed_only_once(api: Api, world: World) -> None:
    paid = api.created("/payments", payment(world))
    api.created(f"/payments/{paid}/reversal", {"reason": "错付"})

    again = api.post(f"/payments/{paid}/reversal", {"reason": "错付"})

    assert again.status_code == 409
    assert api.get(f"/funds/{world.fund}").json()["balance"] == "10000.00"


def test_a_payment_reversed_after_the_case_closed_still_shows_on_the_case(
    api: Api, world: World
) -> None:
    paid = api.created("/payments", payment(world))
    api.created(
        f"/cases/{world.case}/closure", {"reason": "retired", "business_date": "2026-02-01"}
    )

    response = api.post(f"/payments/{paid}/reversal", {"reason": "错付"})

    assert response.status_code == 201
    assert api.get(f"/cases/{world.case}").json()["reversed"] == "800.00"


def test_a_case_in_a_child_centre_is_paid_from_the_city_fund(api: Api, world: World) -> None:
    deep = api.created("/cases", case_body(world.district))

    response = api.post("/payments", payment(world, case_id=deep, assistance_type="warmth_visit"))

    assert response.status_code == 201
