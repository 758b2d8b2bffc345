"""Filing (建档): 申请 → 审核 → 入户核查 → 收入核对 → 公示 → 建档, or a rejection at any step;
one application; the subtree's applications with their deadlines (the overdue list); the
filings whose category was overridden."""

from __future__ import annotations

from typing import Annotated, Any
from uuid import UUID

from fastapi import APIRouter, Query

from api.deps import ActorDep, ContextDep, Day, LedgerDep, ReaderDep, SubtreeDep
from api.exports import Column, Format, Lang, page, tabular
from api.filing_schemas import (
    ApplicationIn,
    FilingIn,
    HandlingIn,
    HomeVisitIn,
    IncomeCheckIn,
    NoticeIn,
    ObjectionIn,
    RejectionIn,
    ReviewIn,
    amounts,
    household_of,
)
from api.responses.filing import (
    AmountOut,
    ApplicationOut,
    ApplicationPage,
    FilingOut,
    NoticeOut,
    ObjectionOut,
    OverridePage,
    RejectionOut,
    StepOut,
)
from api.responses.records import PersonOut
from api.routers import CREATED, listing
from api.schemas import Created
from domain.access import Actor
from domain.application import Ledger
from domain.applications import Application
from domain.filing_rules import filed_case_id
from domain.money import yuan
from domain.policy_parameters import FilingStep
from domain.vocabulary import ApplicationStage, Category, Cause, HouseholdFlag
from projections import filing

router = APIRouter(prefix="/applications", tags=["filing 建档申请"])
ONE = "/{application_id:uuid}"

APPLICATIONS = [
    Column("id", "application id", "申请编号"),
    Column("stage", "stage", "办理环节"),
    Column("stage_zh", "stage (zh)", "办理环节名称"),
    Column("received_on", "received on", "受理日期"),
    Column("first_receiver", "first receiver", "首问责任人"),
    Column("household_size", "household size", "家庭人口"),
    Column("waiting_for_zh", "waiting for", "待办环节"),
    Column("due_on", "due on", "办结时限"),
    Column("days_overdue", "days overdue", "超期天数"),
    Column("late_steps", "steps done late", "超时环节数"),
    Column("open_objections", "open objections", "未处理异议"),
    Column("case_id", "case id", "档案编号"),
    Column("centre_id", "centre id", "帮扶中心编号"),
]


@router.post("", **CREATED)
def receive(body: ApplicationIn, ctx: ContextDep, ledger: LedgerDep) -> Created:
    """申请: record a household's application (caseworker); the caller is its first receiver
    (首问责任人). Refused when a person of it is in an open archive or application."""
    outcome = ledger.receive_application(
        ctx, body.centre_id, household_of(body), body.note, body.business_date
    )
    return Created.of(outcome)


@router.post(ONE + "/review", **CREATED)
def review(application_id: UUID, body: ReviewIn, ctx: ContextDep, ledger: LedgerDep) -> Created:
    """审核: the papers were checked."""
    return Created.of(ledger.review_application(ctx, application_id, body.note, body.business_date))


@router.post(ONE + "/home-visit", **CREATED)
def home_visit(
    application_id: UUID, body: HomeVisitIn, ctx: ContextDep, ledger: LedgerDep
) -> Created:
    """入户核查: who visited, and what they found."""
    outcome = ledger.record_application_visit(
        ctx, application_id, body.visitors, body.findings, body.business_date
    )
    return Created.of(outcome)


@router.post(ONE + "/income-check", **CREATED)
def income_check(
    application_id: UUID, body: IncomeCheckIn, ctx: ContextDep, ledger: LedgerDep
) -> Created:
    """收入核对: the monthly incomes and hardship costs as checked."""
    incomes = None if body.incomes is None else amounts(body.incomes, "income")
    costs = None if body.hardship_costs is None else amounts(body.hardship_costs, "hardship cost")
    outcome = ledger.check_application_income(
        ctx, application_id, incomes, costs, body.note, body.business_date
    )
    return Created.of(outcome)


@router.post(ONE + "/notice", **CREATED)
def notice(application_id: UUID, body: NoticeIn, ctx: ContextDep, ledger: LedgerDep) -> Created:
    """公示 from its first day for at least the local policy's days."""
    outcome = ledger.post_application_notice(
        ctx, application_id, body.place, body.ends_on, body.business_date
    )
    return Created.of(outcome)


@router.post(ONE + "/objections", **CREATED)
def objection(
    application_id: UUID, body: ObjectionIn, ctx: ContextDep, ledger: LedgerDep
) -> Created:
    """An objection raised during the notice (异议); answers the objection's id."""
    return Created.of(ledger.raise_objection(ctx, application_id, body.note, body.business_date))


@router.post(ONE + "/objections/{objection_id:uuid}/handling", **CREATED)
def handling(
    application_id: UUID, objection_id: UUID, body: HandlingIn, ctx: ContextDep, ledger: LedgerDep
) -> Created:
    """How an objection was handled: upheld or dismissed, and why."""
    outcome = ledger.handle_objection(
        ctx, application_id, objection_id, body.upheld, body.note, body.business_date
    )
    return Created.of(outcome)


@router.post(ONE + "/filing", **CREATED)
def file(application_id: UUID, body: FilingIn, ctx: ContextDep, ledger: LedgerDep) -> Created:
    """建档 after the notice: the archive opens; answers its id. The category is computed from
    the per-capita income against the 低保 line in force at the centre on the filing day."""
    outcome = ledger.file_application(
        ctx, application_id, body.category, body.override_reason, body.business_date
    )
    return Created.of(outcome)


