"""Fund supervision for auditors: provenance, matching, suspicious payments, earmarks, packages."""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from typing import Annotated, Any
from uuid import UUID

from fastapi import APIRouter, Query, Request
from starlette.responses import Response

from api.deps import ActorDep, Day, LedgerDep
from api.exports import Column, Format, Lang, tabular
from api.responses import (
    EarmarksOut,
    MatchingOut,
    ProvenanceOut,
    SuspiciousOut,
    spreadsheet_responses,
)
from domain.access import Actor, Permission
from domain.application import Ledger
from domain.money import yuan
from supervision import compliance, provenance
from supervision.package import package_bytes
from supervision.records import Record, from_ledger
from supervision.scope import Scope

router = APIRouter(prefix="/supervision", tags=["supervision 资金监管"])

MATCH_COLUMNS = [
    Column("centre_name", "centre", "帮扶中心"),
    Column("level", "level", "层级"),
    Column("fiscal_year", "fiscal year", "年度"),
    Column("central_received", "central money received (yuan)", "中央资金到位（元）", money=True),
    Column("match_source", "matching source", "配套来源"),
    Column("required", "required (yuan)", "应配套（元）", money=True),
    Column("received", "received (yuan)", "实际到位（元）", money=True),
    Column("shortfall", "shortfall (yuan)", "缺口（元）", money=True),
]
SUSPICIOUS_COLUMNS = [
    Column("rule", "rule", "规则"),
    Column("case_id", "case id", "档案编号"),
    Column("payment_ids", "payments", "支付编号"),
    Column("positions", "log positions", "日志序号"),
    Column("detail", "detail", "说明"),
]


def _records(ledger: Ledger, actor: Actor, centre_id: UUID | None) -> list[Record]:
    """Every event, or those of a centre subtree (checked against the user's own)."""
    if centre_id is not None:
        ledger.centre(actor, centre_id)
    else:
        actor.require(Permission.READ, [])  # the whole ledger: unbound users only
    records = list(from_ledger(ledger))
    return Scope(centre_id=str(centre_id)).select(records) if centre_id else records


PROVENANCE_COLUMNS = [
    Column("depth", "level in the tree", "层级"),
    Column("name", "fund", "资金"),
    Column("centre_id", "centre id", "帮扶中心编号"),
    Column("case_id", "household", "困难户档案"),
    Column("received", "received (yuan)", "拨入（元）", money=True),
    Column("allocated_in", "allocated in (yuan)", "上级下拨（元）", money=True),
    Column("allocated_out", "allocated down (yuan)", "下拨（元）", money=True),
    Column("paid", "paid (yuan)", "帮扶支出（元）", money=True),
    Column("paid_by_type", "by type", "按类型"),
    Column("reversed", "reversed (yuan)", "冲正（元）", money=True),
    Column("returned", "returned (yuan)", "退回（元）", money=True),
    Column("unspent", "unspent (yuan)", "结余（元）", money=True),
]


def _flatten(node: dict[str, Any], depth: int = 0) -> list[dict[str, Any]]:
    """One row per fund, then one per household it paid: the trace as a spreadsheet."""
    rows = [
        {
            "depth": depth,
            "name": node["name"],
            "centre_id": node["centre_id"],
            **{k.removesuffix("_fen"): yuan(v) for k, v in node.items() if k.endswith("_fen")},
        }
    ]
    rows += [
        {
            "depth": depth + 1,
            "name": node["name"],
            "case_id": h["case_id"],
            "paid": yuan(sum(h["paid_by_type_fen"].values())),
            "paid_by_type": ", ".join(f"{t} {yuan(v)}" for t, v in h["paid_by_type_fen"].items()),
            "reversed": yuan(h["reversed_fen"]),
        }
        for h in node["households"]
    ]
    for child in node["children"]:
        rows += _flatten(child, depth + 1)
    return rows


