"""Recurring subsidies (定期生活补助): a household paid the same amount every month from one fund.

A schedule belongs to one case and draws on one fund earmarked for its assistance type (living
relief, 生活救助, unless told). Its monthly amount is the standard in force for the household's
category in the first month (policy ``living_subsidy_monthly``), or another amount with the
reason. It runs ``months`` months from ``start_month``; a month before the month the case was
filed, before the start or after the end is not due.

Each month is paid once: the month's payment has an id that follows from the schedule and the
month (``month_payment_id``), and the schedule records the month paid in the same save, so a
second run of the month finds it paid and writes nothing. A schedule stops when its case closes
(the run that finds the case closed records why) or by hand; a stopped schedule pays no more.
"""

from __future__ import annotations

import re
from datetime import date
from enum import StrEnum
from typing import TYPE_CHECKING, ClassVar
from uuid import UUID, uuid5

from eventsourcing.domain import event

from domain.aggregate import Act, LedgerAggregate
from domain.errors import (
    CaseClosedError,
    InvalidScheduleError,
    PurposeNotAllowedError,
    ScheduleMonthNotDueError,
    ScheduleStoppedError,
)
from domain.incomes import add_months, month_of, month_start
from domain.money import require_positive
from domain.text import checked
from domain.vocabulary import AssistanceType

if TYPE_CHECKING:
    from domain.cases import Case
    from domain.funds import Fund

MAX_MONTHS = 60  # five years of months: a bound on one aggregate's length
_MONTH = re.compile(r"([0-9]{4})-(0[1-9]|1[0-2])")


def schedule_month(text: str) -> str:
    """A month written YYYY-MM, from 1949 to 2200 (InvalidScheduleError otherwise)."""
    found = _MONTH.fullmatch(text) if isinstance(text, str) else None
    if found is None or not 1949 <= int(found.group(1)) <= 2200:
        raise InvalidScheduleError(f"{str(text)[:20]!r} is not a month written YYYY-MM")
    return text


def month_payment_id(schedule_id: UUID, month: str) -> UUID:
    """The id of the payment of a schedule's month: the same on every run of that month."""
    return uuid5(schedule_id, f"month {month}")


def later_month(month: str, months: int) -> str:
    """The month ``months`` after ``month`` (before it, when negative)."""
    return month_of(add_months(month_start(month), months))


def span(start_month: str, months: int, filed_on: date) -> tuple[str, str]:
    """The first and last month due: from the start, or the month the case was filed if that
    is later, to the start's ``months``-th month."""
    return max(start_month, month_of(filed_on)), later_month(start_month, months - 1)


class MonthStatus(StrEnum):
    """What a run did with one schedule's month, with its Chinese label (``.zh``)."""

    PAID = "paid"
    ALREADY_PAID = "already_paid"
    STOPPED = "stopped"
    REFUSED = "refused"

    @property
    def zh(self) -> str:
        return {"paid": "已发放", "already_paid": "此前已发放", "stopped": "已停发"}.get(
            self.value, "未能发放"
        )


