"""Campaigns (两节送温暖, 金秋助学, 夏送清凉, 春风行动): open one, visit and pay its households,
record why one was not reached, read its coverage (per centre, and the households not reached),
close it with a reason for each household not reached."""

from __future__ import annotations

from typing import Annotated, Any, Literal
from uuid import UUID

from fastapi import APIRouter, Query

from api import columns
from api.campaign_schemas import (
    CampaignIn,
    CampaignList,
    CampaignOut,
    CampaignPaymentIn,
    CampaignVisitIn,
    ClosingIn,
    CoverageOut,
    ExceptionIn,
)
from api.deps import ActorDep, ContextDep, LedgerDep, ReaderDep, SubtreeDep
from api.exports import Format, Lang, tabular
from api.routers import CREATED, listing
from api.schemas import Created
from domain.campaign_terms import Excuse, Plan
from domain.cases import Goods
from domain.errors import CampaignNotFoundError
from projections import campaign_coverage

router = APIRouter(tags=["campaigns 帮扶活动"])
Rows = Literal["centres", "unreached"]


@router.post("/campaigns", **CREATED)
def open_campaign(body: CampaignIn, ctx: ContextDep, ledger: LedgerDep) -> Created:
    """Open a campaign at a centre (finance staff): its roster is every active household of
    the centre's subtree, and those filed during the window. Answers the campaign's id."""
    window = (body.starts_on, body.ends_on)
    plan = Plan(body.kind, body.name, window, body.budget, body.standards)
    outcome = ledger.open_campaign(ctx, body.centre_id, plan, body.fund_ids, body.business_date)
    return Created.of(outcome)


@router.post("/campaigns/{campaign_id:uuid}/visits", **CREATED)
def visit(campaign_id: UUID, body: CampaignVisitIn, ctx: ContextDep, ledger: LedgerDep) -> Created:
    """A visit (走访慰问) to a household of the campaign, within its window (caseworker);
    answers the visit's id and the case's."""
    goods = [Goods(g.item, g.value) for g in body.goods]
    outcome = ledger.campaign_visit(
        ctx, campaign_id, body.case_id, body.visitors, body.notes, goods, body.business_date
    )
    return Created.of(outcome)


@router.post("/campaigns/{campaign_id:uuid}/payments", **CREATED)
def pay(campaign_id: UUID, body: CampaignPaymentIn, ctx: ContextDep, ledger: LedgerDep) -> Created:
    """Pay a household of the campaign from one of its funds (finance staff), within its
    budget and standard; answers the payment's id."""
    outcome = ledger.campaign_payment(
        ctx, campaign_id, body.case_id, body.fund_id, body.amount, body.business_date,
        school_level=body.school_level, assistance_type=body.assistance_type,
        goods=body.goods, reference=body.reference,
    )  # fmt: skip
    return Created.of(outcome)


@router.post("/campaigns/{campaign_id:uuid}/exceptions", **CREATED)
def note_exception(
    campaign_id: UUID, body: ExceptionIn, ctx: ContextDep, ledger: LedgerDep
) -> Created:
    """Record why a household is not reached (refused, moved away, unreachable ...);
    answers the campaign's id and the case's."""
    excuse = Excuse(body.reason, body.note)
    outcome = ledger.note_campaign_exception(
        ctx, campaign_id, body.case_id, excuse, body.business_date
    )
    return Created.of(outcome)


@router.post("/campaigns/{campaign_id:uuid}/close", **CREATED)
def close(campaign_id: UUID, body: ClosingIn, ctx: ContextDep, read: ReaderDep) -> Created:
    """Close the campaign (finance staff): refused, naming how many, while a household not
    reached (as the roster stands now) has no reason recorded or given here."""
    read.ledger.campaign(ctx.actor, campaign_id)
    view = read.caught_up_to_head("campaigns").campaigns
    unreached = [UUID(c) for c in campaign_coverage.unreached_cases(view, str(campaign_id))]
    reasons = {r.case_id: Excuse(r.reason, r.note) for r in body.reasons}
    outcome = read.ledger.close_campaign(
        ctx, campaign_id, unreached, reasons, body.note, body.business_date
    )
    return Created.of(outcome)


@router.get("/campaigns", response_model=CampaignList)
def list_campaigns(
    read: ReaderDep,
    scope: SubtreeDep,
    status: Annotated[Literal["open", "closed"] | None, Query()] = None,
) -> Any:
    """The campaigns of a subtree and those above it that reach it, newest window first."""
    view = read.caught_up("campaigns").campaigns
    return {"items": campaign_coverage.campaigns(view, scope, status)}


@router.get("/campaigns/{campaign_id:uuid}", response_model=CampaignOut)
def get_campaign(campaign_id: UUID, read: ReaderDep, actor: ActorDep) -> Any:
    """One campaign: its plan, status and budget used (payments net of reversals)."""
    read.ledger.campaign(actor, campaign_id)
    found = campaign_coverage.campaign_of(read.caught_up("campaigns").campaigns, str(campaign_id))
    if found is None:
        raise CampaignNotFoundError(f"the campaigns view has no campaign {campaign_id} yet")
    return found


@router.get("/campaigns/{campaign_id:uuid}/coverage", **listing(CoverageOut, "Coverage"))
def coverage(
    campaign_id: UUID,
    read: ReaderDep,
    actor: ActorDep,
    scope: SubtreeDep,
    rows: Annotated[Rows, Query(description="what a spreadsheet lists")] = "centres",
    format: Format = "json",
    lang: Lang = "en",
) -> Any:
    """Per centre, the households on the roster visited, paid, both and neither, with the
    exceptions and their reasons; the households not reached; the budget used; the counts at
    its close. A user bound to a centre sees the households of their subtree."""
    found = _coverage(campaign_id, read, actor, scope)
    if format == "json":
        return found
    if rows == "unreached":
        name = f"campaign-unreached-{campaign_id}"
        return tabular(found["unreached"], columns.CAMPAIGN_UNREACHED, format, lang, name)
    listed = [*found["centres"], found["total"] | {"centre_name": "合计 total"}]
    return tabular(listed, columns.CAMPAIGN_COVERAGE, format, lang, f"campaign-{campaign_id}")


def _coverage(campaign_id: UUID, read: ReaderDep, actor: ActorDep, scope: str | None) -> Any:
    read.ledger.campaign(actor, campaign_id)
    view = read.caught_up("campaigns").campaigns
    found = campaign_coverage.coverage(view, str(campaign_id), scope)
    if found is None:
        raise CampaignNotFoundError(f"the campaigns view has no campaign {campaign_id} yet")
    return found
