"""The funds pages: the funds of the visitor's subtree, and one fund with its postings.

Both read the funds view through the same functions as GET /funds and GET /funds/{id}/postings
(projections.funds), after the same scope checks (``centre_scope``, ``Ledger.fund``); the fund's
balance comes from the fund itself, so it is current even while the view catches up."""

from __future__ import annotations

from typing import Annotated, Any
from uuid import UUID

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse

from api.deps import FIRST_YEAR, LAST_YEAR, LedgerDep, MinPosition, centre_scope
from api.web.i18n import language_of as request_lang
from api.web.pages.approvals_support import reserved_by_fund
from api.web.pages.funds_shared import (
    EVERY_ROW,
    may_record,
    number,
    reader,
    sort_and_page,
)
from api.web.templating import render
from api.web.visitors import VisitorDep
from domain.application import Ledger
from domain.errors import ForbiddenError, InvalidInputError
from domain.funds import Fund
from domain.vocabulary import AssistanceType, FundSource
from projections import fund_reports, funds
from projections.view import FUND_MOVEMENTS

router = APIRouter(include_in_schema=False)

MOVEMENTS = {event.__name__: event for event in FUND_MOVEMENTS}
"""A posting's ``type`` (the event's class name) -> the event class, for its label."""

FUND_SORTS = {
    "name": lambda r: r["name"],
    "centre": lambda r: r["order"],
    "source": lambda r: r["source"],
    "year": lambda r: r["fiscal_year"],
    "received": lambda r: r["received_fen"],
    "allocated_in": lambda r: r["allocated_in_fen"],
    "allocated_out": lambda r: r["allocated_out_fen"],
    "paid": lambda r: r["paid_fen"],
    "balance": lambda r: r["balance_fen"],
    "tree": lambda r: (-r["fiscal_year"], r["order"], r["name"]),
}
POSTING_SORTS = {
    "no": lambda r: r["version"],
    "date": lambda r: (r["business_date"], r["version"]),
    "amount": lambda r: (r["amount_fen"], r["version"]),
}
TOTALS = (
    "received_fen",
    "allocated_in_fen",
    "allocated_out_fen",
    "paid_fen",
    "balance_fen",
    "available_fen",
)


def _uuid(text: str, what: str) -> UUID | None:
    if not text.strip():
        return None
    try:
        return UUID(text.strip())
    except ValueError:
        raise InvalidInputError(f"{what} {text[:40]!r} is not an id") from None


@router.get("/app/funds", response_class=HTMLResponse)
def funds_list(
    request: Request,
    visitor: VisitorDep,
    ledger: LedgerDep,
    centre: str = "",
    year: str = "",
    source: str = "",
    purpose: str = "",
    q: Annotated[str, Query(max_length=200)] = "",
    sort: str = "tree",
    page: Annotated[int, Query(ge=1, le=100_000)] = 1,
    min_position: MinPosition = None,
) -> HTMLResponse:
    """Every fund of the visitor's subtree (or of a centre in it), filtered, sorted, paged;
    each with its balance and what is available of it (less pending payment requests)."""
    actor = visitor.actor
    scope = centre_scope(ledger, actor, _uuid(centre, "the centre"))
    own = str(actor.centre_id) if actor.centre_id else None
    read = reader(request, visitor, ledger, min_position)
    views = read.caught_up("funds")
    held = reserved_by_fund(read.caught_up("approvals"), scope)  # 预留 by pending requests
    fiscal_year = number(year, FIRST_YEAR, LAST_YEAR)
    centres = fund_reports.centres(views.funds, own)  # in tree order
    by_id = {c["centre_id"]: c | {"order": n} for n, c in enumerate(centres)}
    rows = []
    for row in funds.list_funds(views.funds, scope, fiscal_year, EVERY_ROW):
        purposes = [AssistanceType(p) for p in row["purposes"].split(",") if p]
        if (source and row["source"] != source) or (purpose and purpose not in purposes):
            continue
        if q.strip() and q.strip().casefold() not in row["name"].casefold():
            continue
        where = by_id.get(row["centre_id"], {"name": "", "order": len(centres)})
        paid = row["disbursed_fen"] - row["reversed_fen"]
        available = row["balance_fen"] - held.get(row["fund_id"], 0)
        rows.append(
            row
            | {"purposes": purposes, "source": FundSource(row["source"])}
            | {"centre_name": where["name"], "order": where["order"]}
            | {"paid_fen": paid, "available_fen": available}
        )
    paged = sort_and_page(rows, sort, FUND_SORTS, "tree", page)
    context = {
        "paged": paged,
        "totals": {k: sum(r[k] for r in rows) for k in TOTALS},
        "centres": centres,
        "sources": list(FundSource),
        "purposes": list(AssistanceType),
        "filters": {"centre": centre, "year": year, "source": source, "purpose": purpose, "q": q},
        "export": {"format": "xlsx", "lang": request_lang(request)}
        | ({"centre_id": scope} if scope else {})
        | ({"fiscal_year": fiscal_year} if fiscal_year else {}),
        "may_record": may_record(actor, [actor.centre_id] if actor.centre_id else []),
    }
    return render(request, "funds/list.html", context)


