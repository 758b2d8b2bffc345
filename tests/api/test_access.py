"""Bearer tokens, roles and centre subtrees; every event names the user who acted."""

from __future__ import annotations

from uuid import UUID

from domain.vocabulary import Role
from tests.api.support import Api, World, case_body


def test_a_request_without_a_token_is_401_with_a_bearer_challenge(api: Api, world: World) -> None:
    response = api.get(f"/funds/{world.fund}", as_=None)

    assert response.status_code == 401
    assert response.headers["www-authenticate"] == "Bearer"
    assert response.headers["content-type"] == "application/problem+json"


def test_a_wrong_token_is_401(api: Api, world: World) -> None:
    api.tokens["forger"] = "bf_not-a-real-token"

    assert api.get(f"/funds/{world.fund}", as_="forger").status_code == 401


def test_read_only_roles_may_read_but_not_write(api: Api, world: World) -> None:
    for role in (Role.SUPERVISOR, Role.AUDITOR):
        name = api.user(role.value, role)

        assert api.get(f"/funds/{world.fund}", as_=name).status_code == 200
        refused = api.post(
            f"/funds/{world.fund}/receipts",
            {"amount": "1.00", "payer": "x", "business_date": "2026-01-01"},
            as_=name,
        )
        assert refused.status_code == 403
        assert refused.json()["type"] == "urn:bangfu:problem:forbidden"


def test_finance_records_money_but_registers_no_cases(api: Api, world: World) -> None:
    finance = api.user("finance", Role.FINANCE)

    receipt = api.post(
        f"/funds/{world.fund}/receipts",
        {"amount": "1.00", "payer": "x", "business_date": "2026-01-01"},
        as_=finance,
    )
    case = api.post("/cases", case_body(world.street), as_=finance)

    assert receipt.status_code == 201
    assert case.status_code == 403


def test_a_caseworker_manages_cases_but_moves_no_money(api: Api, world: World) -> None:
    worker = api.user("worker", Role.CASEWORKER)

    case = api.post("/cases", case_body(world.street), as_=worker)
    paid = api.post(
        "/payments",
        {
            "fund_id": world.fund,
            "case_id": world.case,
            "assistance_type": "living_relief",
            "amount": "1.00",
            "business_date": "2026-01-01",
        },
        as_=worker,
    )

    assert case.status_code == 201
    assert paid.status_code == 403


def test_a_user_bound_to_a_centre_acts_only_within_its_subtree(api: Api, world: World) -> None:
    local = api.user("local", Role.CASEWORKER, UUID(world.district))

    inside = api.post("/cases", case_body(world.street), as_=local)
    outside = api.post("/cases", case_body(world.other_district), as_=local)
    read_up = api.get(f"/funds/{world.fund}", as_=local)

    assert inside.status_code == 201
    assert outside.status_code == 403
    assert read_up.status_code == 403
    assert api.get(f"/cases/{world.case}", as_=local).status_code == 200


def test_only_an_admin_creates_centres(api: Api, world: World) -> None:
    finance = api.user("finance", Role.FINANCE)

    response = api.post(
        "/centres", {"name": "x", "level": "street", "parent_id": world.district}, as_=finance
    )

    assert response.status_code == 403


def test_every_event_records_the_acting_user(api: Api, world: World) -> None:
    worker = api.user("王干事", Role.CASEWORKER)
    api.created(
        f"/cases/{world.case}/visits", {"date": "2026-01-21", "visitors": ["王干事"]}, as_=worker
    )

    history = api.get(f"/cases/{world.case}/history").json()

    assert [e["actor"] for e in history] == ["admin", "王干事"]


def test_a_centre_level_that_cannot_hang_under_its_parent_is_422(api: Api, world: World) -> None:
    response = api.post("/centres", {"name": "x", "level": "province", "parent_id": world.street})

    assert response.status_code == 422
    assert response.json()["type"] == "urn:bangfu:problem:invalid-centre-level"
