"""One bad request must not poison the ledger: amounts, text and dates are bounded at the door,
the refusal is a 422 problem, and nothing is written."""

from __future__ import annotations

from typing import Any
from uuid import UUID

import pytest

from domain.vocabulary import Role
from tests.api.support import Api, World, case_body, person


def head(api: Api) -> int:
    return api.ledger.recorder.max_notification_id() or 0


def refused_and_nothing_written(api: Api, path: str, body: dict[str, Any]) -> dict[str, Any]:
    before = head(api)
    response = api.post(path, body)
    assert response.status_code == 422, response.text
    assert response.headers["content-type"] == "application/problem+json"
    assert head(api) == before
    problem: dict[str, Any] = response.json()
    return problem


def receipt(amount: str = "10.00", **overrides: Any) -> dict[str, Any]:
    body = {"amount": amount, "payer": "财政部", "reference": "CZ", "business_date": "2026-01-05"}
    return body | overrides


@pytest.mark.parametrize(
    "amount",
    [
        "99999999999999999999.99",
        "100000000000.01",
        "1000000000000",
        " 10.00 ",
        "10.00\n",
        "\t10.00",
        "10.001",
    ],
)
def test_an_amount_out_of_bounds_or_padded_is_refused_and_nothing_is_written(
    api: Api, world: World, amount: str
) -> None:
    refused_and_nothing_written(api, f"/funds/{world.fund}/receipts", receipt(amount))


def test_a_hundred_billion_yuan_is_the_most_one_movement_may_be(api: Api, world: World) -> None:
    response = api.post(f"/funds/{world.fund}/receipts", receipt("100000000000.00"))

    assert response.status_code == 201, response.text
    fund = api.get(f"/funds/{world.fund}").json()
    assert fund["balance"] == "100000010000.00"
    assert api.view("/funds").status_code == 200  # the read models took it


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("payer", "财政\u0000部"),
        ("payer", "财政部\u0007"),
        ("payer", "财政部\n"),
        ("reference", "CZ\u001b[31m"),
        ("reference", "CZ\r\n=cmd"),
        ("payer", "财" * 201),
        ("reference", "x" * 201),
    ],
)
def test_text_with_a_control_character_or_too_long_is_refused(
    api: Api, world: World, field: str, value: str
) -> None:
    problem = refused_and_nothing_written(
        api, f"/funds/{world.fund}/receipts", receipt(**{field: value})
    )

    assert field in problem["detail"]


def test_a_lone_surrogate_in_json_text_is_refused(api: Api, world: World) -> None:
    before = head(api)
    raw = '{"amount": "10.00", "payer": "\\ud800", "reference": "", "business_date": "2026-01-05"}'

    response = api.client.post(
        f"/funds/{world.fund}/receipts",
        content=raw.encode(),
        headers=api.headers("admin") | {"Content-Type": "application/json"},
    )

    assert response.status_code == 422, response.text
    assert head(api) == before


def test_a_visit_note_may_span_lines_but_no_other_control_character(api: Api, world: World) -> None:
    visit = {"business_date": "2026-02-01", "visitors": ["王主席"], "notes": "第一行\n第二行"}

    accepted = api.post(f"/cases/{world.case}/visits", visit)
    refused_and_nothing_written(
        api, f"/cases/{world.case}/visits", visit | {"notes": "第一行\u0000"}
    )
    refused_and_nothing_written(
        api, f"/cases/{world.case}/visits", visit | {"visitors": ["王\n主席"]}
    )
    refused_and_nothing_written(api, f"/cases/{world.case}/visits", visit | {"notes": "长" * 4001})

    assert accepted.status_code == 201, accepted.text


@pytest.mark.parametrize(
    "body",
    [
        {"name": "张\u0000三"},
        {"phone": "138\u000000000000"},
        {"health": "高血压\u0000"},
        {"family_members": [{"name": "李\u0007四", "relation": "spouse"}]},
    ],
)
def test_personal_data_with_a_control_character_is_refused(
    api: Api, world: World, body: dict[str, Any]
) -> None:
    refused_and_nothing_written(api, "/cases", case_body(world.street, person=person() | body))


@pytest.mark.parametrize("day", ["0001-01-01", "9999-12-31", "1900-01-01", "2999-01-01"])
def test_a_business_date_outside_the_ledgers_window_is_refused(
    api: Api, world: World, day: str
) -> None:
    refused_and_nothing_written(api, f"/funds/{world.fund}/receipts", receipt(business_date=day))
    refused_and_nothing_written(
        api, f"/cases/{world.case}/visits", {"business_date": day, "visitors": ["王主席"]}
    )


def test_a_refusal_for_another_subtrees_archive_names_nothing_outside_the_callers_subtree(
    api: Api, world: World
) -> None:
    somebody = person()
    api.user("cw-there", Role.CASEWORKER, UUID(world.district))
    api.user("cw-here", Role.CASEWORKER, UUID(world.other_district))
    holder = api.post("/cases", case_body(world.street, person=somebody), as_="cw-there")
    assert holder.status_code == 201, holder.text
    holder_id = holder.json()["id"]

    elsewhere = api.post("/cases", case_body(world.other_district, person=somebody), as_="cw-here")
    inside = api.post(
        "/cases", case_body(world.district, person=somebody | {"name": "别名"}), as_="cw-there"
    )

    assert elsewhere.status_code == 409
    assert holder_id not in elsewhere.text
    assert world.street not in elsewhere.text and world.district not in elsewhere.text
    assert "outside your centre's subtree" in elsewhere.json()["detail"]
    assert inside.status_code == 409
    assert holder_id in inside.json()["detail"]  # a user who may see it is told which


def test_an_admin_bound_to_one_subtree_cannot_erase_a_household_outside_it(
    api: Api, world: World
) -> None:
    api.user("admin-elsewhere", Role.ADMIN, UUID(world.other_district))

    response = api.post(
        f"/cases/{world.case}/personal-data/erasure",
        {"reason": "retention ended"},
        as_="admin-elsewhere",
    )

    assert response.status_code == 403
    assert api.get(f"/cases/{world.case}").json()["personal_data"] == "shown"


def test_a_bound_admin_cannot_sign_a_global_checkpoint_but_may_read_them(
    api: Api, world: World
) -> None:
    api.user("admin-district", Role.ADMIN, UUID(world.district))

    signed = api.post("/audit/checkpoints", {}, as_="admin-district")
    listed = api.get("/audit/checkpoints", as_="admin-district")
    by_global_admin = api.post("/audit/checkpoints", {})

    assert signed.status_code == 403
    assert listed.status_code == 200
    assert by_global_admin.status_code == 201
