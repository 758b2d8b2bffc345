"""Recurring subsidies (定期生活补助) over HTTP: finance staff set one up at the standard, a
month's run pays each due schedule once however often it runs, a month is paid alone or a
schedule stopped; every refusal is problem+json and writes nothing."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from domain.vocabulary import Role
from tests.api.support import Api, World

UNKNOWN = "00000000-0000-4000-8000-000000000000"


def schedule(world: World, **more: Any) -> dict[str, Any]:
    """Three months from January 2026 for the world's household (deep hardship: ¥500.00)."""
    return (
        {"case_id": world.case, "fund_id": world.fund, "start_month": "2026-01"}
        | {"months": 3}
        | more
    )


def a_run(world: World, month: str, day: str) -> dict[str, str]:
    return {"centre_id": world.city, "month": month, "business_date": day}


def staff(api: Api, world: World) -> None:
    """Finance staff of the city and of the other district; an auditor."""
    api.user("fin", Role.FINANCE, UUID(world.city))
    api.user("fin-other", Role.FINANCE, UUID(world.other_district))
    api.user("aud", Role.AUDITOR)


def test_a_schedule_run_twice_pays_once_a_month_paid_alone_and_a_stopped_one_pays_no_more(
    api: Api, world: World
) -> None:
    staff(api, world)
    made = api.created("/schedules", schedule(world), "fin")

    first = api.post("/schedules/runs", a_run(world, "2026-01", "2026-01-15"), "fin")
    again = api.post("/schedules/runs", a_run(world, "2026-01", "2026-01-20"), "fin")
    february = {"month": "2026-02", "business_date": "2026-02-15"}
    alone = api.post(f"/schedules/{made}/payments", february, "fin")
    twice = api.post(f"/schedules/{made}/payments", february, "fin")
    stopped = api.post(f"/schedules/{made}/stop", {"reason": "已就业，收入超过低保线"}, "fin")
    march = api.post("/schedules/runs", a_run(world, "2026-03", "2026-03-15"), "fin")

    assert first.status_code == 201, first.text
    assert (first.json()["counts"]["paid"], first.json()["paid"]) == (1, "500.00")
    line = again.json()["lines"][0]
    assert (line["status"], line["status_zh"], again.json()["paid"]) == (
        "already_paid", "此前已发放", "0.00",
    )  # fmt: skip
    assert line["payment_id"] == first.json()["lines"][0]["payment_id"]
    assert (alone.json()["status"], alone.json()["amount"]) == ("paid", "500.00")
    assert (twice.json()["status"], twice.json()["position"]) == ("already_paid", None)
    assert stopped.status_code == 201 and march.json()["lines"] == []
    assert api.get(f"/funds/{world.fund}").json()["balance"] == "9000.00"  # 10,000 - 2 x 500
    one = api.get(f"/schedules/{made}", "aud").json()
    assert (one["monthly"], one["standard"], one["end_month"], one["active"]) == (
        "500.00", "500.00", "2026-03", False,
    )  # fmt: skip
    assert sorted(one["months_paid"]) == ["2026-01", "2026-02"]
    listed = api.view("/schedules", "aud", centre_id=world.city, month="2026-02").json()
    assert [(r["id"], r["months_paid"], r["month_paid"]) for r in listed["items"]] == [
        (made, 2, True)
    ]


def test_bad_input_and_refusals_are_problems_that_write_nothing(api: Api, world: World) -> None:
    staff(api, world)
    medical = api.created(
        "/funds",
        {
            "centre_id": world.city,
            "name": "医疗救助资金",
            "source": "social_donation",
            "fiscal_year": 2026,
            "purposes": ["medical_relief"],
        },
    )
    made = api.created("/schedules", schedule(world), "fin")
    api.created(f"/schedules/{made}/stop", {"reason": "本人申请停发"}, "fin")
    api.created(
        "/policy",
        {"centre_id": world.city, "parameter": "approval_above", "value": "1000.00",
         "effective_from": "2026-01-01", "reason": "资金审批制度"},
    )  # fmt: skip
    before = api.ledger.recorder.max_notification_id()
    january = {"month": "2026-01"}

    answers = {
        "a month written badly": api.post("/schedules", schedule(world, start_month="2026-13")),
        "no months": api.post("/schedules", schedule(world, months=0)),
        "months as text": api.post("/schedules", schedule(world, months="3")),
        "an amount as a number": api.post("/schedules", schedule(world, amount=600)),
        "another amount without a reason": api.post("/schedules", schedule(world, amount="600")),
        "a fund for medical relief": api.post("/schedules", schedule(world, fund_id=medical)),
        "above what one may pay unchecked": api.post(
            "/schedules", schedule(world, amount="1000.01", reason="大病")
        ),
        "an unknown case": api.post("/schedules", schedule(world, case_id=UNKNOWN)),
        "an auditor": api.post("/schedules", schedule(world), "aud"),
        "another district's finance": api.post("/schedules", schedule(world), "fin-other"),
        "a run elsewhere": api.post(
            "/schedules/runs", a_run(world, "2026-01", "2026-01-15"), "fin-other"
        ),
        "a run of no month": api.post("/schedules/runs", a_run(world, "2026-1", "2026-01-15")),
        "an unknown schedule": api.post(f"/schedules/{UNKNOWN}/payments", january),
        "a stopped schedule stopped": api.post(f"/schedules/{made}/stop", {"reason": "再次"}),
    }

    statuses = {
        what: (r.status_code, r.json()["type"].rsplit(":", 1)[1]) for what, r in answers.items()
    }
    assert statuses == {
        "a month written badly": (422, "validation-failed"),
        "no months": (422, "validation-failed"),
        "months as text": (422, "validation-failed"),
        "an amount as a number": (422, "validation-failed"),
        "another amount without a reason": (422, "invalid-schedule"),
        "a fund for medical relief": (422, "purpose-not-allowed"),
        "above what one may pay unchecked": (409, "approval-required"),  # ¥1,000 at the city
        "an unknown case": (404, "case-not-found"),
        "an auditor": (403, "forbidden"),
        "another district's finance": (403, "forbidden"),
        "a run elsewhere": (403, "forbidden"),
        "a run of no month": (422, "validation-failed"),
        "an unknown schedule": (404, "schedule-not-found"),
        "a stopped schedule stopped": (409, "schedule-stopped"),
    }
    assert all(r.headers["content-type"] == "application/problem+json" for r in answers.values())
    assert api.ledger.recorder.max_notification_id() == before
    open_one = api.created("/schedules", schedule(world), "fin")
    too_early = api.post(f"/schedules/{open_one}/payments", {"month": "2025-12"}, "fin")
    assert (too_early.status_code, too_early.json()["type"]) == (
        409, "urn:bangfu:problem:schedule-month-not-due",
    )  # fmt: skip
