"""Referrals to government channels (转介): one as its aggregate holds it, the open list with
ages, and the counts by channel and outcome."""

from __future__ import annotations

from datetime import date
from uuid import UUID

from pydantic import BaseModel, Field

from api.responses.base import DayText, Row, UuidText, Yuan
from domain.vocabulary import ReferralChannel, ReferralDecision, ReferralStatus


class OutcomeOut(BaseModel):
    """The receiving body's answer in force (the latest correction, if any)."""

    id: UUID
    decision: ReferralDecision
    decision_zh: str
    amount: Yuan | None
    service: str
    reason: str
    decided_on: date
    corrections: int = Field(description="how many times the answer was corrected")


class FollowUpOut(BaseModel):
    id: UUID
    on: date
    note: str
    actor: str


class ReferralOut(BaseModel):
    id: UUID
    case_id: UUID
    number: int = Field(description="the referral's number within its case (1, 2, ...)")
    centre_id: UUID
    channel: ReferralChannel
    channel_zh: str
    receiving_body: str
    note: str
    referred_on: date
    referred_by: str
    status: ReferralStatus
    status_zh: str
    outcome: OutcomeOut | None
    follow_ups: list[FollowUpOut]
    withdrawn_on: date | None
    withdrawal_reason: str
    version: int


class OpenReferralRow(Row):
    """A referral still open on the day asked about, and its age then."""

    id: UuidText
    case_id: UuidText
    number: int
    centre_id: UuidText
    channel: str
    channel_zh: str
    receiving_body: str
    referred_on: DayText
    age_days: int = Field(description="days from the referral to the day asked about")
    follow_ups: int = Field(description="follow-ups recorded so far")
    last_follow_up_on: DayText | None


class OpenReferralPage(BaseModel):
    as_of: date
    items: list[OpenReferralRow]
    next: UuidText | None = Field(description="pass as `after` for the next page; null at the end")


class ReferralCounts(BaseModel):
    """Referrals made, and where they stand now; the amount granted to them."""

    made: int
    open: int
    accepted: int
    partly_accepted: int
    refused: int
    withdrawn: int
    granted: Yuan


class ReferralChannelCounts(ReferralCounts):
    channel: ReferralChannel
    channel_zh: str


class ReferralStatisticsOut(BaseModel):
    """The subtree's referrals made in the period, by channel and outcome."""

    centre_id: UuidText | None
    date_from: date | None = Field(serialization_alias="from")
    date_to: date | None = Field(serialization_alias="to")
    rows: list[ReferralChannelCounts]
    total: ReferralCounts