class Schedule(LedgerAggregate):
    """A household's recurring subsidy: the months it pays, those paid, and whether it stopped."""

    class MonthPaid(Act):
        """月度发放: the month's payment was made (the payment names the schedule and month)."""

        month: str
        payment_id: UUID
        amount_fen: int

        def apply(self, schedule: Schedule) -> None:
            schedule.paid[self.month] = self.payment_id

    class Stopped(Act):
        """停发: the schedule pays no more; ``closure`` is the case's closure reason when the
        case's closing stopped it (None: stopped by hand)."""

        reason: str
        closure: str | None

        def apply(self, schedule: Schedule) -> None:
            schedule.stopped_on, schedule.stop_reason = self.business_date, self.reason

    Set: ClassVar[type[LedgerAggregate.Event]]  # made by @event on __init__ below

    @event("Set")
    def __init__(
        self,
        id: UUID,
        case_id: UUID,
        fund_id: UUID,
        centre_id: UUID,
        centre_path: list[UUID],
        assistance_type: str,
        amount_fen: int,
        standard_fen: int | None,
        reason: str,
        start_month: str,
        months: int,
        filed_on: date,
        actor: str,
        business_date: date,
    ) -> None:
        self.case_id, self.fund_id = case_id, fund_id
        self.centre_id, self.centre_path = centre_id, list(centre_path)
        self.assistance_type = assistance_type
        self.amount_fen, self.standard_fen, self.reason = amount_fen, standard_fen, reason
        self.start_month, self.months, self.filed_on = start_month, months, filed_on
        self.set_on = business_date
        self.paid: dict[str, UUID] = {}  # month -> its payment
        self.stopped_on: date | None = None
        self.stop_reason = ""

    @property
    def end_month(self) -> str:
        return span(self.start_month, self.months, self.filed_on)[1]

    @property
    def first_due_month(self) -> str:
        """The start, or the month the case was filed if that is later."""
        return span(self.start_month, self.months, self.filed_on)[0]

    @property
    def is_active(self) -> bool:
        return self.stopped_on is None

    @property
    def kind(self) -> AssistanceType:
        return AssistanceType(self.assistance_type)

    def require_due(self, month: str) -> None:
        """Refuse a month outside the schedule, or before the case's filing."""
        if not self.first_due_month <= month <= self.end_month:
            raise ScheduleMonthNotDueError(
                f"{month} is not due on schedule {self.id}: it pays {self.first_due_month} to "
                f"{self.end_month} (from its start {self.start_month}, not before the case was "
                f"filed on {self.filed_on.isoformat()}) (该月不在发放期内)"
            )

    # --- commands ----------------------------------------------------------------------------
    def record_paid(self, month: str, payment_id: UUID, actor: str, business_date: date) -> None:
        """Note the month's payment, once, on a due month of an active schedule."""
        self._require_active("pay")
        self.require_due(month)
        if month in self.paid:
            raise ScheduleMonthNotDueError(f"{month} of schedule {self.id} was paid already")
        fields = {"month": month, "payment_id": payment_id, "amount_fen": self.amount_fen}
        self._trigger(self.MonthPaid, actor, business_date, **fields)

    def stop(
        self, reason: str, actor: str, business_date: date, closure: str | None = None
    ) -> None:
        """Stop the schedule, with the reason (and the case's closure reason when its case
        closed); it pays no more."""
        self._require_active("be stopped again")
        reason = checked(reason, "the reason for stopping", required=True)
        self._trigger(self.Stopped, actor, business_date, reason=reason, closure=closure)

    def _require_active(self, doing: str) -> None:
        if self.stopped_on is not None:
            raise ScheduleStoppedError(
                f"schedule {self.id} was stopped on {self.stopped_on.isoformat()} "
                f"({self.stop_reason}); it cannot {doing} (已停发)"
            )


def set_schedule(
    schedule_id: UUID,
    case: Case,
    fund: Fund,
    kind: AssistanceType,
    start_month: str,
    months: int,
    standard_fen: int | None,
    amount_fen: int | None,
    reason: str,
    actor: str,
    business_date: date,
) -> Schedule:
    """Set up a schedule for an open case from a fund earmarked for ``kind``: the standard
    (``standard_fen``, None or 0 where none is in force) unless another amount is given with
    its reason; some month of it must fall on or after the month the case was filed."""
    if not case.is_open:
        raise CaseClosedError(f"case {case.id} was closed ({case.closure_reason}); no schedule")
    if kind not in fund.purposes:
        raise PurposeNotAllowedError(
            f"fund {fund.name!r} is not earmarked for {kind.value} ({kind.zh}); a schedule draws "
            "on a fund that may pay its assistance type"
        )
    start_month = schedule_month(start_month)
    if isinstance(months, bool) or not isinstance(months, int) or not 1 <= months <= MAX_MONTHS:
        raise InvalidScheduleError(f"a schedule runs 1 to {MAX_MONTHS} months, not {months}")
    reason = checked(reason, "the reason for the amount")
    standard = standard_fen or None
    if amount_fen is None:
        if standard is None:
            raise InvalidScheduleError(
                f"no standard for {kind.value} of a {case.category} household is in force: "
                "give the monthly amount and the reason (无标准，须填写金额及理由)"
            )
        amount_fen = standard
    require_positive(amount_fen)
    if amount_fen != standard and not reason:
        raise InvalidScheduleError(
            "a monthly amount other than the standard in force needs its reason "
            "(金额不同于标准，须说明理由)"
        )
    first, last = span(start_month, months, case.filed_on)
    if business_date < case.filed_on or last < first:
        raise InvalidScheduleError(
            f"case {case.id} was filed on {case.filed_on.isoformat()}: a schedule is set up on "
            "or after that day and pays some month from then on (不得早于建档)"
        )
    return Schedule(
        id=schedule_id,
        case_id=case.id,
        fund_id=fund.id,
        centre_id=case.centre_id,
        centre_path=case.centre_path,
        assistance_type=kind.value,
        amount_fen=amount_fen,
        standard_fen=standard,
        reason=reason,
        start_month=start_month,
        months=months,
        filed_on=case.filed_on,
        actor=actor,
        business_date=business_date,
    )
