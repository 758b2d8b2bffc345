"""Archives over HTTP: one per person, validation, visits, reassessment, closure and relapse."""

from __future__ import annotations

import pytest

from tests.api.support import Api, World, case_body, person


def closed_archive(api: Api, world: World, reason: str) -> tuple[dict[str, str], str]:
    """A person, and their archive on the street, closed on 1 March for ``reason``."""
    somebody = person()
    case = api.created("/cases", case_body(world.street, person=somebody))
    api.created(f"/cases/{case}/closure", {"reason": reason, "business_date": "2026-03-01"})
    return somebody, case


def test_a_registered_case_reads_back_with_its_assessment_and_person(
    api: Api, world: World
) -> None:
    case = api.get(f"/cases/{world.case}").json()

    assert case["status"] == "active" and case["status_zh"] == "在档"
    assert case["centre_id"] == world.street
    assert (case["category"], case["primary_cause"]) == ("deep_hardship", "serious_illness")
    assert case["secondary_causes"] == ["laid_off_unemployed"]
    assert case["flags"] == ["zero_employment_family"]
    assert case["per_capita_monthly_income"] == "650.00"
    assert len(case["person"]["id_number"]) == 18


def test_a_second_open_archive_for_the_same_id_number_is_refused(api: Api, world: World) -> None:
    somebody = person()
    assert api.post("/cases", case_body(world.street, person=somebody)).status_code == 201

    again = api.post("/cases", case_body(world.district, person=somebody | {"name": "别名"}))

    assert again.status_code == 409
    assert again.json()["type"] == "urn:bangfu:problem:duplicate-archive"


def test_after_closure_a_new_archive_may_be_opened_for_the_same_person(
    api: Api, world: World
) -> None:
    somebody, first = closed_archive(api, world, "transferred_out")

    response = api.post("/cases", case_body(world.district, person=somebody))

    assert response.status_code == 201
    assert api.get(f"/cases/{first}").json()["status"] == "cancelled"


def test_reopening_is_refused_while_another_archive_of_the_person_is_open(
    api: Api, world: World
) -> None:
    somebody, first = closed_archive(api, world, "exited_income_above_line")
    api.created("/cases", case_body(world.street, person=somebody))

    response = api.post(f"/cases/{first}/reopening", {"business_date": "2026-05-01"})

    assert response.status_code == 409


@pytest.mark.parametrize(
    "id_number",
    [
        "110105194912310021",
        "11010519491231002",
        "ABCDEFGHIJKLMNOPQR",
        "110105194913310025",
        "１１０１０５１９４９１２３１００２Ｘ",
    ],
)
def test_a_national_id_number_failing_gb_11643_is_422(
    api: Api, world: World, id_number: str
) -> None:
    body = case_body(world.street, person=person() | {"id_number": id_number})

    response = api.post("/cases", body)

    assert response.status_code == 422
    assert "ID number" in response.json()["detail"]


def test_a_valid_id_number_with_a_lower_case_x_is_accepted(api: Api, world: World) -> None:
    body = case_body(world.street, person=person() | {"id_number": "11010519491231002x"})

    case_id = api.created("/cases", body)

    assert api.get(f"/cases/{case_id}").json()["person"]["id_number"] == "11010519491231002X"


@pytest.mark.parametrize(
    "override",
    [
        {"household_size": 0},
        {"household_size": 31},
        {"household_size": "3"},
        {"per_capita_monthly_income": "-1.00"},
        {"per_capita_monthly_income": 650},
        {"secondary_causes": ["accident", "other", "natural_disaster", "child_schooling"]},
        {"secondary_causes": ["serious_illness"]},
        {"category": "poor"},
        {"flags": ["rich"]},
    ],
)
def test_household_size_income_and_causes_are_validated(
    api: Api, world: World, override: dict[str, object]
) -> None:
    response = api.post("/cases", case_body(world.street) | override)

    assert response.status_code == 422
    assert response.json()["status"] == 422


def test_zero_income_is_a_valid_assessment(api: Api, world: World) -> None:
    body = case_body(world.street, per_capita_monthly_income="0")

    assert api.post("/cases", body).status_code == 201


def test_visits_reassessment_closure_and_reopening_appear_in_the_history_in_order(
    api: Api, world: World
) -> None:
    api.created(
        f"/cases/{world.case}/visits",
        {
            "date": "2026-01-20",
            "visitors": ["王主席", "李干事"],
            "kind": "campaign",
            "campaign": "spring_festival_warmth",
            "notes": "送米面油",
            "goods": [{"item": "米面油", "value": "200.00"}],
        },
    )
    api.created(
        f"/cases/{world.case}/reassessments",
        {
            "category": "relative_hardship",
            "primary_cause": "serious_illness",
            "household_size": 3,
            "per_capita_monthly_income": "1200.00",
            "business_date": "2026-06-01",
            "note": "年度复核",
        },
    )
    api.created(
        f"/cases/{world.case}/closure",
        {"reason": "exited_income_above_line", "business_date": "2026-09-01"},
    )
    api.created(f"/cases/{world.case}/reopening", {"business_date": "2026-11-01", "note": "返困"})

    history = api.get(f"/cases/{world.case}/history").json()

    assert [e["type"] for e in history] == [
        "Registered",
        "Visited",
        "Reassessed",
        "Closed",
        "Reopened",
    ]
    assert [e["version"] for e in history] == [1, 2, 3, 4, 5]
    assert all(e["actor"] == "admin" and e["recorded_at"] for e in history)
    assert [e["business_date"] for e in history] == [
        "2026-01-05",
        "2026-01-20",
        "2026-06-01",
        "2026-09-01",
        "2026-11-01",
    ]
    assert history[1]["data"]["goods"] == [{"item": "米面油", "value": "200.00"}]
    assert history[2]["data"]["category"] == "relative_hardship"
    case = api.get(f"/cases/{world.case}").json()
    assert (case["status"], case["visits"], case["category"]) == ("active", 1, "relative_hardship")


def test_a_closed_case_takes_no_visits(api: Api, world: World) -> None:
    api.created(
        f"/cases/{world.case}/closure", {"reason": "deceased", "business_date": "2026-02-01"}
    )

    response = api.post(
        f"/cases/{world.case}/visits", {"date": "2026-02-02", "visitors": ["王主席"]}
    )

    assert response.status_code == 409
    assert response.json()["type"] == "urn:bangfu:problem:case-closed"


def test_closing_twice_and_reopening_an_open_case_are_409(api: Api, world: World) -> None:
    assert (
        api.post(f"/cases/{world.case}/reopening", {"business_date": "2026-02-01"}).status_code
        == 409
    )
    api.created(
        f"/cases/{world.case}/closure", {"reason": "retired", "business_date": "2026-02-01"}
    )

    again = api.post(
        f"/cases/{world.case}/closure", {"reason": "retired", "business_date": "2026-02-02"}
    )

    assert again.status_code == 409


def test_an_unknown_closure_reason_is_422(api: Api, world: World) -> None:
    response = api.post(
        f"/cases/{world.case}/closure", {"reason": "bored", "business_date": "2026-02-01"}
    )

    assert response.status_code == 422