@router.get(
    "/provenance/{fund_id}",
    response_model=ProvenanceOut,
    responses=spreadsheet_responses("The fund's tree, in fen"),
)
def trace(
    fund_id: UUID,
    actor: ActorDep,
    ledger: LedgerDep,
    as_of: Annotated[Day | None, Query(description="business date to trace at")] = None,
    format: Format = "json",
    lang: Lang = "en",
) -> Any:
    """From a fund down every allocation to each household paid, at any past date."""
    ledger.fund(actor, fund_id)
    actor.require(Permission.READ, [])
    tree = provenance.trace(
        list(from_ledger(ledger)), str(fund_id), as_of.isoformat() if as_of else None
    )
    if format != "json":
        return tabular(_flatten(tree), PROVENANCE_COLUMNS, format, lang, "provenance")
    return tree


@router.get("/matching", response_model=MatchingOut, responses=spreadsheet_responses("Matching"))
def matching(
    actor: ActorDep,
    ledger: LedgerDep,
    centre_id: UUID | None = None,
    ratio: Annotated[
        str,
        Query(pattern=r"^[0-9]{1,6}:[0-9]{1,6}$", description="central : each match, e.g. 1:1"),
    ] = "1:1",
    format: Format = "json",
    lang: Lang = "en",
) -> Any:
    """Central money received against provincial, municipal and county matching, per centre
    and fiscal year, with shortfalls."""
    a, b = (int(x) for x in ratio.split(":"))
    rows = compliance.matching(_records(ledger, actor, centre_id), (a or 1, b))
    shown = [
        r | {k.removesuffix("_fen"): yuan(v) for k, v in r.items() if k.endswith("_fen")}
        for r in rows
    ]
    if format != "json":
        return tabular(shown, MATCH_COLUMNS, format, lang, "matching")
    return {
        "ratio": ratio,
        "rows": shown,
        "shortfalls": [r for r in shown if r["shortfall_fen"] > 0],
    }


@router.get(
    "/suspicious-payments",
    response_model=SuspiciousOut,
    response_model_exclude_unset=True,
    responses=spreadsheet_responses("The findings"),
)
def suspicious(
    request: Request,
    actor: ActorDep,
    ledger: LedgerDep,
    centre_id: UUID | None = None,
    repeat_window_days: Annotated[int, Query(ge=0, le=3660)] = 30,
    late_recording_days: Annotated[int, Query(ge=0, le=36600)] = 30,
    format: Format = "json",
    lang: Lang = "en",
) -> Any:
    """Repeats within a window, payments above standard, before filing or after closure,
    reversals of reversals, and payments recorded long after their business date."""
    policy = request.app.state.settings.policy_file
    base = compliance.Standards.from_file(policy) if policy else compliance.Standards()
    standards = replace(
        base, repeat_window_days=repeat_window_days, late_recording_days=late_recording_days
    )
    findings = compliance.suspicious(_records(ledger, actor, centre_id), standards)
    if format != "json":
        return tabular(findings, SUSPICIOUS_COLUMNS, format, lang, "suspicious-payments")
    return {"findings": findings, "count": len(findings)}


@router.get("/earmarks", response_model=EarmarksOut)
def earmarks(actor: ActorDep, ledger: LedgerDep, centre_id: UUID | None = None) -> dict[str, Any]:
    """Recomputed from events: no fund paid outside its earmark; money moved only in its tree."""
    return compliance.earmarks(_records(ledger, actor, centre_id))


@router.get(
    "/package",
    response_class=Response,
    responses={
        200: {
            "description": "The audit package",
            "content": {"application/zip": {"schema": {"type": "string", "format": "binary"}}},
        }
    },
)
def package(
    request: Request,
    actor: ActorDep,
    ledger: LedgerDep,
    fund_id: UUID | None = None,
    centre_id: UUID | None = None,
    date_from: date | None = None,
    date_to: date | None = None,
) -> Response:
    """Download an audit package (zip) that anyone can verify offline; no personal data."""
    if fund_id is not None:
        ledger.fund(actor, fund_id)
    if centre_id is not None:
        ledger.centre(actor, centre_id)
    if fund_id is None and centre_id is None:
        actor.require(Permission.READ, [])
    scope = Scope(
        fund_id=str(fund_id) if fund_id else None,
        centre_id=str(centre_id) if centre_id else None,
        date_from=date_from.isoformat() if date_from else None,
        date_to=date_to.isoformat() if date_to else None,
    )
    body = package_bytes(ledger, request.app.state.signer, scope)
    return Response(
        body,
        media_type="application/zip",
        headers={"Content-Disposition": 'attachment; filename="audit-package.zip"'},
    )
