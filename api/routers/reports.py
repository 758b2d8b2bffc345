"""Fund read models: balances on two clocks, postings, flows, and year-end statistics."""

from __future__ import annotations

from typing import Annotated, Any
from uuid import UUID

from fastapi import APIRouter, Query, Request

from api.deps import (
    FIRST_YEAR,
    LAST_YEAR,
    MAX_POSITION,
    ActorDep,
    Day,
    LedgerDep,
    MinPosition,
    Moment,
    ViewsDep,
    caught_up,
    centre_scope,
)
from api.exports import Column, Format, Lang, tabular
from api.responses import (
    BalanceOut,
    FlowsOut,
    FundPage,
    PostingPage,
    YearEndOut,
    spreadsheet_responses,
)
from domain.errors import FundNotFoundError, InvalidInputError
from domain.money import yuan
from projections import funds

router = APIRouter(tags=["fund reports 资金报表"])

POSTING_COLUMNS = [
    Column("version", "no.", "序号"),
    Column("business_date", "business date", "业务日期"),
    Column("recorded_at", "recorded at", "记账时间"),
    Column("type", "movement", "类型"),
    Column("amount", "amount (yuan)", "金额（元）", money=True),
    Column("balance_after", "balance after (yuan)", "余额（元）", money=True),
    Column("counterparty_kind", "counterparty", "对方类型"),
    Column("counterparty_id", "counterparty id", "对方编号"),
    Column("assistance_type", "assistance type", "帮扶类型"),
    Column("reference", "reference", "凭证/摘要"),
    Column("actor", "recorded by", "经办人"),
]
YEAR_END_COLUMNS = [
    Column("centre_name", "centre", "帮扶中心"),
    Column("source", "fund source", "资金来源"),
    Column("funds", "funds", "资金账户数"),
    Column("received", "received (yuan)", "拨入（元）", money=True),
    Column("allocated_in", "allocated in (yuan)", "上级下拨（元）", money=True),
    Column("allocated_out", "allocated out (yuan)", "下拨下级（元）", money=True),
    Column("disbursed", "paid to households (yuan)", "帮扶支出（元）", money=True),
    Column("reversed", "reversed (yuan)", "冲正（元）", money=True),
    Column("returned", "returned (yuan)", "退回/上缴（元）", money=True),
    Column("returns_received", "returns received (yuan)", "下级退回（元）", money=True),
    Column("balance", "unspent (yuan)", "结余（元）", money=True),
]


def _wait(request: Request, views: ViewsDep, min_position: int | None) -> None:
    caught_up(views, "funds", min_position, request.app.state.settings.read_wait_seconds)


def _yuan_fields(row: dict[str, Any]) -> dict[str, Any]:
    return {
        k.removesuffix("_fen"): yuan(v) if k.endswith("_fen") and v is not None else v
        for k, v in row.items()
    }


FUND_COLUMNS = [
    Column("fund_id", "fund id", "资金编号"),
    Column("name", "fund", "资金名称"),
    Column("source", "source", "资金来源"),
    Column("fiscal_year", "fiscal year", "年度"),
    Column("centre_id", "centre id", "帮扶中心编号"),
    Column("received", "received (yuan)", "拨入（元）", money=True),
    Column("allocated_in", "allocated in (yuan)", "上级下拨（元）", money=True),
    Column("allocated_out", "allocated out (yuan)", "下拨下级（元）", money=True),
    Column("disbursed", "paid (yuan)", "帮扶支出（元）", money=True),
    Column("reversed", "reversed (yuan)", "冲正（元）", money=True),
    Column("balance", "balance (yuan)", "余额（元）", money=True),
]


@router.get("/funds", response_model=FundPage, responses=spreadsheet_responses("A page of funds"))
def list_funds(
    request: Request,
    actor: ActorDep,
    ledger: LedgerDep,
    views: ViewsDep,
    centre_id: UUID | None = None,
    fiscal_year: Annotated[int | None, Query(ge=FIRST_YEAR, le=LAST_YEAR)] = None,
    limit: Annotated[int, Query(ge=1, le=1000)] = 100,
    after: str | None = None,
    format: Format = "json",
    lang: Lang = "en",
    min_position: MinPosition = None,
) -> Any:
    """Every fund of a centre subtree with its balance now (a page at a time)."""
    scope = centre_scope(ledger, actor, centre_id)
    _wait(request, views, min_position)
    rows = [
        _yuan_fields(r)
        for r in funds.list_funds(
            views.funds,
            scope,
            fiscal_year,
            limit if format == "json" else 1_000_000,
            after,
        )
    ]
    if format != "json":
        return tabular(rows, FUND_COLUMNS, format, lang, "funds")
    return {"items": rows, "next": rows[-1]["fund_id"] if len(rows) == limit else None}


