"""Filing over HTTP (both stores): the category against the line in force on the filing day,
one open archive per person whether applicant or member (一户一档) and refusals that name only
the caller's own archives, deadlines from policy and the overdue list, transfers (转档)."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any
from uuid import UUID

from domain.id_numbers import make_id_number
from domain.vocabulary import Role
from tests.api.support import Api, World, payment_body

PROBLEM = "application/problem+json"
_people = iter(range(1, 900))


def someone(born: date = date(1980, 1, 1)) -> str:
    return make_id_number("220105", born, next(_people))


def application(centre: str, day: str, wage: str = "2400.00", **more: Any) -> dict[str, Any]:
    """A household of three (worker, spouse, child) with ``wage`` a month."""
    members = [
        {"name": "李四", "id_number": someone(), "relation": "配偶", "employment": "unemployed"},
        {
            "name": "张小",
            "id_number": someone(date(2010, 3, 1)),
            "relation": "子女",
            "employment": "student",
            "school_level": "senior_secondary",
        },
    ]
    body = {
        "centre_id": centre,
        "applicant": {"name": "张三", "id_number": someone()},
        "members": members,
        "incomes": [{"label": "工资", "amount": wage}],
        "primary_cause": "serious_illness",
        "business_date": day,
    }
    return body | more


def to_notice(api: Api, app_id: str, start: date, as_: str = "admin") -> date:
    """Review, visit, income check and notice a day apart from ``start``; the notice's last
    day (7 days by default)."""
    days = [str(start + timedelta(days=n)) for n in range(1, 5)]
    for path, body in (
        ("review", {}),
        ("home-visit", {"visitors": ["王干事"], "findings": "属实"}),
        ("income-check", {}),
        ("notice", {"place": "社区公示栏"}),
    ):
        day = days.pop(0)
        response = api.post(f"/applications/{app_id}/{path}", body | {"business_date": day}, as_)
        assert response.status_code == 201, response.text
    return start + timedelta(days=4 + 6)


def filed(api: Api, centre: str, filing_day: date, body: dict[str, Any] | None = None) -> str:
    """An application received 20 days before ``filing_day`` and filed on it; the case's id."""
    start = filing_day - timedelta(days=20)
    app_id = api.created("/applications", body or application(centre, str(start)))
    to_notice(api, app_id, start)
    return api.created(f"/applications/{app_id}/filing", {"business_date": str(filing_day)})


def test_the_category_is_computed_against_the_line_in_force_on_the_filing_day(
    api: Api, world: World
) -> None:
    raise_line = {"parameter": "dibao_line", "value": "820.00", "effective_from": "2026-07-01"}
    api.created("/policy", raise_line | {"centre_id": world.city, "reason": "年中上调"})

    june = filed(api, world.street, date(2026, 6, 30))
    july = filed(api, world.street, date(2026, 7, 1))

    # ¥2,400 for three is ¥800 a head: not below ¥790 (relative), below ¥820 (deep)
    assert api.get(f"/cases/{june}").json()["category"] == "relative_hardship"
    assert api.get(f"/cases/{july}").json()["category"] == "deep_hardship"
    assert api.get(f"/cases/{july}").json()["per_capita_monthly_income"] == "800.00"


def test_an_override_needs_its_reason_and_shows_in_supervision(api: Api, world: World) -> None:
    start = date(2026, 3, 1)
    app_id = api.created("/applications", application(world.street, str(start)))
    ended = to_notice(api, app_id, start)
    filing = {"category": "deep_hardship", "business_date": str(ended + timedelta(days=1))}

    refused = api.post(f"/applications/{app_id}/filing", filing)
    case = api.created(f"/applications/{app_id}/filing", filing | {"override_reason": "大病"})

    assert (refused.status_code, refused.json()["type"]) == (
        422,
        "urn:bangfu:problem:invalid-filing",
    )
    assert "relative_hardship" in refused.json()["detail"]
    shown = api.get(f"/applications/{app_id}").json()["filing"]
    assert (shown["overridden"], shown["computed_category"], shown["line"]) == (
        True,
        "relative_hardship",
        "790.00",
    )
    listed = api.view("/applications/overrides", centre_id=world.district).json()["items"]
    assert [(r["case_id"], r["override_reason"]) for r in listed] == [(case, "大病")]


