"""Dynamic management (动态管理) over HTTP: monthly incomes and their corrections, reviews whose
category is computed from the line in force on their day, the reviews due, the exit candidates,
and the archive's statistics; every refusal is problem+json and writes nothing."""

from __future__ import annotations

import csv
import io
from typing import Any
from uuid import UUID

import httpx
from openpyxl import load_workbook

from domain.vocabulary import Role
from tests.api.support import Api, World, case_body

UNKNOWN = "00000000-0000-4000-8000-000000000000"


def staff(api: Api, world: World) -> None:
    """A caseworker and a supervisor of the district, a supervisor of the other district, an
    auditor of the whole tree."""
    for name, role, centre in (
        ("cw", Role.CASEWORKER, world.district),
        ("sup", Role.SUPERVISOR, world.district),
        ("sup-other", Role.SUPERVISOR, world.other_district),
        ("cw-other", Role.CASEWORKER, world.other_district),
        ("aud", Role.AUDITOR, None),
    ):
        api.user(name, role, UUID(centre) if centre else None)


def record(
    api: Api, case: str, month: str, income: str = "2400.00", as_: str = "admin", **more: Any
) -> httpx.Response:
    """The household of three's incomes for a month, recorded at the month's end."""
    body = {"month": month, "household_size": 3, "household_income": income}
    return api.post(f"/cases/{case}/incomes", body | {"business_date": f"{month}-28"} | more, as_)


def review(api: Api, case: str, day: str, as_: str = "admin", **more: Any) -> httpx.Response:
    body = {"household_size": 3, "household_income": "2400.00", "business_date": day}
    return api.post(f"/cases/{case}/reviews", body | more, as_)


def line_from_july(api: Api, world: World, value: str = "820.00") -> None:
    """The city's 低保 line rises on 1 July (¥790, the built-in line since 2025, before)."""
    setting = {"parameter": "dibao_line", "value": value, "effective_from": "2026-07-01"}
    api.created("/policy", setting | {"centre_id": world.city, "reason": "年中上调"})


def test_a_review_computes_the_category_against_the_line_in_force_on_its_day(
    api: Api, world: World
) -> None:
    staff(api, world)
    line_from_july(api, world)

    # ¥2,400 for three is ¥800 a head: at or above ¥790 in June, below ¥820 from July
    categories = []
    for day in ("2026-06-30", "2026-07-01"):
        assert review(api, world.case, day, "cw").status_code == 201
        categories.append(api.get(f"/cases/{world.case}").json()["category"])
    overridden = review(api, world.case, "2026-07-02", "cw", category="accident_induced")
    with_reason = review(
        api, world.case, "2026-07-03", "cw", category="accident_induced", override_reason="大病"
    )

    assert categories == ["relative_hardship", "deep_hardship"]
    assert overridden.status_code == 422
    assert overridden.json()["type"] == "urn:bangfu:problem:category-override"
    assert with_reason.status_code == 201
    history = api.get(f"/cases/{world.case}/history").json()
    found = [e["data"]["review"] for e in history if e["type"] == "Reassessed"]
    assert [(r["dibao_line"], r["computed_category"], r["override_reason"]) for r in found] == [
        ("790.00", "relative_hardship", ""),
        ("820.00", "deep_hardship", ""),
        ("820.00", "deep_hardship", "大病"),
    ]
    july = {"from": "2026-07-01", "to": "2026-07-31"}
    flow = api.view("/statistics/cases", "sup", **july).json()["flow"]
    assert (flow["reviewed"], flow["overridden"]) == (2, 1)
    shown = ("case_id", "reviewed_on", "computed_category", "category", "reason", "actor")
    listed = api.view("/cases/review-overrides", "sup", **july).json()["items"]
    assert [tuple(r[k] for k in shown) for r in listed] == [
        (world.case, "2026-07-03", "deep_hardship", "accident_induced", "大病", "cw")
    ]


def exits(api: Api, as_of: str) -> list[tuple[str, int, str, str]]:
    items = api.view("/cases/exit-candidates", as_of=as_of).json()["items"]
    return [(r["case_id"], r["months_above"], r["from_month"], r["to_month"]) for r in items]


