"""Payments to households and their reversal."""

from __future__ import annotations

from uuid import UUID

from fastapi import APIRouter

from api.deps import ActorDep, ContextDep, LedgerDep
from api.responses import PaymentOut
from api.routers import CREATED
from api.rows import shown
from api.schemas import Created, PaymentIn, ReversalIn

router = APIRouter(prefix="/payments", tags=["payments 帮扶支出"])


@router.post("", **CREATED)
def pay(body: PaymentIn, ctx: ContextDep, ledger: LedgerDep) -> Created:
    """Pay a subsidy from a fund to a household (finance)."""
    outcome = ledger.pay(
        ctx,
        body.fund_id,
        body.case_id,
        body.assistance_type,
        body.amount,
        body.reference,
        body.business_date,
    )
    return Created.of(outcome)


@router.post("/{payment_id:uuid}/reversal", **CREATED)
def reverse(payment_id: UUID, body: ReversalIn, ctx: ContextDep, ledger: LedgerDep) -> Created:
    """Reverse a payment (冲正): the money returns to the fund; the payment stays on record."""
    outcome = ledger.reverse_payment(ctx, payment_id, body.reason, body.business_date)
    return Created.of(outcome)


@router.get("/{payment_id:uuid}", response_model=PaymentOut)
def get_payment(payment_id: UUID, actor: ActorDep, ledger: LedgerDep) -> PaymentOut:
    payment = ledger.payment(actor, payment_id)
    return shown(PaymentOut, payment, business_date=payment.paid_on, reversed=payment.is_reversed)
