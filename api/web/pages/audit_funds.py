"""A fund for the auditor: its balance over time and at any past date (the funds view, as
GET /funds/{id}/balance and /postings read it), its provenance trace down to the households
(GET /supervision/provenance/{id}), and the provenance of one payment up to its source fund."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from api.deps import MAX_POSITION
from api.routers.supervision import settled
from api.routers.supervision import trace as trace_route
from api.web.forms import Form
from api.web.i18n import vocab
from api.web.pages.audit_support import (
    PAGE,
    ZONE,
    AuditorDep,
    ReaderDep,
    day_in_window,
    export_links,
    fund_event,
    moment,
    whole_tree,
)
from api.web.templating import render
from domain.errors import ForbiddenError, FundNotFoundError, InvalidInputError
from domain.funds import Fund
from projections import funds
from projections.fund_charts import centres, daily_balances

router = APIRouter(include_in_schema=False)


def _version(form: Form) -> int:
    """The postings cursor: the last version seen (0 for the first page)."""
    text = form.text("after", required=False)
    if text.isdigit() and int(text) <= MAX_POSITION:
        return int(text)
    return 0


@router.get("/app/audit/funds/{fund_id:uuid}", response_class=HTMLResponse)
def fund_balance(
    request: Request, fund_id: UUID, visitor: AuditorDep, read: ReaderDep
) -> HTMLResponse:
    """The balance over time (a line chart by business date), the balance at any past date as
    known now or at a past moment, and the fund's postings a page at a time."""
    fund = read.ledger.fund(visitor.actor, fund_id)
    form = Form(dict(request.query_params))
    as_of, known_at = day_in_window(form, "as_of"), moment(form, "known_at")
    views = settled(read, "funds")
    fid = str(fund_id)
    now = funds.balance(views.funds, fid)
    if now is None:
        raise FundNotFoundError(f"fund {fund_id} is not in the funds view yet")
    asked = None
    if form.ok and (as_of or known_at):
        asked = funds.balance(views.funds, fid, as_of.isoformat() if as_of else None, known_at)
    points = daily_balances(views.funds, fid, known_at if form.ok else None)
    today = read.ledger.clock.now().astimezone(ZONE).date().isoformat()
    if points and points[-1][0] < today:
        points.append((today, points[-1][1]))
    after = _version(form)
    postings = funds.postings(views.funds, fid, PAGE, after)
    names = {c["centre_id"]: c["name"] for c in centres(views.funds, None)}
    chart = {
        "points": [[d, fen] for d, fen in points],
        "as_of": as_of.isoformat() if as_of and form.ok else None,
        "as_of_fen": asked,
    }
    context: dict[str, Any] = {
        "fund": fund,
        "centre_name": names.get(str(fund.centre_id), ""),
        "balance_now": now,
        "asked": asked,
        "as_of": as_of,
        "known_at": known_at,
        "errors": form.errors,
        "values": form.values,
        "chart": chart,
        "postings": postings,
        "after": after,
        "next": postings[-1]["version"] if len(postings) == PAGE else None,
        "exports": export_links(request, f"/funds/{fid}/postings", {}),
        "fund_event": fund_event,
        "vocab": vocab,
        "whole_tree": whole_tree(visitor.actor),
        "parent_readable": visitor.actor.centre_id is None
        or visitor.actor.centre_id in fund.centre_path[:-1],
    }
    status = 200 if form.ok else 422
    return render(request, "audit/fund.html", context, status=status)


@router.get("/app/audit/funds/{fund_id:uuid}/trace", response_class=HTMLResponse)
def fund_trace(
    request: Request, fund_id: UUID, visitor: AuditorDep, read: ReaderDep
) -> HTMLResponse:
    """The fund's tree as of a business date, down to the households paid (a page of them),
    as GET /supervision/provenance/{id} answers it."""
    fund = read.ledger.fund(visitor.actor, fund_id)
    form = Form(dict(request.query_params))
    as_of = day_in_window(form, "as_of")
    after = form.text("after", required=False) or None
    tree: dict[str, Any] | None = None
    if form.ok:
        try:
            tree = trace_route(fund_id, read, as_of, PAGE, after, "json", "en")
        except InvalidInputError as error:  # a cursor that is not one of the trace's
            form.refuse(error, "after")
    names = {c["centre_id"]: c["name"] for c in centres(read.views.funds, None)}
    context = {
        "fund": fund,
        "tree": tree,
        "as_of": as_of,
        "errors": form.errors,
        "values": form.values,
        "centre_names": names,
        "vocab": vocab,
    }
    return render(request, "audit/trace.html", context, status=200 if form.ok else 422)


def _chain(read: Any, fund_id: UUID) -> tuple[list[Fund], bool]:
    """The funds a payment's money came down through, from the paying fund up to its source
    fund; and whether a fund above them lies outside what the visitor may read."""
    chain: list[Fund] = []
    next_id: UUID | None = fund_id
    while next_id is not None:
        try:
            fund = read.ledger.fund(read.actor, next_id)
        except ForbiddenError:
            return chain, True
        chain.append(fund)
        next_id = fund.parent_fund_id
    return chain, False


@router.get("/app/audit/payments/{payment_id:uuid}", response_class=HTMLResponse)
def payment_provenance(
    request: Request, payment_id: UUID, visitor: AuditorDep, read: ReaderDep
) -> HTMLResponse:
    """Where one payment's money came from: the paying fund, each fund above it that
    allocated the money down, and the source fund at the top with its appropriations."""
    payment = read.ledger.payment(visitor.actor, payment_id)
    chain, above = _chain(read, payment.fund_id)
    names = {c["centre_id"]: c["name"] for c in centres(settled(read, "funds").funds, None)}
    context = {
        "payment": payment,
        "chain": list(reversed(chain)),  # the source first, down to the fund that paid
        "above_scope": above,
        "source": chain[-1] if chain and not above else None,
        "centre_names": names,
        "vocab": vocab,
        "whole_tree": whole_tree(visitor.actor),
    }
    return render(request, "audit/payment.html", context)
