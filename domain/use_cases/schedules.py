"""Recurring subsidies (定期生活补助): set up a household's schedule, pay one of its months, run
a month for many schedules, stop one; read one. Finance staff who may record money at the
schedule's fund do all of it (domain/schedules.py has the rules)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from uuid import UUID, uuid4

from domain.access import Actor, Permission
from domain.cases import Case
from domain.errors import BangfuError, CaseNotFoundError, ScheduleNotFoundError
from domain.incomes import month_start
from domain.payments import PaymentLinks
from domain.policy_parameters import Parameter
from domain.results import Created
from domain.schedules import MonthStatus, Schedule, month_payment_id, schedule_month, set_schedule
from domain.use_cases.money import MoneyUseCases
from domain.use_cases.policy import PolicyUseCases
from domain.vocabulary import AssistanceType
from domain.writes import Change, Context, Outcome


@dataclass(frozen=True)
class MonthPaid(Created):
    """The month was paid now: ``id`` is its payment's."""


@dataclass(frozen=True)
class MonthAlreadyPaid(Created):
    """The month was paid before (nothing written): ``id`` is that payment's."""


@dataclass(frozen=True)
class ScheduleStopped(Created):
    """The schedule stopped (now, on finding its case closed; or before): ``id`` is its own."""


@dataclass(frozen=True)
class MonthRun:
    """What a run did with one schedule: its status, the payment and amount, or why not."""

    schedule_id: UUID
    status: MonthStatus
    payment_id: UUID | None = None
    amount_fen: int = 0
    reason: str = ""


@dataclass(frozen=True)
class ScheduleRun:
    """A month run over many schedules, each line in the order asked."""

    month: str
    lines: list[MonthRun] = field(default_factory=list)

    def count(self, status: MonthStatus) -> int:
        return sum(1 for line in self.lines if line.status is status)

    @property
    def paid_fen(self) -> int:
        return sum(line.amount_fen for line in self.lines if line.status is MonthStatus.PAID)