def test_six_months_in_a_row_above_the_line_make_an_exit_candidate(api: Api, world: World) -> None:
    staff(api, world)
    case = world.case
    made = {m: record(api, case, f"2026-{m:02d}", as_="cw").json()["id"] for m in range(1, 6)}

    five = exits(api, "2026-06-30")  # ¥800 a head against ¥790, January to May
    record(api, case, "2026-06", as_="cw")
    six = exits(api, "2026-06-30")
    corrected = record(api, case, "2026-03", "2100.00", "cw", corrects=made[3])  # ¥700 a head
    reset = exits(api, "2026-06-30")
    for month in ("2026-07", "2026-08", "2026-09"):
        record(api, case, month, as_="cw")
    again = exits(api, "2026-09-30")

    assert five == []
    assert six == [(case, 6, "2026-01", "2026-06")]
    assert corrected.status_code == 201 and reset == []
    assert again == [(case, 6, "2026-04", "2026-09")]
    book = api.get(f"/cases/{case}/incomes", "aud").json()
    assert [(r["month"], r["per_capita_income"], r["line"]) for r in book["records"][2:4]] == [
        ("2026-03", "700.00", "790.00"),
        ("2026-04", "800.00", "790.00"),
    ]
    assert [r["id"] for r in book["corrected"]] == [made[3]]


def test_an_exited_household_leaves_the_list_and_a_relapse_starts_its_count_again(
    api: Api, world: World
) -> None:
    case = world.case
    for m in range(1, 7):
        record(api, case, f"2026-{m:02d}")
    exited = {"reason": "exited_income_above_line", "business_date": "2026-07-05"}

    api.created(f"/cases/{case}/closure", exited)
    closed = exits(api, "2026-07-31")
    api.created(f"/cases/{case}/reopening", {"business_date": "2026-08-03", "note": "返困"})
    record(api, case, "2026-08")

    assert closed == []
    assert exits(api, "2026-08-31") == []  # only August counts since the relapse
    assert exits(api, "2026-06-30") == [(case, 6, "2026-01", "2026-06")]  # as it stood then


def due(api: Api, as_of: str) -> list[tuple[str, str, int, str]]:
    items = api.view("/cases/review-due", as_of=as_of).json()["items"]
    return [(r["case_id"], r["due_on"], r["days_left"], r["state"]) for r in items]


def test_a_review_falls_due_twelve_months_after_the_last_or_as_the_centre_sets_it(
    api: Api, world: World
) -> None:
    case = world.case  # filed on 2026-01-05: due on 2027-01-05

    ahead = due(api, "2026-12-05")  # 31 days ahead: not yet listed
    soon = due(api, "2026-12-06")
    late = due(api, "2027-01-06")
    every_six = {"parameter": "annual_review_months", "value": "6", "effective_from": "2026-01-01"}
    api.created("/policy", every_six | {"centre_id": world.district, "reason": "区复核办法"})
    six = due(api, "2026-07-06")
    assert review(api, case, "2026-07-10").status_code == 201
    reviewed = due(api, "2026-12-15")

    assert ahead == []
    assert soon == [(case, "2027-01-05", 30, "due")]
    assert late == [(case, "2027-01-05", -1, "overdue")]
    assert six == [(case, "2026-07-05", -1, "overdue")]
    assert reviewed == [(case, "2027-01-10", 26, "due")]


def test_statistics_count_households_what_happened_referrals_and_work_in_chinese_too(
    api: Api, world: World
) -> None:
    staff(api, world)
    relative = {"category": "relative_hardship", "primary_cause": "no_work_capacity"}
    api.created("/cases", case_body(world.street, flags=[], **relative))
    relapsed = api.created("/cases", case_body(world.district, flags=[]))
    api.created(f"/cases/{relapsed}/closure", {"reason": "exited_income_above_line"} | on(3))
    api.created(f"/cases/{relapsed}/reopening", on(4))
    employed = [{"relation": "子女", "income": "1500.00", "employed": True}]
    assert record(api, world.case, "2026-02", "1950.00", members=employed).status_code == 201
    referral = {"channel": "dibao", "receiving_body": "朝阳区民政局"} | on(2)
    referred = api.created(f"/cases/{world.case}/referrals", referral)
    api.created(
        f"/referrals/{referred}/outcome", {"decision": "accepted", "amount": "790.00"} | on(5)
    )
    period = {"centre_id": world.city, "from": "2026-01-01", "to": "2026-06-30"}

    stats = api.view("/statistics/cases", "aud", **period).json()
    sheet = api.view("/statistics/cases", "aud", format="csv", lang="zh", **period)
    book = api.view("/statistics/cases", "aud", format="xlsx", lang="zh", **period)

    by = {k: {c["key"]: c["households"] for c in stats[k]} for k in ("by_category", "by_flag")}
    assert stats["households"] == 3
    assert (by["by_category"]["deep_hardship"], by["by_category"]["relative_hardship"]) == (2, 1)
    assert by["by_flag"]["zero_employment_family"] == 1
    assert stats["flow"] == {
        "filed": 3, "reviewed": 0, "overridden": 0, "exited": 1, "cancelled": 0, "reopened": 1,
    }  # fmt: skip
    assert stats["zero_employment"] == {"households": 1, "with_member_employed": 1}
    assert (stats["referrals"]["total"]["made"], stats["referrals"]["rows"][0]["accepted"]) == (
        1,
        1,
    )
    rows = list(csv.reader(io.StringIO(sheet.content.decode("utf-8-sig"))))
    assert rows[0] == ["分组", "分组名称", "项目", "项目名称", "数量"]
    assert ["zero_employment", "零就业家庭", "with_member_employed", "已有成员就业", "1"] in rows
    assert ["referrals", "转介", "dibao:accepted", "最低生活保障（低保）·已纳入", "1"] in rows
    sheet_1 = load_workbook(io.BytesIO(book.content)).active
    assert sheet_1 is not None
    cells = list(sheet_1.iter_rows(values_only=True))
    assert cells[0] == ("分组", "分组名称", "项目", "项目名称", "数量") and len(cells) == len(rows)


