"""Assistance centres: the tree that funds flow down and authority is bounded by."""

from __future__ import annotations

from uuid import UUID

from fastapi import APIRouter, status

from api.deps import ActorDep, ContextDep, LedgerDep
from api.responses import CentreOut
from api.schemas import CentreIn, Created
from domain.centres import Centre

router = APIRouter(prefix="/centres", tags=["centres 帮扶中心"])


def centre_out(centre: Centre) -> CentreOut:
    return CentreOut(
        id=centre.id,
        name=centre.name,
        level=centre.level,
        level_zh=centre.level.zh,
        parent_id=centre.parent_id,
        ancestors=centre.ancestors,
    )


@router.post("", status_code=status.HTTP_201_CREATED, response_model=Created)
def create_centre(body: CentreIn, ctx: ContextDep, ledger: LedgerDep) -> Created:
    """Create a centre under its parent (admin)."""
    outcome = ledger.create_centre(ctx, body.name, body.level, body.parent_id)
    return Created.of(outcome)


@router.get("/{centre_id}", response_model=CentreOut)
def get_centre(centre_id: UUID, actor: ActorDep, ledger: LedgerDep) -> CentreOut:
    return centre_out(ledger.centre(actor, centre_id))
