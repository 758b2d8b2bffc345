"""Dynamic management (动态管理): a household's monthly income records and their corrections,
reviews (复核) whose category is computed from the incomes against the 低保 line in force, the
reviews due, and the exit candidates (脱困)."""

from __future__ import annotations

from typing import Annotated, Any
from uuid import UUID

from fastapi import APIRouter, Query

from api.columns import EXIT_CANDIDATES, OVERRIDES, REVIEW_DUE
from api.deps import ActorDep, ContextDep, DateFrom, DateTo, Day, LedgerDep, ReaderDep, SubtreeDep
from api.exports import Format, Lang, tabular
from api.responses.reviews import (
    ExitCandidatesOut,
    IncomeBookOut,
    IncomeRecordOut,
    MemberIncomeOut,
    ReviewDueOut,
    ReviewOverridesOut,
)
from api.routers import CREATED, listing
from api.schemas import Created, IncomeRecordIn, IncomesIn, ReviewIn
from domain.categorisation import above_line
from domain.errors import InvalidInputError
from domain.incomes import IncomeRecord, Incomes, Member, month_start
from domain.money import yuan
from domain.policy import PolicyBook
from domain.policy_parameters import Parameter
from domain.use_cases.review import Review
from projections import dynamics_lists, dynamics_statistics

router = APIRouter(tags=["dynamic management 动态管理"])


def incomes(body: IncomesIn) -> Incomes:
    members = tuple(Member(m.relation, m.income, m.employed) for m in body.members)
    return Incomes(body.household_size, body.household_income, body.hardship_costs, members)


@router.post("/cases/{case_id:uuid}/incomes", **CREATED)
def record_income(
    case_id: UUID, body: IncomeRecordIn, ctx: ContextDep, ledger: LedgerDep
) -> Created:
    """Record a household's incomes for a month (caseworker), once a month; a change is a
    correction that names the record it corrects (``corrects``). Answers the record's id."""
    outcome = ledger.record_income(
        ctx, case_id, body.month, incomes(body), body.note, body.business_date, body.corrects
    )
    return Created.of(outcome)


@router.get("/cases/{case_id:uuid}/incomes", response_model=IncomeBookOut)
def income_records(case_id: UUID, actor: ActorDep, ledger: LedgerDep) -> IncomeBookOut:
    """The household's monthly incomes: each month's record in force, judged against the
    line in force that month, and the records corrected since."""
    case, book = ledger.income_records(actor, case_id)
    policy = ledger.policy_book(case.centre_path)
    path = [str(c) for c in case.centre_path]
    held = book.in_force() if book else []
    corrected = [book.records[r] for r in sorted(book.replaced, key=str)] if book else []
    return IncomeBookOut(
        case_id=case.id,
        records=[_record(r, policy, path) for r in held],
        corrected=[_record(r, policy, path) for r in corrected],
    )


def _record(r: IncomeRecord, policy: PolicyBook, path: list[str]) -> IncomeRecordOut:
    line = policy.value(Parameter.DIBAO_LINE, None, path, month_start(r.month))
    figures = r.figures
    return IncomeRecordOut(
        id=r.record_id,
        month=r.month,
        household_size=figures.household_size,
        household_income=yuan(figures.income_fen),
        per_capita_income=yuan(figures.per_capita_fen),
        hardship_costs=yuan(figures.hardship_costs_fen),
        line=None if line is None else yuan(line),
        above_line=line is not None and above_line(figures, line),
        members=[
            MemberIncomeOut(relation=m.relation, income=yuan(m.income_fen), employed=m.employed)
            for m in r.members
        ],
        note=r.note,
        recorded_by=r.actor,
        recorded_on=r.recorded_on,
        corrects=r.corrects,
    )


@router.post("/cases/{case_id:uuid}/reviews", **CREATED)
def review(case_id: UUID, body: ReviewIn, ctx: ContextDep, ledger: LedgerDep) -> Created:
    """Review an open archive (复核, caseworker): its category is computed from the incomes
    against the 低保 line in force at its centre on the review's day; recording another
    category (``category``) needs ``override_reason``, and supervisors see it. Answers the
    review's id."""
    found = Review(
        incomes(body),
        body.primary_cause,
        None if body.secondary_causes is None else tuple(body.secondary_causes),
        None if body.flags is None else tuple(body.flags),
        body.category,
        body.override_reason,
        body.note,
    )
    return Created.of(ledger.review_case(ctx, case_id, found, body.business_date))


AsOf = Annotated[Day | None, Query(description="the day the list is for (today if left out)")]


@router.get("/cases/review-due", **listing(ReviewDueOut, "The reviews due and overdue"))
def review_due(
    read: ReaderDep,
    scope: SubtreeDep,
    as_of: AsOf = None,
    within_days: Annotated[int, Query(ge=0, le=366, description="due this soon")] = 30,
    format: Format = "json",
    lang: Lang = "en",
) -> Any:
    """The subtree's active archives whose review (at least once per the interval in force at
    their centre, 12 months unless set) is overdue or falls due within ``within_days``; the
    most overdue first."""
    day = as_of or read.ledger.today()
    view = read.caught_up("dynamics").dynamics
    rows = dynamics_lists.review_due(view, scope, day, within_days)
    if format != "json":
        return tabular(rows, REVIEW_DUE, format, lang, f"review-due-{day}")
    overdue = sum(1 for r in rows if r["state"] == "overdue")
    counts = {"overdue": overdue, "due": len(rows) - overdue}
    return {"centre_id": scope, "as_of": day, "within_days": within_days, "items": rows} | counts


@router.get(
    "/cases/exit-candidates", **listing(ExitCandidatesOut, "The households ready to exit (脱困)")
)
def exit_candidates(
    read: ReaderDep,
    scope: SubtreeDep,
    as_of: AsOf = None,
    format: Format = "json",
    lang: Lang = "en",
) -> Any:
    """The subtree's active archives whose per-capita income was above the 低保 line in force
    (each month's, at their centre) in the consecutive months up to their latest record, for
    at least the months an exit asks for (6 unless set); with those months."""
    day = as_of or read.ledger.today()
    rows = dynamics_lists.exit_candidates(read.caught_up("dynamics").dynamics, scope, day)
    if format != "json":
        return tabular(rows, EXIT_CANDIDATES, format, lang, f"exit-candidates-{day}")
    return {"centre_id": scope, "as_of": day, "items": rows}


@router.get(
    "/cases/review-overrides",
    **listing(ReviewOverridesOut, "The reviews whose category was overridden"),
)
def review_overrides(
    read: ReaderDep,
    scope: SubtreeDep,
    date_from: DateFrom = None,
    date_to: DateTo = None,
    format: Format = "json",
    lang: Lang = "en",
) -> Any:
    """The subtree's reviews in the period that recorded another category than their figures
    gave against the line in force (an override), with who recorded it and why: for
    supervisors."""
    end = date_to or read.ledger.today()
    if date_from and date_from > end:
        raise InvalidInputError(f"the period from {date_from} to {end} is empty")
    view = read.caught_up("dynamics").dynamics
    rows = dynamics_statistics.overrides(view, scope, date_from, end)
    if format != "json":
        return tabular(rows, OVERRIDES, format, lang, f"review-overrides-{end}")
    return {"centre_id": scope, "date_from": date_from, "date_to": end, "items": rows}