class ScheduleUseCases(MoneyUseCases, PolicyUseCases):
    """Recurring subsidies, each write one atomic save of what it touches."""

    def set_schedule(
        self,
        ctx: Context,
        case_id: UUID,
        fund_id: UUID,
        start_month: str,
        months: int,
        kind: AssistanceType = AssistanceType.LIVING_RELIEF,
        amount_fen: int | None = None,
        reason: str = "",
        business_date: date | None = None,
    ) -> Outcome[Created]:
        """A schedule for a case in the fund's tree: the standard in force for its category
        in the first month (living relief), or ``amount_fen`` with the reason; its id."""
        day, start, schedule_id = self._day(business_date), schedule_month(start_month), uuid4()

        def change() -> Change[Created]:
            fund = self.fund(ctx.actor, fund_id, Permission.RECORD_MONEY)
            case = self._case_in_tree(fund, case_id)
            standard = None
            if kind is AssistanceType.LIVING_RELIEF:
                standard = self.policy_value(
                    case.centre_id, Parameter.LIVING_SUBSIDY_MONTHLY, case.category,
                    month_start(start),
                )  # fmt: skip
            schedule = set_schedule(
                schedule_id, case, fund, kind, start, months, standard, amount_fen, reason,
                ctx.actor.name, day,
            )  # fmt: skip
            # its months are paid by no checker: one person sets up no more than they may pay
            self._require_no_checker(case, schedule.amount_fen, day)
            return Change(Created(schedule.id), [schedule])

        return self._write(ctx, change, fund_id, case_id)

    def pay_schedule_month(
        self, ctx: Context, schedule_id: UUID, month: str, business_date: date | None = None
    ) -> Outcome[Created]:
        """Pay the schedule's month on the business date (today if none), once: answers
        MonthPaid (the payment's id), MonthAlreadyPaid (that payment's, nothing written) or
        ScheduleStopped (its case closed: the stop is recorded now; or it stopped before)."""
        day, month = self._day(business_date), schedule_month(month)
        return self._pay_month(ctx, schedule_id, month, day, self._find(Schedule, schedule_id))

    def _pay_month(
        self, ctx: Context, schedule_id: UUID, month: str, day: date, found: Schedule | None
    ) -> Outcome[Created]:
        """Pay the month (see ``pay_schedule_month``); ``found``: the schedule as read before,
        whose fund and case are loaded ahead."""
        touches = (found.fund_id, found.case_id) if found else ()

        def change() -> Change[Created]:
            schedule = self._schedule_to_change(ctx, schedule_id)
            if month in schedule.paid:
                return Change(MonthAlreadyPaid(schedule.paid[month]))
            if not schedule.is_active:
                return Change(ScheduleStopped(schedule.id))
            schedule.require_due(month)
            case = self._get(Case, schedule.case_id, CaseNotFoundError)
            if not case.is_open:
                schedule.stop(
                    f"档案已结档 the case was closed ({case.closure_reason})",
                    ctx.actor.name, day, closure=case.closure_reason,
                )  # fmt: skip
                return Change(ScheduleStopped(schedule.id), [schedule])
            payment_id = month_payment_id(schedule.id, month)
            paid = self._payment(
                ctx,
                self.fund(ctx.actor, schedule.fund_id, Permission.RECORD_MONEY),
                schedule.case_id,
                schedule.kind,
                schedule.amount_fen,
                f"定期{schedule.kind.zh} {month}",
                day,
                payment_id=payment_id,
                links=PaymentLinks(schedule_id=schedule.id, schedule_month=month),
            )
            schedule.record_paid(month, payment_id, ctx.actor.name, day)
            return Change(MonthPaid(payment_id), [*paid.aggregates, schedule])

        return self._write(ctx, change, schedule_id, *touches)

    def run_schedules(
        self,
        ctx: Context,
        schedule_ids: Iterable[UUID],
        month: str,
        business_date: date | None = None,
    ) -> ScheduleRun:
        """Pay the month of each schedule, each on its own (one refused does not stop the
        others); running it again pays nothing twice. An Idempotency-Key is not used: each
        month's payment is idempotent by itself."""
        day, month = self._day(business_date), schedule_month(month)
        alone = Context(ctx.actor)
        run = ScheduleRun(month)
        for schedule_id in schedule_ids:
            found = self._find(Schedule, schedule_id)
            try:
                done = self._pay_month(alone, schedule_id, month, day, found).result
            except BangfuError as refusal:
                run.lines.append(MonthRun(schedule_id, MonthStatus.REFUSED, reason=refusal.detail))
                continue
            found = found or self._get(Schedule, schedule_id, ScheduleNotFoundError)
            if isinstance(done, ScheduleStopped):
                why = found.stop_reason or self.schedule(ctx.actor, schedule_id).stop_reason
                run.lines.append(MonthRun(schedule_id, MonthStatus.STOPPED, reason=why))
            else:
                paid = MonthStatus.PAID if isinstance(done, MonthPaid) else MonthStatus.ALREADY_PAID
                run.lines.append(MonthRun(schedule_id, paid, done.id, found.amount_fen))
        return run

    def stop_schedule(
        self, ctx: Context, schedule_id: UUID, reason: str, business_date: date | None = None
    ) -> Outcome[Created]:
        """Stop a schedule by hand, with the reason; answers its id."""
        day = self._day(business_date)

        def change() -> Change[Created]:
            schedule = self._schedule_to_change(ctx, schedule_id)
            schedule.stop(reason, ctx.actor.name, day)
            return Change(Created(schedule.id), [schedule])

        return self._write(ctx, change, schedule_id)

    # --- reads -----------------------------------------------------------------------------------
    def schedule(self, actor: Actor, schedule_id: UUID) -> Schedule:
        """The schedule, once the actor may read at its case's centre."""
        schedule = self._get(Schedule, schedule_id, ScheduleNotFoundError)
        actor.require(Permission.READ, schedule.centre_path)
        return schedule

    def _schedule_to_change(self, ctx: Context, schedule_id: UUID) -> Schedule:
        """The schedule, once the user may record money at its fund's centre."""
        schedule = self._get(Schedule, schedule_id, ScheduleNotFoundError)
        self.fund(ctx.actor, schedule.fund_id, Permission.RECORD_MONEY)
        return schedule
