"""Funds over HTTP: receipts, allocations down the tree, returns, balances and movements."""

from __future__ import annotations

import pytest

from tests.api.support import Api, World


def allocation(to: str, amount: str = "3000.00") -> dict[str, str]:
    return {
        "to_centre_id": to,
        "amount": amount,
        "reference": "XB-1",
        "business_date": "2026-01-10",
    }


def test_a_receipt_raises_the_balance_and_shows_as_a_movement(api: Api, world: World) -> None:
    fund = api.get(f"/funds/{world.fund}").json()
    moves = api.get(f"/funds/{world.fund}/movements").json()

    assert fund["balance"] == "10000.00"
    assert fund["source"] == "central_special_fund"
    assert fund["source_zh"] == "中央财政专项帮扶资金"
    assert [(m["type"], m["amount"], m["balance_after"], m["payer"]) for m in moves] == [
        ("Received", "10000.00", "10000.00", "财政部")
    ]
    assert moves[0]["actor"] == "admin" and moves[0]["business_date"] == "2026-01-02"


def test_an_allocation_creates_a_child_fund_that_keeps_source_year_earmark_and_parent(
    api: Api, world: World
) -> None:
    response = api.post(f"/funds/{world.fund}/allocations", allocation(world.district))

    assert response.status_code == 201
    child = api.get(f"/funds/{response.json()['id']}").json()
    assert child["centre_id"] == world.district
    assert child["parent_fund_id"] == world.fund
    assert (child["source"], child["fiscal_year"]) == ("central_special_fund", 2026)
    assert sorted(child["purposes"]) == ["living_relief", "warmth_visit"]
    assert child["balance"] == "3000.00"
    assert api.get(f"/funds/{world.fund}").json()["balance"] == "7000.00"


def test_a_second_allocation_to_the_same_centre_tops_up_the_same_child_fund(
    api: Api, world: World
) -> None:
    first = api.post(f"/funds/{world.fund}/allocations", allocation(world.district)).json()

    second = api.post(
        f"/funds/{world.fund}/allocations", allocation(world.district, "500.00")
    ).json()

    assert first["id"] == second["id"]
    assert api.get(f"/funds/{first['id']}").json()["balance"] == "3500.00"


def test_money_can_be_traced_down_two_levels_and_returned_up(api: Api, world: World) -> None:
    district_fund = api.post(f"/funds/{world.fund}/allocations", allocation(world.district)).json()[
        "id"
    ]
    street_fund = api.post(
        f"/funds/{district_fund}/allocations", allocation(world.street, "1000.00")
    ).json()["id"]

    response = api.post(
        f"/funds/{street_fund}/returns",
        {"amount": "400.00", "reference": "退回结余", "business_date": "2026-12-20"},
    )

    assert response.status_code == 201
    assert api.get(f"/funds/{street_fund}").json()["balance"] == "600.00"
    assert api.get(f"/funds/{street_fund}").json()["parent_fund_id"] == district_fund
    district = api.get(f"/funds/{district_fund}").json()
    assert (district["balance"], district["returns_received"]) == ("2400.00", "400.00")
    kinds = [
        (m["type"], m["counterparty_kind"], m["counterparty_id"])
        for m in api.get(f"/funds/{district_fund}/movements").json()
    ]
    assert kinds == [
        ("AllocatedIn", "parent_fund", world.fund),
        ("AllocatedOut", "child_fund", street_fund),
        ("ReturnReceived", "child_fund", street_fund),
    ]


def test_a_top_fund_returns_money_to_its_payer(api: Api, world: World) -> None:
    response = api.post(
        f"/funds/{world.fund}/returns", {"amount": "100.00", "business_date": "2026-02-01"}
    )

    assert response.status_code == 201
    last = api.get(f"/funds/{world.fund}/movements").json()[-1]
    assert (last["type"], last["amount"], last["counterparty_kind"]) == (
        "Returned",
        "-100.00",
        "payer",
    )


def test_an_allocation_to_a_centre_that_is_not_a_direct_child_is_refused(
    api: Api, world: World
) -> None:
    response = api.post(f"/funds/{world.fund}/allocations", allocation(world.street))

    assert response.status_code == 422
    assert response.json()["type"] == "urn:bangfu:problem:not-a-child-centre"
    assert api.get(f"/funds/{world.fund}").json()["balance"] == "10000.00"


def test_allocating_more_than_the_balance_is_refused_and_changes_nothing(
    api: Api, world: World
) -> None:
    before = api.ledger.recorder.max_notification_id()

    response = api.post(f"/funds/{world.fund}/allocations", allocation(world.district, "10000.01"))

    assert response.status_code == 409
    assert response.json()["title"] == "The fund's balance is too low"
    assert api.ledger.recorder.max_notification_id() == before


@pytest.mark.parametrize(
    "amount", ["1.234", "0", "0.00", "-5.00", "abc", "", "1e3", 12.5, 100, None, "１２"]
)
def test_an_amount_that_is_not_a_positive_yuan_string_with_two_decimals_is_422(
    api: Api, world: World, amount: object
) -> None:
    response = api.post(
        f"/funds/{world.fund}/receipts",
        {"amount": amount, "payer": "财政部", "business_date": "2026-01-02"},
    )

    assert response.status_code == 422
    assert response.headers["content-type"] == "application/problem+json"
    assert response.json()["errors"][0]["field"] == "amount"
    assert api.get(f"/funds/{world.fund}").json()["balance"] == "10000.00"


def test_opening_a_fund_needs_an_earmark_and_a_known_source(api: Api, world: World) -> None:
    body = {
        "centre_id": world.city,
        "name": "x",
        "source": "central_special_fund",
        "fiscal_year": 2026,
        "purposes": [],
    }

    assert api.post("/funds", body).status_code == 422
    assert (
        api.post("/funds", body | {"purposes": ["living_relief"], "source": "lottery"}).status_code
        == 422
    )
    assert api.post("/funds", body | {"purposes": ["living_relief"]}).status_code == 201


def test_an_unknown_fund_is_404(api: Api, world: World) -> None:
    response = api.get("/funds/00000000-0000-0000-0000-000000000001")

    assert response.status_code == 404
    assert response.json()["type"] == "urn:bangfu:problem:fund-not-found"