def test_a_spouse_is_refused_a_second_archive_while_a_member_of_an_active_one(
    api: Api, world: World
) -> None:
    body = application(world.street, "2026-03-01")
    case = filed(api, world.street, date(2026, 3, 21), body)
    spouse = body["members"][0]["id_number"]
    worker = api.user("朝阳区干事", Role.CASEWORKER, UUID(world.district))  # the case's district

    as_applicant = application(world.street, "2026-04-01")
    as_applicant["applicant"]["id_number"] = spouse
    refused = api.post("/applications", as_applicant, as_=worker)

    assert refused.status_code == 409
    assert refused.headers["content-type"] == PROBLEM
    assert refused.json()["type"] == "urn:bangfu:problem:duplicate-archive"
    assert f"case {case}" in refused.json()["detail"]
    direct = {
        "centre_id": world.district,
        "category": "deep_hardship",
        "primary_cause": "other",
        "household_size": 1,
        "per_capita_monthly_income": "300.00",
        "person": {"name": "李四", "id_number": spouse},
    }
    assert api.post("/cases", direct, as_=worker).status_code == 409


def test_a_refusal_names_no_archive_outside_the_callers_subtree(api: Api, world: World) -> None:
    body = application(world.street, "2026-03-01")
    case = filed(api, world.street, date(2026, 3, 21), body)
    elsewhere = api.user("南关区干事", Role.CASEWORKER, UUID(world.other_district))
    again = application(world.other_district, "2026-04-01")
    again["members"][0]["id_number"] = body["members"][1]["id_number"]  # the child

    refused = api.post("/applications", again, as_=elsewhere)

    assert refused.status_code == 409
    detail = refused.json()["detail"]
    assert "outside your area" in detail and "family member 1" in detail
    assert case not in detail and "张" not in detail and world.street not in detail


def test_a_member_who_leaves_may_be_filed_elsewhere(api: Api, world: World) -> None:
    body = application(world.street, "2026-03-01")
    case = filed(api, world.street, date(2026, 3, 21), body)
    members = api.get(f"/cases/{case}").json()["person"]["family_members"]
    spouse = next(m for m in members if m["relation"] == "配偶")

    body = {"reason": "离婚", "business_date": "2026-04-01"}
    leaving = (f"/cases/{case}/members/{spouse['member_id']}/leaving", body)
    left = api.post(*leaving, key="k1")
    again = api.post(*leaving, key="k1")
    alone = application(world.other_district, "2026-04-02", members=[])
    alone["applicant"]["id_number"] = spouse["id_number"]

    assert left.status_code == 201 and again.json()["replayed"] is True
    assert api.post("/applications", alone).status_code == 201
    household = api.get(f"/cases/{case}").json()["person"]["family_members"]
    assert [m["relation"] for m in household] == ["子女"]


def test_deadlines_come_from_the_policy_in_force_and_the_overdue_list_counts_days_past_them(
    api: Api, world: World
) -> None:
    three_days = {"parameter": "step_limit_days", "subject": "application_review", "value": "3"}
    api.created(
        "/policy",
        three_days | {"centre_id": world.other_district, "effective_from": "2026-01-01"}
        | {"reason": "本区提速"},
    )  # fmt: skip
    waiting = api.created("/applications", application(world.street, "2026-05-01"))
    reviewed = api.created("/applications", application(world.street, "2026-05-01"))
    api.created(f"/applications/{reviewed}/review", {"business_date": "2026-05-04"})
    fast = api.created("/applications", application(world.other_district, "2026-05-01"))

    def overdue(on: str, **scope: str) -> dict[str, tuple[str, str, int]]:
        rows = api.view("/applications", overdue="true", as_of=on, **scope).json()["items"]
        return {r["id"]: (r["waiting_for"], r["due_on"], r["days_overdue"]) for r in rows}

    # review within 10 days (the default), here 3; a home visit within 15 days of the review
    assert overdue("2026-05-04") == {}
    assert overdue("2026-05-05") == {fast: ("application_review", "2026-05-04", 1)}
    assert overdue("2026-05-12") == {
        waiting: ("application_review", "2026-05-11", 1),
        fast: ("application_review", "2026-05-04", 8),
    }
    assert overdue("2026-05-20", centre_id=world.district) == {
        waiting: ("application_review", "2026-05-11", 9),
        reviewed: ("home_visit", "2026-05-19", 1),
    }
    first_receiver = api.get(f"/applications/{fast}").json()["first_receiver"]
    assert first_receiver == "admin"


