"""Recurring subsidies (定期生活补助) on both stores: a month's run pays each due schedule once,
however often it runs; a closed case's schedule stops and pays nothing; months outside the
schedule are not due; a schedule's months are no suspicious repeats, a manual duplicate is."""

from __future__ import annotations

from datetime import date
from uuid import UUID

import pytest

from domain.access import SYSTEM
from domain.application import Context, Ledger
from domain.cases import Person
from domain.errors import ScheduleMonthNotDueError
from domain.funds import Fund
from domain.id_numbers import make_id_number
from domain.payments import Payment
from domain.schedules import MonthStatus, month_payment_id
from domain.use_cases.schedules import MonthAlreadyPaid, ScheduleRun, ScheduleStopped
from domain.vocabulary import AssistanceType, CentreLevel, ClosureReason, FundSource
from projections import Views
from projections.schedules import due, listing
from projections.suspicious_rules import suspicious
from supervision import compliance
from supervision.policy import Standards
from supervision.records import from_ledger
from tests.unit.support import assessment

ADMIN = Context(SYSTEM)
LIVING = AssistanceType.LIVING_RELIEF


class World:
    """A city (its fund holds ¥10,000 for living relief) and a street with a deep-hardship
    household filed on 5 January 2026 (standard: ¥500.00 a month)."""

    def __init__(self, ledger: Ledger) -> None:
        self.ledger, self.views = ledger, Views(ledger)
        self.city = ledger.create_centre(ADMIN, "长春市", CentreLevel.PREFECTURE, None).result.id
        street = ledger.create_centre(ADMIN, "红旗街道", CentreLevel.STREET, self.city).result.id
        source = FundSource.CENTRAL_SPECIAL_FUND
        self.fund = ledger.open_fund(
            ADMIN, self.city, "中央专项", source, 2026, [LIVING], date(2026, 1, 2)
        ).result.id
        ledger.receive(ADMIN, self.fund, 10_000_00, "财政部", "CZ-1", date(2026, 1, 2))
        person = Person("定期补助", make_id_number("220104", date(1970, 5, 6), 41), "")
        self.case = ledger.register_case(
            ADMIN, street, assessment(), person, date(2026, 1, 5)
        ).result.id

    def schedule(self, start: str, months: int) -> UUID:
        return self.ledger.set_schedule(ADMIN, self.case, self.fund, start, months).result.id

    def run(self, month: str, day: date) -> ScheduleRun:
        """The month's run over the city's subtree, its schedules read from the view."""
        self.views.projector.run_once()
        ids = [UUID(s) for s in due(self.views.schedules, str(self.city), month)]
        return self.ledger.run_schedules(ADMIN, ids, month, day)

    def balance(self) -> int:
        fund = self.ledger.fund(SYSTEM, self.fund)
        assert isinstance(fund, Fund)
        return fund.balance_fen


def statuses(run: ScheduleRun) -> list[tuple[MonthStatus, int]]:
    return [(line.status, line.amount_fen) for line in run.lines]


@pytest.fixture
def world(ledger: Ledger) -> World:
    return World(ledger)


def test_a_three_month_schedule_run_each_month_pays_three_times_and_a_rerun_pays_nothing(
    world: World,
) -> None:
    schedule = world.schedule("2026-01", 3)

    runs = [world.run(m, date(2026, int(m[5:]), 15)) for m in ("2026-01", "2026-02", "2026-03")]
    again = world.run("2026-02", date(2026, 3, 16))

    paid = (MonthStatus.PAID, 500_00)
    assert [statuses(r) for r in runs] == [[paid], [paid], [paid]]
    assert statuses(again) == [(MonthStatus.ALREADY_PAID, 500_00)]
    assert again.lines[0].payment_id == runs[1].lines[0].payment_id
    assert world.balance() == 10_000_00 - 3 * 500_00  # ¥8,500.00: February paid once
    february = world.ledger.payment(SYSTEM, month_payment_id(schedule, "2026-02"))
    assert isinstance(february, Payment)
    assert (february.schedule_id, february.schedule_month, february.amount_fen) == (
        schedule, "2026-02", 500_00,
    )  # fmt: skip
    one = world.ledger.pay_schedule_month(ADMIN, schedule, "2026-03", date(2026, 3, 20))
    assert isinstance(one.result, MonthAlreadyPaid) and one.position is None  # nothing written
    assert world.run("2026-04", date(2026, 4, 15)).lines == []  # after the end: not due
    with pytest.raises(ScheduleMonthNotDueError):
        world.ledger.pay_schedule_month(ADMIN, schedule, "2025-12", date(2026, 3, 20))
    row = listing(world.views.schedules, str(world.city), "2026-02")[0]
    assert (row["months_paid"], row["paid"], row["month_paid"]) == (3, "1500.00", True)
    world.views.projector.rebuild("schedules")  # built batch by batch above, now at once
    assert listing(world.views.schedules, str(world.city), "2026-02") == [row]


def test_a_run_after_the_case_closes_pays_nothing_and_stops_the_schedule(world: World) -> None:
    schedule = world.schedule("2026-01", 6)
    world.run("2026-01", date(2026, 1, 15))
    world.ledger.close_case(ADMIN, world.case, ClosureReason.RETIRED, "", date(2026, 2, 10))

    stopped = world.run("2026-02", date(2026, 2, 15))
    later = world.run("2026-03", date(2026, 3, 15))
    direct = world.ledger.pay_schedule_month(ADMIN, schedule, "2026-03", date(2026, 3, 15))

    assert statuses(stopped) == [(MonthStatus.STOPPED, 0)]
    assert "retired" in stopped.lines[0].reason
    assert later.lines == []  # a stopped schedule is not due
    assert isinstance(direct.result, ScheduleStopped) and direct.position is None
    record = world.ledger.schedule(SYSTEM, schedule)
    assert (record.is_active, record.stopped_on, list(record.paid)) == (
        False, date(2026, 2, 15), ["2026-01"],
    )  # fmt: skip
    assert world.balance() == 10_000_00 - 500_00


def test_scheduled_months_are_not_suspicious_repeats_but_a_manual_duplicate_is(
    world: World,
) -> None:
    schedule = world.schedule("2026-01", 3)
    for month, day in (("2026-01", 15), ("2026-02", 10), ("2026-03", 10)):  # 26 and 28 days apart
        world.run(month, date(2026, int(month[5:]), day))
    manual = world.ledger.pay(
        ADMIN, world.fund, world.case, LIVING, 300_00, "临时加发", date(2026, 3, 20)
    ).result.id
    world.views.projector.run_once()

    by_view = suspicious(world.views.suspicious, Standards()).items
    recomputed = compliance.suspicious(list(from_ledger(world.ledger)))

    march = str(month_payment_id(schedule, "2026-03"))
    repeats = [f["payment_ids"] for f in recomputed if f["rule"] == "repeat_within_window"]
    assert repeats == [[march, str(manual)]]  # 10 days apart, within the 30-day window
    assert [f for f in by_view if f["rule"] == "repeat_within_window"] == [
        f for f in recomputed if f["rule"] == "repeat_within_window"
    ]
