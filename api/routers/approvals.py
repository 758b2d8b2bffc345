"""Maker-checker (支付审批): request a payment (the fund reserves it), approve, reject or void it;
one request; the approver's queue; the history of a subtree, a fund or a case; expiry."""

from __future__ import annotations

from typing import Annotated, Any
from uuid import UUID

from fastapi import APIRouter, Query

from api.approval_schemas import (
    ApprovalIn,
    ExpiredOut,
    PaymentRequestIn,
    PaymentRequestOut,
    QueuePage,
    RequestEndIn,
    RequestPage,
)
from api.deps import ActorDep, ContextDep, Day, LedgerDep, ReaderDep, SubtreeDep
from api.exports import page
from api.routers import CREATED
from api.rows import shown
from api.schemas import Created
from domain.access import Permission
from domain.vocabulary import AssistanceType
from projections import approvals

router = APIRouter(tags=["approvals 支付审批"])
Limit = Annotated[int, Query(ge=1, le=1000)]


@router.post("/payment-requests", **CREATED)
def request_payment(body: PaymentRequestIn, ctx: ContextDep, ledger: LedgerDep) -> Created:
    """Ask for a payment (finance at the fund's centre): the fund reserves the amount (its
    available balance drops, its balance does not) until a checker decides. Answers the
    request's id."""
    outcome = ledger.request_payment(
        ctx,
        body.fund_id,
        body.case_id,
        body.assistance_type,
        body.amount,
        body.reference,
        body.business_date,
    )
    return Created.of(outcome)


@router.post("/payment-requests/{request_id:uuid}/approval", **CREATED)
def approve(
    request_id: UUID, ctx: ContextDep, ledger: LedgerDep, body: ApprovalIn | None = None
) -> Created:
    """Approve a pending request (a checker who is not its maker, at its level or above,
    before it runs out): the payment is made from the reservation. Answers the payment's id."""
    day = body.business_date if body else None
    return Created.of(ledger.approve_payment_request(ctx, request_id, day))


@router.post("/payment-requests/{request_id:uuid}/rejection", **CREATED)
def reject(request_id: UUID, body: RequestEndIn, ctx: ContextDep, ledger: LedgerDep) -> Created:
    """Reject a pending request, with the reason (its checker); the reservation is released."""
    outcome = ledger.reject_payment_request(ctx, request_id, body.reason, body.business_date)
    return Created.of(outcome)


@router.post("/payment-requests/{request_id:uuid}/void", **CREATED)
def void(request_id: UUID, body: RequestEndIn, ctx: ContextDep, ledger: LedgerDep) -> Created:
    """Void a pending request, with the reason (its maker, or a user who may check it); the
    reservation is released."""
    outcome = ledger.void_payment_request(ctx, request_id, body.reason, body.business_date)
    return Created.of(outcome)


@router.get("/payment-requests/{request_id:uuid}", response_model=PaymentRequestOut)
def get_request(request_id: UUID, actor: ActorDep, ledger: LedgerDep) -> PaymentRequestOut:
    """One payment request as recorded, with who decided it, when and why."""
    r = ledger.payment_request(actor, request_id)
    kind = AssistanceType(r.assistance_type)
    return shown(
        PaymentRequestOut,
        r,
        assistance_type_zh=kind.zh,
        level=r.level.value,
        level_zh=r.level.zh,
        approver_centre_id=r.approver_path[-1] if r.approver_path else None,
        status=r.status.value,
        status_zh=r.status.zh,
    )


@router.get("/payment-requests", response_model=RequestPage)
def request_history(
    read: ReaderDep,
    scope: SubtreeDep,
    fund_id: UUID | None = None,
    case_id: UUID | None = None,
    limit: Limit = 50,
    after: UUID | None = None,
) -> Any:
    """The requests of the subtree (of one fund or one case, if asked), whatever became of
    them, in the order they were made."""
    view = read.caught_up("approvals").approvals
    found = approvals.history(
        view,
        scope,
        str(fund_id) if fund_id else None,
        str(case_id) if case_id else None,
        limit,
        str(after) if after else None,
    )
    return page(found, limit, "id")


@router.get("/approvals/queue", response_model=QueuePage)
def queue(
    read: ReaderDep,
    as_of: Annotated[Day | None, Query(description="on this day (today if left out)")] = None,
    limit: Limit = 50,
    after: UUID | None = None,
) -> Any:
    """The pending requests the user may decide: in their subtree, escalated to their level
    or below it, made by someone else, not run out; oldest first."""
    read.actor.require(Permission.APPROVE_PAYMENTS)
    day = as_of or read.ledger.today()
    view = read.caught_up("approvals").approvals
    centre = str(read.actor.centre_id) if read.actor.centre_id else None
    rows = approvals.queue(view, read.actor.name, centre, day, limit, str(after) if after else None)
    return {"as_of": day} | page(rows, limit, "id")


@router.post("/approvals/expire", status_code=201, response_model=ExpiredOut)
def expire(read: ReaderDep, ctx: ContextDep) -> ExpiredOut:
    """Record as expired every pending request of the user's subtree past its last day,
    releasing each reservation (an approver's or an admin's housekeeping)."""
    ctx.actor.require(Permission.APPROVE_PAYMENTS)
    day = read.ledger.today()
    view = read.caught_up_to_head("approvals").approvals
    centre = str(ctx.actor.centre_id) if ctx.actor.centre_id else None
    overdue = [UUID(i) for i in approvals.overdue(view, centre, day)]
    return ExpiredOut(as_of=day, expired=read.ledger.expire_payment_requests(ctx, overdue))
