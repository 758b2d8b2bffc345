"""Funds: open, receive, allocate down the tree, return up, read balances and movements."""

from __future__ import annotations

from uuid import UUID

from fastapi import APIRouter, status

from api.deps import ActorDep, ContextDep, LedgerDep
from api.responses import FundOut, MovementOut
from api.schemas import AllocationIn, Created, FundIn, ReceiptIn, ReturnIn
from domain.funds import Fund
from domain.money import yuan
from projections.fund_movements import movements

router = APIRouter(prefix="/funds", tags=["funds 资金"])


def fund_out(fund: Fund) -> FundOut:
    return FundOut(
        id=fund.id,
        centre_id=fund.centre_id,
        name=fund.name,
        source=fund.source,
        source_zh=fund.source.zh,
        fiscal_year=fund.fiscal_year,
        purposes=fund.purposes,
        parent_fund_id=fund.parent_fund_id,
        balance=yuan(fund.balance_fen),
        received=yuan(fund.received_fen),
        allocated_in=yuan(fund.allocated_in_fen),
        allocated_out=yuan(fund.allocated_out_fen),
        returned=yuan(fund.returned_fen),
        returns_received=yuan(fund.returns_received_fen),
        disbursed=yuan(fund.disbursed_fen),
        reversed=yuan(fund.reversed_fen),
        version=fund.version,
    )


@router.post("", status_code=status.HTTP_201_CREATED, response_model=Created)
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


@router.post("/{fund_id}/receipts", status_code=status.HTTP_201_CREATED, response_model=Created)
def receive(fund_id: UUID, body: ReceiptIn, ctx: ContextDep, ledger: LedgerDep) -> Created:
    """Record money received into the fund (appropriation, 拨入)."""
    outcome = ledger.receive(
        ctx, fund_id, body.amount, body.payer, body.reference, body.business_date
    )
    return Created.of(outcome)


@router.post("/{fund_id}/allocations", status_code=status.HTTP_201_CREATED, response_model=Created)
def allocate(fund_id: UUID, body: AllocationIn, ctx: ContextDep, ledger: LedgerDep) -> Created:
    """Allocate money to a child centre (下拨); answers with the child fund's id."""
    outcome = ledger.allocate(
        ctx, fund_id, body.to_centre_id, body.amount, body.reference, body.business_date
    )
    return Created.of(outcome)


@router.post("/{fund_id}/returns", status_code=status.HTTP_201_CREATED, response_model=Created)
def return_funds(fund_id: UUID, body: ReturnIn, ctx: ContextDep, ledger: LedgerDep) -> Created:
    """Return money up to the parent fund (上缴), or to the payer from a top fund (退回)."""
    outcome = ledger.return_funds(ctx, fund_id, body.amount, body.reference, body.business_date)
    return Created.of(outcome)


@router.get("/{fund_id}", response_model=FundOut)
def get_fund(fund_id: UUID, actor: ActorDep, ledger: LedgerDep) -> FundOut:
    return fund_out(ledger.fund(actor, fund_id))


@router.get("/{fund_id}/movements", response_model=list[MovementOut])
def get_movements(fund_id: UUID, actor: ActorDep, ledger: LedgerDep) -> list[MovementOut]:
    """Every movement of the fund, oldest first, with the running balance."""
    return [MovementOut(**row) for row in movements(ledger.fund_events(actor, fund_id))]
