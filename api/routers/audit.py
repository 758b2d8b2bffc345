"""Audit checks over the whole ledger."""

from __future__ import annotations

from fastapi import APIRouter
from pydantic import BaseModel

from api.deps import ActorDep, LedgerDep
from domain.access import Permission
from domain.money import yuan
from projections import conservation

router = APIRouter(prefix="/audit", tags=["audit 审计"])


class ConservationOut(BaseModel):
    """appropriations − payments + reversals − returns out of the ledger = Σ fund balances."""

    appropriated: str
    paid: str
    reversed: str
    returned_out: str
    expected_balances: str
    balances: str
    holds: bool
    funds: int
    events: int


@router.get("/conservation", response_model=ConservationOut)
def get_conservation(actor: ActorDep, ledger: LedgerDep) -> ConservationOut:
    """Check that money was never created or destroyed inside the ledger (whole tree only)."""
    actor.require(Permission.READ, [])
    c = conservation.check(ledger)
    return ConservationOut(
        appropriated=yuan(c.appropriated_fen), paid=yuan(c.paid_fen),
        reversed=yuan(c.reversed_fen), returned_out=yuan(c.returned_out_fen),
        expected_balances=yuan(c.expected_balances_fen), balances=yuan(c.balances_fen),
        holds=c.holds, funds=c.funds, events=c.events)
