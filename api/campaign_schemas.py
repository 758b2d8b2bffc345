"""Campaigns (两节送温暖, 金秋助学 ...): request bodies and the answers of the campaign routes."""

from __future__ import annotations

from datetime import date
from uuid import UUID

from pydantic import BaseModel, Field

from api.responses.base import DayText, Row, UuidText, Yuan
from api.schemas import Amount, Body, GoodsIn, Line, Name, Text
from domain.campaign_terms import ExceptionReason
from domain.policy_parameters import SchoolLevel
from domain.vocabulary import AssistanceType, CampaignKind

Day = Field(default=None, description="the business date (today in Asia/Shanghai if left out)")


class CampaignIn(Body):
    """A campaign at a centre: its kind, window, funds, budget and standards."""

    centre_id: UUID
    kind: CampaignKind
    name: Name = Field(examples=["2027年两节送温暖"])
    starts_on: date
    ends_on: date
    fund_ids: list[UUID] = Field(min_length=1, max_length=20)
    budget: Amount
    standards: dict[str, Amount] = Field(
        default_factory=dict,
        max_length=10,
        description="per household by category (deep_hardship ...); for golden_autumn_education "
        "per student by school level (undergraduate ...), those left out from local policy",
    )
    business_date: date | None = Day


class CampaignVisitIn(Body):
    """A visit (走访慰问) to a household of the campaign."""

    case_id: UUID
    visitors: list[Name] = Field(min_length=1, max_length=50)
    notes: Text = ""
    goods: list[GoodsIn] = Field(default_factory=list, max_length=100)
    business_date: date | None = Day


class CampaignPaymentIn(Body):
    """A payment to a household of the campaign: cash, or goods valued at the amount."""

    case_id: UUID
    fund_id: UUID
    amount: Amount | None = Field(default=None, description="the campaign's standard if left out")
    school_level: SchoolLevel | None = Field(default=None, description="金秋助学: the student's")
    assistance_type: AssistanceType | None = None
    goods: Line | None = Field(default=None, description="goods given, e.g. 米面油一份")
    reference: Line = ""
    business_date: date | None = Day


class ExceptionIn(Body):
    """Why a household of the campaign is not reached."""

    case_id: UUID
    reason: ExceptionReason
    note: Text = ""
    business_date: date | None = Day


class ClosingIn(Body):
    """Close the campaign; each household not reached needs a reason, recorded or given here."""

    reasons: list[ExceptionIn] = Field(default_factory=list, max_length=100_000)
    note: Text = ""
    business_date: date | None = Day


class CampaignOut(BaseModel):
    """A campaign as the view holds it, with its budget used (payments net of reversals)."""

    id: UuidText
    centre_id: UuidText
    kind: CampaignKind
    kind_zh: str
    name: str
    starts_on: DayText
    ends_on: DayText
    status: str
    status_zh: str
    opened_on: DayText
    closed_on: DayText | None
    fund_ids: list[UuidText]
    budget: Yuan
    spent: Yuan
    left: Yuan
    standards: dict[str, Yuan]
    cap: Yuan | None
    at_close: dict[str, int | str] | None = Field(description="the coverage counts at its close")


class CampaignList(BaseModel):
    items: list[CampaignOut]


class CentreCoverage(Row):
    """Households on the roster of one centre, by what reached them."""

    centre_id: UuidText
    centre_name: str | None
    households: int
    visited: int
    paid: int
    both: int
    neither: int
    exceptions: int
    paid_amount: Yuan


class HouseholdMissed(Row):
    """A household not reached, or one with an exception, and the reason recorded."""

    case_id: UuidText
    centre_id: UuidText
    centre_name: str | None
    visited: bool
    paid: bool
    reason: ExceptionReason | None
    reason_zh: str | None
    note: str


class CoverageOut(BaseModel):
    campaign: CampaignOut
    centres: list[CentreCoverage]
    total: dict[str, int | str]
    unreached: list[HouseholdMissed] = Field(description="neither visited nor paid")
    unreached_without_reason: int
    exceptions: list[HouseholdMissed]
