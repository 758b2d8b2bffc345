"""Health and vocabulary: the words the API uses, with their Chinese terms."""

from __future__ import annotations

from fastapi import APIRouter

from api.deps import LedgerDep
from domain import vocabulary as v

router = APIRouter(tags=["meta"])

TERMS: dict[str, type[v.Term]] = {
    "centre_level": v.CentreLevel, "fund_source": v.FundSource,
    "assistance_type": v.AssistanceType, "category": v.Category, "cause": v.Cause,
    "flag": v.HouseholdFlag, "case_status": v.CaseStatus, "closure_reason": v.ClosureReason,
    "visit_kind": v.VisitKind, "campaign_kind": v.CampaignKind, "role": v.Role,
}


@router.get("/health")
def health(ledger: LedgerDep) -> dict[str, object]:
    return {"status": "ok", "position": ledger.recorder.max_notification_id()}


@router.get("/vocabulary")
def vocabulary() -> dict[str, list[dict[str, str]]]:
    """Every enum value the API accepts, with its Chinese term (中文术语)."""
    return {name: [{"value": t.value, "zh": t.zh} for t in term] for name, term in TERMS.items()}
