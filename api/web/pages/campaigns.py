"""Campaigns (两节送温暖, 金秋助学, 夏送清凉, 春风行动) for supervisors and finance staff: the
campaigns that reach the visitor's subtree (GET /campaigns), and one campaign's coverage per
centre (GET /campaigns/{id}/coverage): households on its roster visited, paid, both, neither,
with the exceptions; its budget used; the households not reached with their reasons; the API's
CSV and XLSX downloads beside them. Both read the campaigns view after the API's scope checks."""

from __future__ import annotations

from typing import Any, Literal
from uuid import UUID

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from api.deps import LedgerDep, MinPosition, centre_scope
from api.web.forms import Form
from api.web.pages.approvals_support import fund_names
from api.web.pages.audit_support import export_links
from api.web.pages.funds_shared import reader
from api.web.pages.households_support import yuan_text
from api.web.templating import render
from api.web.visitors import Visitor, VisitorDep
from domain.errors import CampaignNotFoundError
from domain.money import parse_yuan
from projections import Views, campaign_coverage
from projections.fund_reports import centres

router = APIRouter(include_in_schema=False)
STATUSES = ("open", "closed")


def _budget(campaign: dict[str, Any]) -> dict[str, Any]:
    """The budget and what is used of it (payments net of reversals), in fen, and the share."""
    budget = parse_yuan(campaign["budget"], allow_zero=True)
    spent = parse_yuan(campaign["spent"], allow_zero=True)
    share = round(100 * spent / budget) if budget else 0
    return {"budget_fen": budget, "spent_fen": spent, "left_fen": budget - spent, "share": share}


def _centres(views: Views, visitor: Visitor) -> dict[str, Any]:
    """Every centre's name (a campaign above the subtree is named), and the centres of the
    visitor's subtree to choose from, indented as a tree."""
    own = str(visitor.actor.centre_id) if visitor.actor.centre_id else None
    return {
        "centre_name": {c["centre_id"]: c["name"] for c in centres(views.funds, None)},
        "centre_choices": [
            (c["centre_id"], "\u3000" * c["depth"] + c["name"]) for c in centres(views.funds, own)
        ],
    }


def _scope(request: Request, visitor: VisitorDep, ledger: LedgerDep) -> tuple[Form, str | None]:
    """The centre the page covers: the one asked for (if the visitor may), else their own."""
    form = Form({"centre_id": request.query_params.get("centre_id", "").strip()})
    asked = form.id("centre_id", required=False)
    return form, centre_scope(ledger, visitor.actor, asked)


@router.get("/app/campaigns", response_class=HTMLResponse)
def campaigns_list(
    request: Request,
    visitor: VisitorDep,
    ledger: LedgerDep,
    status: Literal["open", "closed", ""] = "",
    min_position: MinPosition = None,
) -> HTMLResponse:
    """The campaigns of the subtree and those above it that reach it, newest window first."""
    form, scope = _scope(request, visitor, ledger)
    views = reader(request, visitor, ledger, min_position).caught_up("campaigns")
    found = campaign_coverage.campaigns(views.campaigns, scope, status or None)
    context = _centres(views, visitor) | {
        "rows": [c | _budget(c) for c in found],
        "statuses": STATUSES,
        "values": form.values | {"centre_id": scope or "", "status": status},
        "errors": form.errors,
    }
    return render(request, "campaigns/list.html", context, 200 if form.ok else 422)


@router.get("/app/campaigns/{campaign_id:uuid}", response_class=HTMLResponse)
def campaign_page(
    request: Request,
    campaign_id: UUID,
    visitor: VisitorDep,
    ledger: LedgerDep,
    min_position: MinPosition = None,
) -> HTMLResponse:
    """A campaign: its plan, budget used, coverage per centre and households not reached."""
    ledger.campaign(visitor.actor, campaign_id)  # the API's check: its centre, or one below it
    form, scope = _scope(request, visitor, ledger)
    views = reader(request, visitor, ledger, min_position).caught_up("campaigns")
    found = campaign_coverage.coverage(views.campaigns, str(campaign_id), scope)
    if found is None:
        raise CampaignNotFoundError(f"the campaigns view has no campaign {campaign_id} yet")
    campaign = found["campaign"]
    funds = fund_names(views, None)
    path = f"/campaigns/{campaign_id}/coverage"
    context = (
        found
        | _centres(views, visitor)
        | {
            "campaign": campaign | _budget(campaign),
            "funds": [(f, funds.get(f, f[:8])) for f in campaign["fund_ids"]],
            "yuan": yuan_text,
            "values": form.values | {"centre_id": scope or ""},
            "errors": form.errors,
            "coverage_exports": export_links(
                request, path, {"centre_id": scope, "rows": "centres"}
            ),
            "unreached_exports": export_links(
                request, path, {"centre_id": scope, "rows": "unreached"}
            ),
        }
    )
    return render(request, "campaigns/campaign.html", context, 200 if form.ok else 422)