@router.post(ONE + "/rejection", **CREATED)
def reject(application_id: UUID, body: RejectionIn, ctx: ContextDep, ledger: LedgerDep) -> Created:
    """不予建档 at the step reached, with its reason."""
    return Created.of(
        ledger.reject_application(ctx, application_id, body.reason, body.business_date)
    )


@router.get(ONE, response_model=ApplicationOut)
def get_application(application_id: UUID, actor: ActorDep, ledger: LedgerDep) -> ApplicationOut:
    """One application as recorded; personal data only for roles that may read it (the read
    is recorded)."""
    application = ledger.application(actor, application_id)
    return application_out(ledger, actor, application)


@router.get("", **listing(ApplicationPage, "Applications for the archive"))
def list_applications(
    read: ReaderDep,
    scope: SubtreeDep,
    stage: ApplicationStage | None = None,
    overdue: Annotated[
        bool, Query(description="only open applications past their step's deadline")
    ] = False,
    as_of: Annotated[Day | None, Query(description="the day it is judged on (today)")] = None,
    limit: Annotated[int, Query(ge=1, le=1000)] = 50,
    after: UUID | None = None,
    format: Format = "json",
    lang: Lang = "en",
) -> Any:
    """The subtree's applications by id; with ``overdue`` the 限时办结 list: those whose step
    was due before the day, with the days past it."""
    day = as_of or read.ledger.today()
    f = filing.ApplicationFilter(scope, stage.value if stage else None, day if overdue else None)
    view = read.caught_up("filing").filing
    fetch = limit if format == "json" else 1_000_000
    rows = filing.applications(view, f, day, fetch, str(after) if after else None)
    if format != "json":
        return tabular(rows, APPLICATIONS, format, lang, f"applications-{day}")
    return {"as_of": day} | page(rows, limit, "id")


@router.get("/overrides", response_model=OverridePage)
def overrides(
    read: ReaderDep,
    scope: SubtreeDep,
    limit: Annotated[int, Query(ge=1, le=1000)] = 50,
    after: UUID | None = None,
) -> dict[str, Any]:
    """The subtree's filings under another category than the figures gave, with the reason
    (supervision)."""
    view = read.caught_up("filing").filing
    rows = filing.overrides(view, scope, limit, str(after) if after else None)
    return page(rows, limit, "id")


def application_out(ledger: Ledger, actor: Actor, a: Application) -> ApplicationOut:
    person, shown = None, "withheld"
    if ledger.may_read_personal_data(actor):
        key = filed_case_id(a.id)
        person = ledger.read_personal_data(actor, {key: a.person_sealed}, "view application")[key]
        shown = "shown" if person else "erased"
    waiting = filing.WAITS_FOR.get(a.stage.value)
    figures = a.figures
    return ApplicationOut(
        id=a.id,
        centre_id=a.centre_id,
        stage=a.stage,
        stage_zh=a.stage.zh,
        first_receiver=a.first_receiver,
        received_on=a.received_on,
        note=a.note,
        waiting_for=waiting,
        waiting_for_zh=FilingStep(waiting).zh if waiting else None,
        due_on=a.due_on,
        overdue=a.due_on is not None and a.due_on < ledger.today(),
        household_size=a.household_size,
        incomes=[AmountOut(label=i["label"], amount=yuan(i["amount_fen"])) for i in a.incomes],
        hardship_costs=[
            AmountOut(label=i["label"], amount=yuan(i["amount_fen"])) for i in a.hardship_costs
        ],
        monthly_income=yuan(figures.income_fen),
        per_capita_monthly_income=yuan(figures.per_capita_fen),
        primary_cause=Cause(a.primary_cause),
        secondary_causes=[Cause(c) for c in a.secondary_causes],
        flags=[HouseholdFlag(f) for f in a.flags],
        steps={ApplicationStage(s): StepOut(on=on, by=by) for s, (on, by) in a.done.items()},
        visitors=a.visitors,
        findings=a.findings,
        notice=NoticeOut(starts_on=a.notice[0], ends_on=a.notice[1], place=a.notice[2])
        if a.notice
        else None,
        objections=[
            ObjectionOut(
                id=o.objection_id, **{k: v for k, v in vars(o).items() if k != "objection_id"}
            )
            for o in a.objections
        ],
        filing=_filing(a),
        rejection=RejectionOut(
            rejected_on=a.rejection[0],
            at_stage=ApplicationStage(a.rejection[1]),
            reason=a.rejection[2],
        )
        if a.rejection
        else None,
        person=PersonOut(**person) if person else None,
        personal_data=shown,
        version=a.version,
    )


def _filing(a: Application) -> FilingOut | None:
    if a.case_id is None:
        return None
    f = a.filing
    step = a.done[ApplicationStage.FILED.value]
    category, computed = Category(f["category"]), Category(f["computed_category"])
    return FilingOut(
        case_id=a.case_id,
        filed_on=step[0],
        filed_by=step[1],
        category=category,
        category_zh=category.zh,
        computed_category=computed,
        computed_category_zh=computed.zh,
        line=yuan(f["line_fen"]),
        per_capita_monthly_income=yuan(f["per_capita_fen"]),
        overridden=category != computed,
        override_reason=f["override_reason"],
    )
