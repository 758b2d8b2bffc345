"""Hardship archives: register, reassess, visit, close, reopen, read state and history; a
household's members joining, leaving or dying, and the archive's transfer (转档)."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from fastapi import APIRouter

from api.deps import ActorDep, ContextDep, LedgerDep
from api.filing_schemas import DeathIn, JoiningIn, LeavingIn, TransferIn, member_of
from api.responses import CaseOut, EventOut
from api.routers import CREATED
from api.rows import shown
from api.schemas import (
    AssessmentIn,
    CaseIn,
    ClosureIn,
    Created,
    ErasureIn,
    ReassessmentIn,
    ReopeningIn,
    VisitIn,
)
from domain.cases import Assessment, Case, Goods, Person
from domain.households import member_id
from domain.money import yuan
from projections.history import timeline

router = APIRouter(prefix="/cases", tags=["cases 困难职工档案"])


def assessment(body: AssessmentIn) -> Assessment:
    return Assessment(
        category=body.category,
        primary_cause=body.primary_cause,
        secondary_causes=tuple(body.secondary_causes),
        household_size=body.household_size,
        income_fen=body.per_capita_monthly_income,
        flags=tuple(body.flags),
    )


def case_out(case: Case, person: dict[str, Any] | None, read: bool) -> CaseOut:
    """The archive, with the person when read (``read`` and no person: the key is destroyed)."""
    return shown(
        CaseOut,
        case,
        status=case.status.value,
        status_zh=case.status.zh,
        per_capita_monthly_income=yuan(case.income_fen),
        person=person,
        personal_data="shown" if person else ("erased" if read else "withheld"),
    )


@router.post("", **CREATED)
def register_case(body: CaseIn, ctx: ContextDep, ledger: LedgerDep) -> Created:
    """File a household in the archive (caseworker); one open archive per ID number."""
    p = body.person
    person = Person.checked(
        p.name,
        p.id_number,
        p.phone,
        p.bank_card,
        tuple(m.model_dump() for m in p.family_members),
        p.health,
    )
    outcome = ledger.register_case(
        ctx, body.centre_id, assessment(body), person, body.business_date
    )
    return Created.of(outcome)


@router.post("/{case_id:uuid}/reassessments", **CREATED)
def reassess(case_id: UUID, body: ReassessmentIn, ctx: ContextDep, ledger: LedgerDep) -> Created:
    outcome = ledger.reassess(ctx, case_id, assessment(body), body.note, body.business_date)
    return Created.of(outcome)


@router.post("/{case_id:uuid}/visits", **CREATED)
def record_visit(case_id: UUID, body: VisitIn, ctx: ContextDep, ledger: LedgerDep) -> Created:
    """Record a home visit (走访), routine or in a campaign, with goods given in kind."""
    goods = [Goods(g.item, g.value) for g in body.goods]
    outcome = ledger.record_visit(
        ctx, case_id, body.visitors, body.kind, body.campaign, body.notes, goods, body.business_date
    )
    return Created.of(outcome)


@router.post("/{case_id:uuid}/closure", **CREATED)
def close_case(case_id: UUID, body: ClosureIn, ctx: ContextDep, ledger: LedgerDep) -> Created:
    outcome = ledger.close_case(ctx, case_id, body.reason, body.note, body.business_date)
    return Created.of(outcome)


@router.post("/{case_id:uuid}/reopening", **CREATED)
def reopen_case(case_id: UUID, body: ReopeningIn, ctx: ContextDep, ledger: LedgerDep) -> Created:
    """Reopen a closed archive on relapse (返困)."""
    outcome = ledger.reopen_case(ctx, case_id, body.note, body.business_date)
    return Created.of(outcome)


@router.get("/{case_id:uuid}", response_model=CaseOut)
def get_case(case_id: UUID, actor: ActorDep, ledger: LedgerDep) -> CaseOut:
    """The household's current state; personal data only for roles that may read it (the read
    is recorded)."""
    case = ledger.case(actor, case_id)
    if not ledger.may_read_personal_data(actor):
        return case_out(case, None, read=False)
    person = ledger.read_personal_data(actor, {case.id: case.person_sealed}, "view case")[case.id]
    return case_out(case, person, read=True)


@router.post("/{case_id:uuid}/personal-data/erasure", **CREATED)
def erase_personal_data(
    case_id: UUID, body: ErasureIn, actor: ActorDep, ledger: LedgerDep
) -> Created:
    """Destroy the household's key (admin): its personal data becomes unreadable everywhere,
    while balances, flows, the chain and every signed checkpoint still verify."""
    return Created.of(ledger.erase_personal_data(actor, case_id, body.reason))


@router.get("/{case_id:uuid}/history", response_model=list[EventOut])
def get_history(case_id: UUID, actor: ActorDep, ledger: LedgerDep) -> list[EventOut]:
    """The archive's timeline: its events and its referrals' and income records', ordered by
    business date (recorded time beside), labelled in Chinese and English; every money entry
    names the fund and the centre that paid."""
    return [EventOut(**row) for row in timeline(ledger.case_events(actor, case_id), ledger.payer)]


@router.post("/{case_id:uuid}/members", **CREATED)
def add_member(case_id: UUID, body: JoiningIn, ctx: ContextDep, ledger: LedgerDep) -> Created:
    """A member joins the household (一户一档: refused while an open archive or application
    holds the person); answers the member's id, the case's and the member's number."""
    outcome = ledger.add_member(ctx, case_id, member_of(body), body.note, body.business_date)
    case = ledger.case(ctx.actor, case_id)
    numbers = range(1, case.members_ever + 1)
    number = next(n for n in numbers if member_id(case.id, n) == outcome.result.id)
    return Created.model_validate(Created.of(outcome).model_dump() | {"number": number})


@router.post("/{case_id:uuid}/members/{member_id:uuid}/leaving", **CREATED)
def member_leaves(
    case_id: UUID, member_id: UUID, body: LeavingIn, ctx: ContextDep, ledger: LedgerDep
) -> Created:
    """A member leaves the household, with the reason; the person may be filed elsewhere."""
    outcome = ledger.remove_member(ctx, case_id, member_id, False, body.reason, body.business_date)
    return Created.of(outcome)


@router.post("/{case_id:uuid}/members/{member_id:uuid}/death", **CREATED)
def member_dies(
    case_id: UUID, member_id: UUID, body: DeathIn, ctx: ContextDep, ledger: LedgerDep
) -> Created:
    """A member of the household died (the applicant's death closes the archive instead)."""
    outcome = ledger.remove_member(ctx, case_id, member_id, True, body.note, body.business_date)
    return Created.of(outcome)


@router.post("/{case_id:uuid}/transfer", **CREATED)
def transfer(case_id: UUID, body: TransferIn, ctx: ContextDep, ledger: LedgerDep) -> Created:
    """转档: the archive moves to another centre with its history; the caller manages both
    centres. Payments made stay with the centres and funds that paid them."""
    outcome = ledger.transfer_case(ctx, case_id, body.to_centre_id, body.note, body.business_date)
    return Created.of(outcome)
