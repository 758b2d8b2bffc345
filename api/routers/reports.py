"""Fund read models: balances on two clocks, postings, flows, and year-end statistics."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Annotated, Any
from uuid import UUID

from fastapi import APIRouter, Query

from api import columns
from api.deps import (
    FIRST_YEAR,
    LAST_YEAR,
    MAX_POSITION,
    Day,
    Moment,
    Reader,
    ReaderDep,
    SubtreeDep,
)
from api.exports import Format, Lang, page, tabular
from api.responses import BalanceOut, FlowsOut, FundPage, PostingPage, YearEndOut
from api.routers import listing
from api.rows import in_yuan
from domain.errors import FundNotFoundError, InvalidInputError
from domain.money import yuan
from projections import Views, funds

router = APIRouter(tags=["fund reports 资金报表"])


def _in_view(read: Reader, fund_id: UUID, look: Callable[[Views], Any]) -> Any:
    """What ``look`` finds of a fund the ledger holds in the funds view; a fund so new that the
    view has not seen it yet is waited for (up to the log's head, as a read with min_position)."""
    found = look(read.caught_up("funds"))
    if found is None:
        found = look(read.caught_up_to_head("funds"))
    if found is None:
        raise FundNotFoundError(f"fund {fund_id} is not in the funds view yet")
    return found


def _totals(rows: Iterable[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    """Paid and reversed yuan and the number of payments, per key (a type or a category)."""
    return {
        r["k"]: {
            "paid": yuan(int(r["paid"])),
            "reversed": yuan(int(r["reversed"])),
            "payments": int(r["n"]),
        }
        for r in rows
    }


@router.get("/funds", **listing(FundPage, "A page of funds"))
def list_funds(
    read: ReaderDep,
    scope: SubtreeDep,
    fiscal_year: Annotated[int | None, Query(ge=FIRST_YEAR, le=LAST_YEAR)] = None,
    limit: Annotated[int, Query(ge=1, le=1000)] = 100,
    after: str | None = None,
    format: Format = "json",
    lang: Lang = "en",
) -> Any:
    """Every fund of a centre subtree with its balance now (a page at a time)."""
    views = read.caught_up("funds")
    fetch = limit if format == "json" else 1_000_000
    rows = [in_yuan(r) for r in funds.list_funds(views.funds, scope, fiscal_year, fetch, after)]
    if format != "json":
        return tabular(rows, columns.FUNDS, format, lang, "funds")
    return page(rows, limit, "fund_id")


@router.get("/funds/{fund_id:uuid}/balance", response_model=BalanceOut)
def balance(
    fund_id: UUID,
    read: ReaderDep,
    as_of: Annotated[
        Day | None, Query(description="business date: money that moved up to and on this day")
    ] = None,
    known_at: Annotated[
        Moment | None, Query(description="recorded time: what the books said at this moment")
    ] = None,
) -> dict[str, Any]:
    """A fund's balance now, or at a past business date, as known now or at a past moment."""
    read.ledger.fund(read.actor, fund_id)
    if known_at is not None and known_at.tzinfo is None:
        raise InvalidInputError("known_at needs a time zone, e.g. 2026-01-31T23:59:59+08:00")
    day = as_of.isoformat() if as_of else None
    fen = _in_view(read, fund_id, lambda v: funds.balance(v.funds, str(fund_id), day, known_at))
    return {"fund_id": str(fund_id), "as_of": as_of, "known_at": known_at, "balance": yuan(fen)}


@router.get("/funds/{fund_id:uuid}/postings", **listing(PostingPage, "A page of postings"))
def postings(
    fund_id: UUID,
    read: ReaderDep,
    limit: Annotated[int, Query(ge=1, le=1000)] = 100,
    after: Annotated[int, Query(ge=0, le=MAX_POSITION, description="the last `version` seen")] = 0,
    format: Format = "json",
    lang: Lang = "en",
) -> Any:
    """Every movement of the fund with the running balance, counterparty, both clocks, actor."""
    read.ledger.fund(read.actor, fund_id)
    views = read.caught_up("funds")
    fetch = limit if format == "json" else 1_000_000
    rows = [in_yuan(r) for r in funds.postings(views.funds, str(fund_id), fetch, after)]
    if format != "json":
        return tabular(rows, columns.POSTINGS, format, lang, "postings")
    return page(rows, limit, "version")


@router.get("/funds/{fund_id:uuid}/flows", response_model=FlowsOut)
def flows(fund_id: UUID, read: ReaderDep) -> dict[str, Any]:
    """For a fund and its descendants: received, allocated to each child, paid by type and by
    household category, reversed, returned, unspent."""
    read.ledger.fund(read.actor, fund_id)
    found = _in_view(read, fund_id, lambda v: funds.flows(v.funds, str(fund_id)))
    fund, totals = found["fund"], found["totals"]
    return {
        "fund": in_yuan(fund),
        "funds_in_tree": totals["funds"],
        "received": yuan(totals["received"]),
        "allocated_in": yuan(fund["allocated_in_fen"]),
        "paid": yuan(totals["paid"]),
        "reversed": yuan(totals["reversed"]),
        "returned": yuan(fund["returned_fen"]),
        "unspent": yuan(totals["unspent"]),
        "allocated_to_children": [
            in_yuan(c)
            | {"allocated": yuan(c["allocated_in_fen"]), "returned_up": yuan(c["returned_fen"])}
            for c in found["children"]
        ],
        "paid_by_type": _totals(found["by_type"]),
        "paid_by_category": _totals(found["by_category"]),
    }


@router.get("/reports/year-end", **listing(YearEndOut, "The year-end statistics"))
def year_end(
    centre_id: UUID,
    fiscal_year: Annotated[int, Query(ge=FIRST_YEAR, le=LAST_YEAR)],
    read: ReaderDep,
    format: Format = "json",
    lang: Lang = "en",
) -> Any:
    """Year-end statistics per centre of the subtree and per fund source (年终统计)."""
    read.ledger.centre(read.actor, centre_id)
    found = funds.year_end(read.caught_up("funds").funds, str(centre_id), fiscal_year)
    rows = [in_yuan(r) for r in found]
    if format != "json":
        return tabular(rows, columns.YEAR_END, format, lang, f"year-end-{fiscal_year}")
    return {"centre_id": str(centre_id), "fiscal_year": fiscal_year, "rows": rows}
