"""The auditor's front page: the funds of the visitor's subtree with their balance, a payment
looked up by its number, and whether money was conserved (for users of the whole tree)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from api.routers.supervision import settled
from api.web.forms import Form
from api.web.i18n import vocab
from api.web.pages.audit_support import (
    PAGE,
    AuditorDep,
    ReaderDep,
    export_links,
    subtree,
    whole_tree,
)
from api.web.templating import render
from domain.access import Permission
from projections import conservation as conservation_view
from projections.fund_charts import centres
from projections.fund_reports import list_funds

router = APIRouter(include_in_schema=False)
SHOWN = 10_000  # funds sorted on the page at most (the export holds them all)

SORTS = {
    "name": lambda r: (r["name"], r["fiscal_year"], r["centre_name"]),
    "centre": lambda r: r["centre_name"],
    "source": lambda r: r["source"],
    "year": lambda r: r["fiscal_year"],
    "balance": lambda r: r["balance_fen"],
}


def _page_number(request: Request) -> int:
    text = request.query_params.get("page", "1")
    return max(1, int(text)) if text.isdigit() and len(text) < 7 else 1


@router.get("/app/audit", response_class=HTMLResponse)
def audit_home(request: Request, visitor: AuditorDep, read: ReaderDep) -> HTMLResponse:
    """The funds of the visitor's subtree (sortable, paged), with links to their pages."""
    actor = visitor.actor
    scope = subtree(read.ledger, actor, None)
    views = settled(read, "funds")
    names = {c["centre_id"]: c["name"] for c in centres(views.funds, scope)}
    funds = [
        r | {"centre_name": names.get(r["centre_id"], "")}
        for r in list_funds(views.funds, scope, None, SHOWN)
    ]
    sort = request.query_params.get("sort", "name")
    key = SORTS.get(sort.lstrip("-"), SORTS["name"])
    funds.sort(key=key, reverse=sort.startswith("-"))
    page = _page_number(request)
    shown = funds[(page - 1) * PAGE : page * PAGE]
    conservation = None
    if whole_tree(actor):  # as GET /audit/conservation: the whole tree only
        actor.require(Permission.READ, [])
        conservation = conservation_view.totals(settled(read, "conservation").conservation)
    context: dict[str, Any] = {
        "funds": shown,
        "count": len(funds),
        "capped": len(funds) == SHOWN,
        "page": page,
        "has_next": page * PAGE < len(funds),
        "exports": export_links(request, "/funds", {}),
        "vocab": vocab,
        "conservation": conservation,
        "whole_tree": whole_tree(actor),
        "errors": {},
        "values": {},
    }
    return render(request, "audit/index.html", context)


@router.get("/app/audit/payments")
def find_payment(request: Request, visitor: AuditorDep) -> Response:
    """A payment looked up by its number: its provenance page, or what is wrong with it."""
    form = Form(dict(request.query_params))
    payment_id = form.id("payment_id")
    if payment_id is None:
        if form.errors.get("payment_id") == "form.bad_choice":
            form.errors["payment_id"] = "audit.bad_payment_id"
        context = {"errors": form.errors, "values": form.values}
        return render(request, "audit/lookup.html", context, status=422)
    return RedirectResponse(f"/app/audit/payments/{payment_id}", status_code=303)