def on(month: int) -> dict[str, str]:
    return {"business_date": f"2026-{month:02d}-01"}


def test_refusals_are_problems_that_write_nothing_and_a_repeated_write_is_answered_once(
    api: Api, world: World
) -> None:
    staff(api, world)
    january = {"month": "2026-01", "household_size": 3, "household_income": "2400.00"} | on(2)
    incomes = f"/cases/{world.case}/incomes"
    first = api.post(incomes, january, "cw", key="income-2026-01")
    repeated = api.post(incomes, january, "cw", key="income-2026-01")
    closed = api.created("/cases", case_body(world.street))
    api.created(f"/cases/{closed}/closure", {"reason": "deceased"} | on(2))
    before = api.ledger.recorder.max_notification_id()

    members = [{"relation": "本人", "income": "3000.00", "employed": True}]
    refused = {
        "second record of a month": record(api, world.case, "2026-01", as_="cw"),
        "correction of no record": record(api, world.case, "2026-02", corrects=UNKNOWN),
        "a month not yet earned": record(api, world.case, "2026-03", business_date="2026-02-15"),
        "members earn more": record(api, world.case, "2026-02", members=members),
        "not a month": record(api, world.case, "2026-13"),
        "closed case": record(api, closed, "2026-02"),
        "outside the subtree": record(api, world.case, "2026-02", as_="cw-other"),
        "an auditor": review(api, world.case, "2026-03-01", "aud"),
        "override without a reason": review(api, world.case, "2026-03-01", category="borderline"),
        "an empty period": api.get("/statistics/cases?from=2026-02-01&to=2026-01-01"),
    }

    kinds = {why: (r.status_code, r.json()["type"].rsplit(":", 1)[1]) for why, r in refused.items()}
    assert first.status_code == repeated.status_code == 201
    assert first.json()["id"] == repeated.json()["id"] and repeated.json()["replayed"] is True
    assert kinds == {
        "second record of a month": (409, "month-recorded"),
        "correction of no record": (409, "income-record-not-current"),
        "a month not yet earned": (422, "invalid-income"),
        "members earn more": (422, "invalid-income"),
        "not a month": (422, "validation-failed"),
        "closed case": (409, "case-closed"),
        "outside the subtree": (403, "forbidden"),
        "an auditor": (403, "forbidden"),
        "override without a reason": (422, "category-override"),
        "an empty period": (422, "invalid-input"),
    }
    assert {r.headers["content-type"] for r in refused.values()} == {"application/problem+json"}
    assert api.ledger.recorder.max_notification_id() == before


def test_supervisors_read_the_lists_of_their_subtree_only_and_auditors_read_all(
    api: Api, world: World
) -> None:
    staff(api, world)
    record(api, world.case, "2026-01", as_="cw")
    late = {"as_of": "2027-02-01"}

    assert api.get(f"/cases/{world.case}/incomes", "sup-other").status_code == 403
    assert api.view("/cases/review-due", "sup-other", centre_id=world.district).status_code == 403
    assert api.view("/cases/review-due", "sup-other", **late).json()["items"] == []
    assert [r["case_id"] for r in api.view("/cases/review-due", "aud", **late).json()["items"]] == [
        world.case
    ]
    assert len(api.get(f"/cases/{world.case}/incomes", "aud").json()["records"]) == 1
    moved = {"to_centre_id": world.other_district, "business_date": "2026-03-01"}
    api.created(f"/cases/{world.case}/transfer", moved)  # 转档: its lists move with it
    assert api.view("/cases/review-due", "sup", **late).json()["items"] == []
    assert len(api.view("/cases/review-due", "sup-other", **late).json()["items"]) == 1