def test_a_transfer_moves_the_archive_and_its_trail_while_payments_stay_where_made(
    api: Api, world: World
) -> None:
    payment = api.created("/payments", payment_body(world.fund, world.case, "500.00", "2026-02-01"))
    here = api.user("朝阳区干事", Role.CASEWORKER, UUID(world.district))
    there = api.user("南关区干事", Role.CASEWORKER, UUID(world.other_district))
    transfer = {"to_centre_id": world.other_district, "business_date": "2026-03-01"}

    refused = api.post(f"/cases/{world.case}/transfer", transfer, as_=here)  # not over both
    moved = api.post(f"/cases/{world.case}/transfer", transfer)

    assert refused.status_code == 403 and moved.status_code == 201
    archive = {c["id"] for c in api.view("/cases", centre_id=world.other_district).json()["items"]}
    assert world.case in archive
    assert world.case not in {
        c["id"] for c in api.view("/cases", centre_id=world.district).json()["items"]
    }
    trail = api.view("/audit/events", centre_id=world.other_district, case_id=world.case)
    assert {e["type"] for e in trail.json()["items"]} >= {"Registered", "AssistanceReceived"}
    paid = api.view("/audit/events", centre_id=world.city, case_id=world.case).json()["items"]
    assert any(e["originator_id"] == payment for e in paid)  # the city's fund paid it
    visit = {"business_date": "2026-03-02", "visitors": ["王干事"]}
    assert api.post(f"/cases/{world.case}/visits", visit, as_=here).status_code == 403
    assert api.post(f"/cases/{world.case}/visits", visit, as_=there).status_code == 201
    assert api.get(f"/cases/{world.case}/history").json()[-2]["type"] == "Transferred"


def test_a_step_by_a_role_that_may_not_is_refused_with_problem_json(api: Api, world: World) -> None:
    app_id = api.created("/applications", application(world.street, "2026-05-01"))
    finance = api.user("会计", Role.FINANCE, UUID(world.district))
    supervisor = api.user("主任", Role.SUPERVISOR, UUID(world.district))

    by_finance = api.post(
        f"/applications/{app_id}/review", {"business_date": "2026-05-02"}, finance
    )
    read = api.get(f"/applications/{app_id}", as_=supervisor).json()
    withheld = api.get(f"/applications/{app_id}", as_=finance).json()

    assert by_finance.status_code == 403 and by_finance.headers["content-type"] == PROBLEM
    assert by_finance.json()["type"] == "urn:bangfu:problem:forbidden"
    assert read["person"]["name"] == "张三" and read["stage"] == "received"
    assert (withheld["person"], withheld["personal_data"]) == (None, "withheld")


def test_refusals_of_filing_are_problem_json_and_change_nothing(api: Api, world: World) -> None:
    app_id = api.created("/applications", application(world.street, "2026-05-01"))
    unknown = "6f1c2a7e-5b3d-4c8e-9a0f-112233445566"

    early = api.post(f"/applications/{app_id}/filing", {"business_date": "2026-05-02"})
    missing = api.post(f"/applications/{unknown}/review", {})
    bad = api.post(
        "/applications",
        application(world.street, "2026-05-01", incomes=[{"label": "工资", "amount": 2400}]),
    )

    assert (early.status_code, early.json()["type"]) == (409, "urn:bangfu:problem:application-step")
    assert early.json()["instance"] == f"/applications/{app_id}/filing"
    assert (missing.status_code, missing.json()["type"]) == (
        404,
        "urn:bangfu:problem:application-not-found",
    )
    assert bad.status_code == 422 and bad.headers["content-type"] == PROBLEM
    assert api.get(f"/applications/{app_id}").json()["version"] == 1
