"""Recurring subsidies (定期生活补助): set up a household's schedule, pay one month, run a month
for a centre's subtree, stop a schedule; one schedule; the subtree's schedules."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any
from uuid import UUID

from fastapi import APIRouter, Query
from pydantic import BaseModel, Field, StrictInt

from api.deps import ActorDep, ContextDep, LedgerDep, ReaderDep, SubtreeDep
from api.exports import page
from api.responses.base import DayText, UuidText, Yuan
from api.routers import CREATED
from api.schemas import Amount, Body, Created, Line, Name
from domain.access import Permission
from domain.application import Outcome
from domain.money import yuan
from domain.schedules import MonthStatus, Schedule
from domain.use_cases.schedules import MonthAlreadyPaid, MonthPaid, MonthRun
from domain.vocabulary import AssistanceType
from projections import schedules

router = APIRouter(tags=["schedules 定期生活补助"])
MONTH = r"^[0-9]{4}-(0[1-9]|1[0-2])$"
Month = Annotated[str, Field(pattern=MONTH, examples=["2026-12"])]


class ScheduleIn(Body):
    """A household's recurring subsidy: the standard in force for its category (living
    relief), unless ``amount`` is given with the ``reason``."""

    case_id: UUID
    fund_id: UUID = Field(description="a fund at or above the case's centre, earmarked for it")
    start_month: Month
    months: StrictInt = Field(ge=1, le=60, description="how many months, from the start")
    assistance_type: AssistanceType = AssistanceType.LIVING_RELIEF
    amount: Amount | None = Field(
        default=None, description="yuan a month (the standard if left out)"
    )
    reason: Line = Field(default="", description="why the amount differs from the standard")
    business_date: date | None = Field(default=None, description="today if left out")


class MonthIn(Body):
    """The month to pay, and the day the money goes out (today if left out)."""

    month: Month
    business_date: date | None = None


class RunIn(MonthIn):
    """A month's run over the active schedules of a centre's subtree due that month."""

    centre_id: UUID


class StopIn(Body):
    reason: Name
    business_date: date | None = None


class ScheduleOut(BaseModel):
    id: UUID
    case_id: UUID
    fund_id: UUID
    centre_id: UUID
    assistance_type: AssistanceType
    assistance_type_zh: str
    monthly: Yuan
    standard: Yuan | None = Field(description="the standard in force when it was set up")
    reason: str
    start_month: str
    end_month: str
    first_due_month: str = Field(description="the start, or the month the case was filed")
    months: int
    set_on: date
    months_paid: dict[str, UUID] = Field(description="each month paid, with its payment")
    active: bool
    stopped_on: date | None
    stop_reason: str


class MonthOut(BaseModel):
    """What became of one schedule's month: paid now, paid before, stopped, or refused."""

    schedule_id: UUID
    status: MonthStatus
    status_zh: str
    payment_id: UUID | None = None
    amount: Yuan | None = None
    reason: str = ""
    position: int | None = None


class RunOut(BaseModel):
    month: str
    centre_id: UUID
    counts: dict[str, int] = Field(description="schedules by status")
    paid: Yuan = Field(description="the amount paid by this run")
    lines: list[MonthOut]


class ScheduleRow(BaseModel):
    id: UuidText
    case_id: UuidText
    centre_id: UuidText
    fund_id: UuidText
    assistance_type: str
    assistance_type_zh: str
    monthly: Yuan
    start_month: str
    end_month: str
    first_due_month: str
    months: int
    months_paid: int
    paid: Yuan
    last_paid_month: str | None
    active: bool
    stopped_on: DayText | None
    stop_reason: str
    month_paid: bool | None = Field(description="whether the month asked about was paid")


class SchedulePage(BaseModel):
    items: list[ScheduleRow]
    next: UuidText | None = Field(description="pass as `after` for the next page; null at the end")


@router.post("/schedules", **CREATED)
def set_schedule(body: ScheduleIn, ctx: ContextDep, ledger: LedgerDep) -> Created:
    """Set up a household's recurring subsidy (finance staff of the fund's centre)."""
    outcome = ledger.set_schedule(
        ctx, body.case_id, body.fund_id, body.start_month, body.months, body.assistance_type,
        body.amount, body.reason, body.business_date,
    )  # fmt: skip
    return Created.of(outcome)


