"""Payments to households and their reversal."""

from __future__ import annotations

from uuid import UUID

from fastapi import APIRouter, status

from api.deps import ActorDep, ContextDep, LedgerDep
from api.responses import PaymentOut
from api.schemas import Created, PaymentIn, ReversalIn
from domain.money import yuan
from domain.payments import Payment
from domain.vocabulary import AssistanceType

router = APIRouter(prefix="/payments", tags=["payments 帮扶支出"])


def payment_out(payment: Payment) -> PaymentOut:
    return PaymentOut(
        id=payment.id,
        fund_id=payment.fund_id,
        case_id=payment.case_id,
        centre_id=payment.centre_id,
        assistance_type=AssistanceType(payment.assistance_type),
        amount=yuan(payment.amount_fen),
        reference=payment.reference,
        business_date=payment.paid_on,
        reversed=payment.is_reversed,
        reversal_id=payment.reversal_id,
        reversal_reason=payment.reversal_reason,
    )


@router.post("", status_code=status.HTTP_201_CREATED, response_model=Created)
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


@router.post("/{payment_id}/reversal", status_code=status.HTTP_201_CREATED, response_model=Created)
def reverse(payment_id: UUID, body: ReversalIn, ctx: ContextDep, ledger: LedgerDep) -> Created:
    """Reverse a payment (冲正): the money returns to the fund; the payment stays on record."""
    outcome = ledger.reverse_payment(ctx, payment_id, body.reason, body.business_date)
    return Created.of(outcome)


@router.get("/{payment_id}", response_model=PaymentOut)
def get_payment(payment_id: UUID, actor: ActorDep, ledger: LedgerDep) -> PaymentOut:
    return payment_out(ledger.payment(actor, payment_id))