@router.get("/funds/{fund_id}/balance", response_model=BalanceOut)
def balance(
    request: Request,
    fund_id: UUID,
    actor: ActorDep,
    ledger: LedgerDep,
    views: ViewsDep,
    as_of: Annotated[
        Day | None, Query(description="business date: money that moved up to and on this day")
    ] = None,
    known_at: Annotated[
        Moment | None, Query(description="recorded time: what the books said at this moment")
    ] = None,
    min_position: MinPosition = None,
) -> dict[str, Any]:
    """A fund's balance now, or at a past business date, as known now or at a past moment."""
    ledger.fund(actor, fund_id)
    _wait(request, views, min_position)
    if known_at is not None and known_at.tzinfo is None:
        raise InvalidInputError("known_at needs a time zone, e.g. 2026-01-31T23:59:59+08:00")
    fen = funds.balance(views.funds, str(fund_id), as_of.isoformat() if as_of else None, known_at)
    if fen is None:
        raise FundNotFoundError(f"fund {fund_id} is not in the funds view yet")
    return {"fund_id": str(fund_id), "as_of": as_of, "known_at": known_at, "balance": yuan(fen)}


@router.get(
    "/funds/{fund_id}/postings",
    response_model=PostingPage,
    responses=spreadsheet_responses("A page of postings"),
)
def postings(
    request: Request,
    fund_id: UUID,
    actor: ActorDep,
    ledger: LedgerDep,
    views: ViewsDep,
    limit: Annotated[int, Query(ge=1, le=1000)] = 100,
    after: Annotated[int, Query(ge=0, le=MAX_POSITION, description="the last `version` seen")] = 0,
    format: Format = "json",
    lang: Lang = "en",
    min_position: MinPosition = None,
) -> Any:
    """Every movement of the fund with the running balance, counterparty, both clocks, actor."""
    ledger.fund(actor, fund_id)
    _wait(request, views, min_position)
    rows = [
        _yuan_fields(r)
        for r in funds.postings(
            views.funds, str(fund_id), limit if format == "json" else 1_000_000, after
        )
    ]
    if format != "json":
        return tabular(rows, POSTING_COLUMNS, format, lang, "postings")
    return {"items": rows, "next": rows[-1]["version"] if len(rows) == limit else None}


@router.get("/funds/{fund_id}/flows", response_model=FlowsOut)
def flows(
    request: Request,
    fund_id: UUID,
    actor: ActorDep,
    ledger: LedgerDep,
    views: ViewsDep,
    min_position: MinPosition = None,
) -> dict[str, Any]:
    """For a fund and its descendants: received, allocated to each child, paid by type and by
    household category, reversed, returned, unspent."""
    ledger.fund(actor, fund_id)
    _wait(request, views, min_position)
    found = funds.flows(views.funds, str(fund_id))
    if found is None:
        raise FundNotFoundError(f"fund {fund_id} is not in the funds view yet")
    fund, totals = found["fund"], found["totals"]
    return {
        "fund": _yuan_fields(fund),
        "funds_in_tree": totals["funds"],
        "received": yuan(totals["received"]),
        "allocated_in": yuan(fund["allocated_in_fen"]),
        "paid": yuan(totals["paid"]),
        "reversed": yuan(totals["reversed"]),
        "returned": yuan(fund["returned_fen"]),
        "unspent": yuan(totals["unspent"]),
        "allocated_to_children": [
            {
                "fund_id": c["fund_id"],
                "centre_id": c["centre_id"],
                "centre_name": c["centre_name"],
                "allocated": yuan(c["allocated_in_fen"]),
                "returned_up": yuan(c["returned_fen"]),
            }
            for c in found["children"]
        ],
        "paid_by_type": {
            r["k"]: {
                "paid": yuan(int(r["paid"])),
                "reversed": yuan(int(r["reversed"])),
                "payments": int(r["n"]),
            }
            for r in found["by_type"]
        },
        "paid_by_category": {
            r["k"]: {
                "paid": yuan(int(r["paid"])),
                "reversed": yuan(int(r["reversed"])),
                "payments": int(r["n"]),
            }
            for r in found["by_category"]
        },
    }


@router.get(
    "/reports/year-end",
    response_model=YearEndOut,
    responses=spreadsheet_responses("The year-end statistics"),
)
def year_end(
    request: Request,
    centre_id: UUID,
    fiscal_year: Annotated[int, Query(ge=FIRST_YEAR, le=LAST_YEAR)],
    actor: ActorDep,
    ledger: LedgerDep,
    views: ViewsDep,
    format: Format = "json",
    lang: Lang = "en",
    min_position: MinPosition = None,
) -> Any:
    """Year-end statistics per centre of the subtree and per fund source (年终统计)."""
    ledger.centre(actor, centre_id)
    _wait(request, views, min_position)
    rows = [_yuan_fields(r) for r in funds.year_end(views.funds, str(centre_id), fiscal_year)]
    if format != "json":
        return tabular(rows, YEAR_END_COLUMNS, format, lang, f"year-end-{fiscal_year}")
    return {"centre_id": str(centre_id), "fiscal_year": fiscal_year, "rows": rows}
