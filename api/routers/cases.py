"""Hardship archives: register, reassess, visit, close, reopen, read state and history."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from fastapi import APIRouter, status

from api.deps import ActorDep, ContextDep, LedgerDep
from api.responses import CaseOut, EventOut, PersonOut
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
from domain.money import yuan
from domain.vocabulary import Category, Cause, HouseholdFlag
from projections.history import history

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


def case_out(case: Case, person: dict[str, Any] | None, shown: bool) -> CaseOut:
    return CaseOut(
        id=case.id,
        centre_id=case.centre_id,
        status=case.status.value,
        status_zh=case.status.zh,
        closure_reason=case.closure_reason,
        category=Category(case.category),
        primary_cause=Cause(case.primary_cause),
        secondary_causes=[Cause(c) for c in case.secondary_causes],
        household_size=case.household_size,
        per_capita_monthly_income=yuan(case.income_fen),
        flags=[HouseholdFlag(f) for f in case.flags],
        person=PersonOut(**person) if person else None,
        personal_data="shown" if person else ("erased" if shown else "withheld"),
        filed_on=case.filed_on,
        received=yuan(case.received_fen),
        reversed=yuan(case.reversed_fen),
        visits=case.visits,
        last_visit_on=case.last_visit_on,
        version=case.version,
    )


@router.post("", status_code=status.HTTP_201_CREATED, response_model=Created)
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


@router.post(
    "/{case_id}/reassessments", status_code=status.HTTP_201_CREATED, response_model=Created
)
def reassess(case_id: UUID, body: ReassessmentIn, ctx: ContextDep, ledger: LedgerDep) -> Created:
    outcome = ledger.reassess(ctx, case_id, assessment(body), body.note, body.business_date)
    return Created.of(outcome)


@router.post("/{case_id}/visits", status_code=status.HTTP_201_CREATED, response_model=Created)
def record_visit(case_id: UUID, body: VisitIn, ctx: ContextDep, ledger: LedgerDep) -> Created:
    """Record a home visit (走访), routine or in a campaign, with goods given in kind."""
    goods = [Goods(g.item, g.value) for g in body.goods]
    outcome = ledger.record_visit(
        ctx, case_id, body.visitors, body.kind, body.campaign, body.notes, goods, body.business_date
    )
    return Created.of(outcome)


@router.post("/{case_id}/closure", status_code=status.HTTP_201_CREATED, response_model=Created)
def close_case(case_id: UUID, body: ClosureIn, ctx: ContextDep, ledger: LedgerDep) -> Created:
    outcome = ledger.close_case(ctx, case_id, body.reason, body.note, body.business_date)
    return Created.of(outcome)


@router.post("/{case_id}/reopening", status_code=status.HTTP_201_CREATED, response_model=Created)
def reopen_case(case_id: UUID, body: ReopeningIn, ctx: ContextDep, ledger: LedgerDep) -> Created:
    """Reopen a closed archive on relapse (返困)."""
    outcome = ledger.reopen_case(ctx, case_id, body.note, body.business_date)
    return Created.of(outcome)


@router.get("/{case_id}", response_model=CaseOut)
def get_case(case_id: UUID, actor: ActorDep, ledger: LedgerDep) -> CaseOut:
    """The household's current state; personal data only for roles that may read it (the read
    is recorded)."""
    case = ledger.case(actor, case_id)
    if not ledger.may_read_personal_data(actor):
        return case_out(case, None, shown=False)
    person = ledger.read_personal_data(actor, {case.id: case.person_sealed}, "view case")[case.id]
    return case_out(case, person, shown=True)


@router.post(
    "/{case_id}/personal-data/erasure", status_code=status.HTTP_201_CREATED, response_model=Created
)
def erase_personal_data(
    case_id: UUID, body: ErasureIn, actor: ActorDep, ledger: LedgerDep
) -> Created:
    """Destroy the household's key (admin): its personal data becomes unreadable everywhere,
    while balances, flows, the chain and every signed checkpoint still verify."""
    return Created.of(ledger.erase_personal_data(actor, case_id, body.reason))


@router.get("/{case_id}/history", response_model=list[EventOut])
def get_history(case_id: UUID, actor: ActorDep, ledger: LedgerDep) -> list[EventOut]:
    """Every event of the archive in order, with who recorded it and both clocks."""
    return [EventOut(**row) for row in history(ledger.case_events(actor, case_id))]
