"""Audit checks over the whole ledger."""

from __future__ import annotations

from typing import Annotated, Any
from uuid import UUID

import orjson
from fastapi import APIRouter, Query, Request
from pydantic import BaseModel

from api.deps import (
    MAX_POSITION,
    ActorDep,
    LedgerDep,
    MinPosition,
    Moment,
    ViewsDep,
    caught_up,
    centre_scope,
)
from api.exports import Column, Format, Lang, tabular
from api.responses import AuditPage, CheckpointOut, PublicKeyOut, spreadsheet_responses
from domain.access import Permission
from domain.errors import ConflictError
from domain.money import yuan
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
def get_conservation(actor: ActorDep, ledger: LedgerDep) -> ConservationOut:
    """Check that money was never created or destroyed inside the ledger (whole tree only)."""
    actor.require(Permission.READ, [])
    c = conservation.check(ledger)
    return ConservationOut(
        appropriated=yuan(c.appropriated_fen),
        paid=yuan(c.paid_fen),
        reversed=yuan(c.reversed_fen),
        returned_out=yuan(c.returned_out_fen),
        expected_balances=yuan(c.expected_balances_fen),
        balances=yuan(c.balances_fen),
        holds=c.holds,
        funds=c.funds,
        events=c.events,
    )


AUDIT_COLUMNS = [
    Column("position", "position", "日志序号"),
    Column("recorded_at", "recorded at", "记录时间"),
    Column("business_date", "business date", "业务日期"),
    Column("actor", "actor", "操作人"),
    Column("aggregate", "record", "对象"),
    Column("type", "event", "事件"),
    Column("type_zh", "event (zh)", "事件名称"),
    Column("originator_id", "record id", "对象编号"),
    Column("centre_id", "centre id", "帮扶中心编号"),
    Column("fund_id", "fund id", "资金编号"),
    Column("case_id", "case id", "档案编号"),
    Column("data", "details", "详情"),
]


@router.get(
    "/events", response_model=AuditPage, responses=spreadsheet_responses("A page of the trail")
)
def audit_events(
    request: Request,
    actor: ActorDep,
    ledger: LedgerDep,
    views: ViewsDep,
    by: Annotated[str | None, Query(description="the acting user")] = None,
    type: str | None = None,
    centre_id: UUID | None = None,
    fund_id: UUID | None = None,
    case_id: UUID | None = None,
    recorded_from: Moment | None = None,
    recorded_to: Moment | None = None,
    limit: Annotated[int, Query(ge=1, le=1000)] = 100,
    after: Annotated[int, Query(ge=0, le=MAX_POSITION, description="the last position seen")] = 0,
    format: Format = "json",
    lang: Lang = "en",
    min_position: MinPosition = None,
) -> Any:
    """Every event of the ledger in commit order, filtered by actor, type, centre subtree,
    fund, case and recorded-time window."""
    scope = centre_scope(ledger, actor, centre_id)
    caught_up(views, "audit", min_position, request.app.state.settings.read_wait_seconds)
    f = audit.AuditFilter(
        actor=by,
        type=type,
        centre_id=scope,
        fund_id=str(fund_id) if fund_id else None,
        case_id=str(case_id) if case_id else None,
        recorded_from=recorded_from,
        recorded_to=recorded_to,
    )
    rows = audit.events(views.audit, f, limit if format == "json" else 1_000_000, after)
    if format != "json":
        return tabular(
            [r | {"data": orjson.dumps(r["data"]).decode()} for r in rows],
            AUDIT_COLUMNS,
            format,
            lang,
            "audit-events",
        )
    return {"items": rows, "next": rows[-1]["position"] if len(rows) == limit else None}


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
