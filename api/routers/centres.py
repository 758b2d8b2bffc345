"""Assistance centres: the tree that funds flow down and authority is bounded by."""

from __future__ import annotations

from uuid import UUID

from fastapi import APIRouter

from api.deps import ActorDep, ContextDep, LedgerDep
from api.responses import CentreOut
from api.routers import CREATED
from api.rows import shown
from api.schemas import CentreIn, Created

router = APIRouter(prefix="/centres", tags=["centres 帮扶中心"])


@router.post("", **CREATED)
def create_centre(body: CentreIn, ctx: ContextDep, ledger: LedgerDep) -> Created:
    """Create a centre under its parent (admin)."""
    outcome = ledger.create_centre(ctx, body.name, body.level, body.parent_id)
    return Created.of(outcome)


@router.get("/{centre_id:uuid}", response_model=CentreOut)
def get_centre(centre_id: UUID, actor: ActorDep, ledger: LedgerDep) -> CentreOut:
    centre = ledger.centre(actor, centre_id)
    return shown(CentreOut, centre, level_zh=centre.level.zh)
