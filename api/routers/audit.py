"""Audit checks over the whole ledger."""

from __future__ import annotations

from typing import Annotated, Any
from uuid import UUID

import orjson
from fastapi import APIRouter, Query, Request
from pydantic import BaseModel, Field

from api import columns
from api.deps import MAX_POSITION, ActorDep, Moment, Reader, ReaderDep, SubtreeDep
from api.exports import Format, Lang, page, ready_json, tabular
from api.responses import AuditPage, CheckpointOut, PublicKeyOut
from api.routers import listing
from api.routers.supervision import settled
from api.rows import shown
from domain.access import Permission
from domain.errors import ConflictError
from projections import audit, conservation

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
def get_conservation(read: ReaderDep) -> ConservationOut:
    """Check that money was never created or destroyed inside the ledger (whole tree only)."""
    read.actor.require(Permission.READ, [])
    views = settled(read, "conservation")
    return shown(ConservationOut, conservation.totals(views.conservation))


@router.get("/events", **listing(AuditPage, "A page of the trail"))
def audit_events(
    read: ReaderDep,
    scope: SubtreeDep,
    by: Annotated[str | None, Query(description="the acting user")] = None,
    type: str | None = None,
    fund_id: UUID | None = None,
    case_id: UUID | None = None,
    recorded_from: Moment | None = None,
    recorded_to: Moment | None = None,
    limit: Annotated[int, Query(ge=1, le=1000)] = 100,
    after: Annotated[int, Query(ge=0, le=MAX_POSITION, description="the last position seen")] = 0,
    format: Format = "json",
    lang: Lang = "en",
) -> Any:
    """Every event of the ledger in commit order, filtered by actor, type, centre subtree,
    fund, case and recorded-time window."""
    f = audit.AuditFilter(
        actor=by,
        type=type,
        centre_id=scope,
        fund_id=str(fund_id) if fund_id else None,
        case_id=str(case_id) if case_id else None,
        recorded_from=recorded_from,
        recorded_to=recorded_to,
    )
    if format == "json":
        return ready_json(trail_page(read, f, limit, after))
    rows = audit.events(read.caught_up("audit").audit, f, 1_000_000, after)
    shown_rows = [r | {"data": orjson.dumps(r["data"]).decode()} for r in rows]
    return tabular(shown_rows, columns.AUDIT_EVENTS, format, lang, "audit-events")


def trail_page(read: Reader, f: audit.AuditFilter, limit: int, after: int) -> dict[str, Any]:
    """A page of the trail (``AuditPage``'s shape), for the API and the web app's trail page."""
    return page(audit.events(read.caught_up("audit").audit, f, limit, after), limit, "position")


@router.get("/public-key", response_model=PublicKeyOut)
def public_key(request: Request) -> dict[str, str]:
    """The Ed25519 public key that verifies every checkpoint (publish it, keep copies)."""
    signer = request.app.state.signer
    return {
        "key_id": signer.key_id,
        "fingerprint": signer.fingerprint,
        "public_key_pem": signer.public_key_pem,
        "algorithm": "Ed25519",
    }


class PublicKeyHistoryOut(PublicKeyOut):
    """A key of the history: every key that signed checkpoints, oldest first."""

    activated_at: str | None = Field(description="when it first signed; null: not yet")
    retired_at: str | None = Field(description="when a newer key replaced it; null: current")
    succeeded_by: str | None = Field(description="the key id of the key that replaced it")
    succession: str | None = Field(
        description="the successor's Ed25519 signature (hex) over `bangfu-key-succession|"
        "{fingerprint}|{retired_at}|{successor's fingerprint}`: a chain from the current key "
        "back to every earlier one"
    )
    current: bool = Field(description="whether it is the key that signs now")


@router.get("/public-keys", response_model=list[PublicKeyHistoryOut])
def public_keys(request: Request) -> list[dict[str, Any]]:
    """Every Ed25519 public key that has signed checkpoints, oldest first: `bangfu verify` and
    audit packages check each checkpoint with the key its key id names."""
    signer = request.app.state.signer
    history = request.app.state.checkpoints.keys.listing(signer)
    return [
        k.as_dict() | {"algorithm": "Ed25519", "current": k.key_id == signer.key_id}
        for k in history
    ]


@router.get("/checkpoints", response_model=list[CheckpointOut])
def list_checkpoints(request: Request, actor: ActorDep) -> list[dict[str, Any]]:
    """Every signed checkpoint: position, head link, time, key id and signature."""
    actor.require(Permission.READ)
    return [c.as_dict() for c in request.app.state.checkpoints.all()]


@router.post("/checkpoints", status_code=201, response_model=CheckpointOut)
def take_checkpoint(request: Request, actor: ActorDep) -> dict[str, Any]:
    """Sign the chain's head now (an admin of the whole tree: a global act)."""
    actor.require(Permission.MANAGE_CENTRES, [])  # [] = the whole tree: bound admins refused
    taken = request.app.state.checkpoints.take(request.app.state.signer)
    if taken is None:
        raise ConflictError("the log is empty; there is nothing to sign yet")
    result: dict[str, Any] = taken.as_dict()
    return result
