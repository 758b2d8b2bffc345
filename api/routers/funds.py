"""Funds: open, receive, allocate down the tree, return up, read balances and movements."""

from __future__ import annotations

from uuid import UUID

from fastapi import APIRouter

from api.deps import ActorDep, ContextDep, LedgerDep
from api.responses import FundOut, MovementOut
from api.routers import CREATED
from api.rows import shown
from api.schemas import AllocationIn, Created, FundIn, ReceiptIn, ReturnIn
from projections.fund_movements import movements

router = APIRouter(prefix="/funds", tags=["funds 资金"])


@router.post("", **CREATED)
def open_fund(body: FundIn, ctx: ContextDep, ledger: LedgerDep) -> Created:
    """Open a fund at a centre, with its source, fiscal year and earmark (finance)."""
    outcome = ledger.open_fund(
        ctx,
        body.centre_id,
        body.name,
        body.source,
        body.fiscal_year,
        body.purposes,
        body.business_date,
    )
    return Created.of(outcome)


@router.post("/{fund_id:uuid}/receipts", **CREATED)
def receive(fund_id: UUID, body: ReceiptIn, ctx: ContextDep, ledger: LedgerDep) -> Created:
    """Record money received into the fund (appropriation, 拨入)."""
    outcome = ledger.receive(
        ctx, fund_id, body.amount, body.payer, body.reference, body.business_date
    )
    return Created.of(outcome)


@router.post("/{fund_id:uuid}/allocations", **CREATED)
def allocate(fund_id: UUID, body: AllocationIn, ctx: ContextDep, ledger: LedgerDep) -> Created:
    """Allocate money to a child centre (下拨); answers with the child fund's id."""
    outcome = ledger.allocate(
        ctx, fund_id, body.to_centre_id, body.amount, body.reference, body.business_date
    )
    return Created.of(outcome)


@router.post("/{fund_id:uuid}/returns", **CREATED)
def return_funds(fund_id: UUID, body: ReturnIn, ctx: ContextDep, ledger: LedgerDep) -> Created:
    """Return money up to the parent fund (上缴), or to the payer from a top fund (退回)."""
    outcome = ledger.return_funds(ctx, fund_id, body.amount, body.reference, body.business_date)
    return Created.of(outcome)


@router.get("/{fund_id:uuid}", response_model=FundOut)
def get_fund(fund_id: UUID, actor: ActorDep, ledger: LedgerDep) -> FundOut:
    fund = ledger.fund(actor, fund_id)
    return shown(FundOut, fund, source_zh=fund.source.zh)


@router.get("/{fund_id:uuid}/movements", response_model=list[MovementOut])
def get_movements(fund_id: UUID, actor: ActorDep, ledger: LedgerDep) -> list[MovementOut]:
    """Every movement of the fund, oldest first, with the running balance."""
    return [MovementOut(**row) for row in movements(ledger.fund_events(actor, fund_id))]