def fund_facts(ledger: Ledger, visitor: VisitorDep, fund: Fund) -> dict[str, Any]:
    """What every page about a fund shows at its top: where it is, its balance, its parent."""
    actor = visitor.actor
    parent = None
    if fund.parent_fund_id is not None:
        try:
            parent = ledger.fund(actor, fund.parent_fund_id)
        except ForbiddenError:  # above the visitor's subtree: named, not linked
            parent = None
    return {
        "fund": fund,
        "centre": ledger.centre(actor, fund.centre_id),
        "parent": parent,
        "parent_centre": ledger.centre(actor, parent.centre_id) if parent else None,
        "may_record": may_record(actor, fund.centre_path),
    }


@router.get("/app/funds/{fund_id:uuid}", response_class=HTMLResponse)
def fund_page(
    request: Request,
    fund_id: UUID,
    visitor: VisitorDep,
    ledger: LedgerDep,
    min_position: MinPosition = None,
    done: MinPosition = None,
    requested: Annotated[UUID | None, Query()] = None,
    kind: str = "",
    start: str = "",
    end: str = "",
    sort: str = "-no",
    page: Annotated[int, Query(ge=1, le=100_000)] = 1,
) -> HTMLResponse:
    """A fund: its balance in view, its postings (the statement), and the finance actions;
    after a payment request made on its form (``requested``), what the request holds."""
    fund = ledger.fund(visitor.actor, fund_id)
    views = reader(request, visitor, ledger, min_position).caught_up("funds")
    every = funds.postings(views.funds, str(fund_id), EVERY_ROW, 0)
    rows = [
        r
        | {
            "assistance_type": AssistanceType(r["assistance_type"])
            if r["assistance_type"]
            else None
        }
        for r in every
        if (not kind or r["type"] == kind)
        and (not start or r["business_date"] >= start)
        and (not end or r["business_date"] <= end)
    ]
    recorded = None
    if done is not None:  # the posting of the write just made: this fund's last up to it
        mine = [r for r in every if r["position"] <= done]
        recorded = max(mine, key=lambda r: r["position"]) if mine else None
    flows = funds.flows(views.funds, str(fund_id)) or {"children": []}
    context = fund_facts(ledger, visitor, fund) | {
        "paged": sort_and_page(rows, sort, POSTING_SORTS, "-no", page),
        "movements": MOVEMENTS,
        "children": {c["fund_id"]: c["centre_name"] for c in flows["children"]},
        "recorded": recorded,
        "requested": ledger.payment_request(visitor.actor, requested) if requested else None,
        "filters": {"kind": kind, "start": start, "end": end},
    }
    return render(request, "funds/fund.html", context)
