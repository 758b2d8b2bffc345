"""A recurring subsidy (定期生活补助) pays the standard for its household's category (or another
amount with its reason) from a fund earmarked for it, each due month once; months before the
case's filing, before the start or after the end are not due; a stopped schedule pays no more."""

from __future__ import annotations

from datetime import date
from uuid import uuid4

import pytest

from domain.cases import Case
from domain.catalogue import CATALOGUE
from domain.errors import (
    CaseClosedError,
    InvalidScheduleError,
    PurposeNotAllowedError,
    ScheduleMonthNotDueError,
    ScheduleStoppedError,
)
from domain.funds import Fund
from domain.schedules import MonthStatus, Schedule, month_payment_id, set_schedule
from domain.vocabulary import AssistanceType, ClosureReason, FundSource
from projections.schedules import SchedulesView
from tests.unit.support import assessment

FILED, SET_ON = date(2026, 3, 10), date(2026, 3, 12)
LIVING, MEDICAL = AssistanceType.LIVING_RELIEF, AssistanceType.MEDICAL_RELIEF


def a_case() -> Case:
    return Case.register(uuid4(), [uuid4(), uuid4()], assessment(), "sealed", "ref", "cw", FILED)


def a_fund(*purposes: AssistanceType) -> Fund:
    kinds = list(purposes or (LIVING,))
    return Fund.open(
        [uuid4()], "帮扶资金", FundSource.CENTRAL_SPECIAL_FUND, 2026, kinds, "fin", FILED
    )


def a_schedule(
    start: str = "2026-01",
    months: int = 6,
    standard: int | None = 500_00,
    amount: int | None = None,
    reason: str = "",
    case: Case | None = None,
) -> Schedule:
    return set_schedule(
        uuid4(), case or a_case(), a_fund(), LIVING, start, months, standard, amount, reason,
        "fin", SET_ON,
    )  # fmt: skip


def test_a_schedule_pays_the_standard_from_the_month_of_filing_to_its_last_month() -> None:
    schedule = a_schedule("2026-01", 6)

    # Jan..Jun is six months; the case was filed on 10 March, so January and February are not due
    assert (schedule.amount_fen, schedule.standard_fen, schedule.reason) == (500_00, 500_00, "")
    assert (schedule.first_due_month, schedule.end_month) == ("2026-03", "2026-06")
    for month in ("2025-12", "2026-02", "2026-07"):
        with pytest.raises(ScheduleMonthNotDueError):
            schedule.require_due(month)
    schedule.require_due("2026-03")
    schedule.require_due("2026-06")


def test_another_amount_than_the_standard_needs_its_reason_and_no_standard_needs_an_amount() -> (
    None
):
    with pytest.raises(InvalidScheduleError, match="reason"):
        a_schedule(amount=600_00)
    with pytest.raises(InvalidScheduleError, match="no standard"):
        a_schedule(standard=0)

    higher = a_schedule(amount=600_00, reason="大病支出，经主任办公会研究")
    same = a_schedule(amount=500_00)

    assert (higher.amount_fen, higher.standard_fen) == (600_00, 500_00)
    assert same.amount_fen == 500_00


def test_a_schedule_is_refused_for_a_closed_case_a_fund_earmarked_otherwise_or_bad_months() -> None:
    closed = a_case()
    closed.close(ClosureReason.RETIRED, "", "cw", SET_ON)

    with pytest.raises(CaseClosedError):
        a_schedule(case=closed)
    with pytest.raises(PurposeNotAllowedError):
        set_schedule(
            uuid4(), a_case(), a_fund(MEDICAL), LIVING, "2026-04", 3, 1, None, "", "f", SET_ON
        )
    for start, months in (("2026-13", 3), ("26-04", 3), ("2026-04", 0), ("2026-04", 61)):
        with pytest.raises(InvalidScheduleError):
            a_schedule(start, months)
    with pytest.raises(InvalidScheduleError, match="filed"):  # Dec 2025 .. Feb 2026: all before
        a_schedule("2025-12", 3)


def test_each_month_is_paid_once_with_its_own_payment_id_and_a_stopped_schedule_pays_no_more() -> (
    None
):
    schedule = a_schedule("2026-04", 3)
    april = month_payment_id(schedule.id, "2026-04")

    schedule.record_paid("2026-04", april, "fin", date(2026, 4, 1))
    with pytest.raises(ScheduleMonthNotDueError, match="paid already"):
        schedule.record_paid("2026-04", april, "fin", date(2026, 4, 2))
    schedule.stop("家庭收入已超过低保线", "fin", date(2026, 4, 20))

    assert (
        april
        == month_payment_id(schedule.id, "2026-04")
        != month_payment_id(schedule.id, "2026-05")
    )
    assert schedule.paid == {"2026-04": april}
    assert (schedule.is_active, schedule.stopped_on) == (False, date(2026, 4, 20))
    with pytest.raises(ScheduleStoppedError):
        schedule.record_paid("2026-05", month_payment_id(schedule.id, "2026-05"), "fin", SET_ON)
    with pytest.raises(ScheduleStoppedError):
        schedule.stop("again", "fin", SET_ON)
    assert [MonthStatus(s).zh for s in ("paid", "already_paid", "stopped", "refused")] == [
        "已发放", "此前已发放", "已停发", "未能发放",
    ]  # fmt: skip


def test_the_schedules_view_applies_or_ignores_every_event_of_the_catalogue() -> None:
    handled, ignored = set(SchedulesView.handles or ()), set(SchedulesView.ignores)

    assert handled == {Schedule.Set, Schedule.MonthPaid, Schedule.Stopped}
    assert handled | ignored == set(CATALOGUE) and not handled & ignored