@router.post("/schedules/{schedule_id:uuid}/payments", status_code=201, response_model=MonthOut)
def pay_month(schedule_id: UUID, body: MonthIn, ctx: ContextDep, ledger: LedgerDep) -> MonthOut:
    """Pay one month of the schedule, once: a month paid before answers `already_paid` and
    writes nothing; a schedule whose case closed answers `stopped` (and records the stop)."""
    outcome = ledger.pay_schedule_month(ctx, schedule_id, body.month, body.business_date)
    return month_out(schedule_id, outcome, ledger.schedule(ctx.actor, schedule_id))


@router.post("/schedules/{schedule_id:uuid}/stop", **CREATED)
def stop(schedule_id: UUID, body: StopIn, ctx: ContextDep, ledger: LedgerDep) -> Created:
    """Stop a schedule by hand, with the reason: it pays no more."""
    return Created.of(ledger.stop_schedule(ctx, schedule_id, body.reason, body.business_date))


@router.post("/schedules/runs", status_code=201, response_model=RunOut)
def run(body: RunIn, ctx: ContextDep, read: ReaderDep) -> RunOut:
    """Pay a month of every active schedule of the centre's subtree due that month, each on
    its own: running it twice pays once (each month's payment has one id)."""
    centre = read.ledger.centre(ctx.actor, body.centre_id)
    ctx.actor.require(Permission.RECORD_MONEY, centre.path)
    view = read.caught_up_to_head("schedules").schedules
    ids = [UUID(s) for s in schedules.due(view, str(centre.id), body.month)]
    done = read.ledger.run_schedules(ctx, ids, body.month, body.business_date)
    lines = [line_out(line) for line in done.lines]
    return RunOut(
        month=done.month,
        centre_id=centre.id,
        counts={s.value: done.count(s) for s in MonthStatus},
        paid=yuan(done.paid_fen),
        lines=lines,
    )


@router.get("/schedules/{schedule_id:uuid}", response_model=ScheduleOut)
def get_schedule(schedule_id: UUID, actor: ActorDep, ledger: LedgerDep) -> ScheduleOut:
    """One schedule as recorded, with the months it has paid."""
    s = ledger.schedule(actor, schedule_id)
    return ScheduleOut(
        id=s.id,
        case_id=s.case_id,
        fund_id=s.fund_id,
        centre_id=s.centre_id,
        assistance_type=s.kind,
        assistance_type_zh=s.kind.zh,
        monthly=yuan(s.amount_fen),
        standard=None if s.standard_fen is None else yuan(s.standard_fen),
        reason=s.reason,
        start_month=s.start_month,
        end_month=s.end_month,
        first_due_month=s.first_due_month,
        months=s.months,
        set_on=s.set_on,
        months_paid=dict(sorted(s.paid.items())),
        active=s.is_active,
        stopped_on=s.stopped_on,
        stop_reason=s.stop_reason,
    )


@router.get("/schedules", response_model=SchedulePage)
def list_schedules(
    read: ReaderDep,
    scope: SubtreeDep,
    month: Annotated[
        str | None, Query(pattern=MONTH, description="only those whose span holds this month")
    ] = None,
    limit: Annotated[int, Query(ge=1, le=1000)] = 50,
    after: UUID | None = None,
) -> Any:
    """The subtree's schedules in the order they were set up, with what each has paid."""
    view = read.caught_up("schedules").schedules
    rows = schedules.listing(view, scope, month, limit, str(after) if after else None)
    return page(rows, limit, "id")


def month_out(schedule_id: UUID, outcome: Outcome[Any], schedule: Schedule) -> MonthOut:
    done = outcome.result
    if isinstance(done, MonthPaid | MonthAlreadyPaid):
        paid = MonthStatus.PAID if isinstance(done, MonthPaid) else MonthStatus.ALREADY_PAID
        line = MonthRun(schedule_id, paid, done.id, schedule.amount_fen)
    elif outcome.replayed and done.id != schedule_id:  # a repeated request: what it paid
        line = MonthRun(schedule_id, MonthStatus.ALREADY_PAID, done.id, schedule.amount_fen)
    else:
        line = MonthRun(schedule_id, MonthStatus.STOPPED, reason=schedule.stop_reason)
    return line_out(line).model_copy(update={"position": outcome.position})


def line_out(line: MonthRun) -> MonthOut:
    return MonthOut(
        schedule_id=line.schedule_id,
        status=line.status,
        status_zh=line.status.zh,
        payment_id=line.payment_id,
        amount=yuan(line.amount_fen) if line.payment_id else None,
        reason=line.reason,
    )
