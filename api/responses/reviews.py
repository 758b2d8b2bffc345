"""Dynamic management (动态管理): a household's income records, the reviews due, the exit
candidates, and the archive's statistics beyond money."""

from __future__ import annotations

from datetime import date
from typing import Literal
from uuid import UUID

from pydantic import BaseModel, Field

from api.responses.base import DayText, Row, UuidText, Yuan
from api.responses.referrals import ReferralChannelCounts, ReferralCounts


class MemberIncomeOut(BaseModel):
    relation: str
    income: Yuan
    employed: bool


class IncomeRecordOut(BaseModel):
    """A month's income record, judged against the 低保 line in force at the household's
    centre on the first day of the month."""

    id: UUID
    month: str = Field(description="YYYY-MM")
    household_size: int
    household_income: Yuan
    per_capita_income: Yuan
    hardship_costs: Yuan
    line: Yuan | None = Field(description="the 低保 line in force that month (null: none)")
    above_line: bool
    members: list[MemberIncomeOut]
    note: str
    recorded_by: str
    recorded_on: date
    corrects: UUID | None = Field(description="the record this one corrects, if any")


class IncomeBookOut(BaseModel):
    case_id: UUID
    records: list[IncomeRecordOut] = Field(description="each month's record in force")
    corrected: list[IncomeRecordOut] = Field(description="records later corrected (kept)")


class ReviewDueRow(Row):
    """An active archive whose review is due soon or overdue on the day asked about."""

    case_id: UuidText
    centre_id: UuidText
    category: str
    last_reviewed_on: DayText = Field(description="its last filing, review or reopening")
    interval_months: int = Field(description="the review interval in force at its centre")
    due_on: DayText
    days_left: int = Field(description="days from the day asked about to the due date")
    state: Literal["due", "overdue"]


class ReviewDueOut(BaseModel):
    centre_id: UuidText | None
    as_of: date
    within_days: int
    overdue: int
    due: int
    items: list[ReviewDueRow]


class MonthAbove(BaseModel):
    month: str
    per_capita_income: Yuan
    line: Yuan


class ExitCandidateRow(Row):
    """An active archive whose income was above the line long enough for an exit (脱困)."""

    case_id: UuidText
    centre_id: UuidText
    category: str
    months_above: int
    required_months: int = Field(description="the months an exit asks for at its centre")
    from_month: str
    to_month: str
    months: list[MonthAbove]


class ExitCandidatesOut(BaseModel):
    centre_id: UuidText | None
    as_of: date
    items: list[ExitCandidateRow]


class ReviewOverrideRow(Row):
    """A review that recorded another category than its figures gave, and why."""

    case_id: UuidText
    centre_id: UuidText
    reviewed_on: DayText
    computed_category: str = Field(description="the category the figures gave")
    category: str = Field(description="the category recorded")
    reason: str
    actor: str


class ReviewOverridesOut(BaseModel):
    centre_id: UuidText | None
    date_from: date | None = Field(serialization_alias="from")
    date_to: date = Field(serialization_alias="to")
    items: list[ReviewOverrideRow]


class TermCount(BaseModel):
    key: str
    zh: str
    households: int


class FlowCounts(BaseModel):
    """What happened to the subtree's archives in the period."""

    filed: int
    reviewed: int
    overridden: int = Field(description="reviews that recorded another category than computed")
    exited: int = Field(description="closed to the exited library (脱困/解困)")
    cancelled: int
    reopened: int = Field(description="relapses (返困)")


class ZeroEmploymentOut(BaseModel):
    households: int = Field(description="active 零就业家庭 at the end of the period")
    with_member_employed: int = Field(description="of them, a member employed by the latest record")


class ReferralsCounted(BaseModel):
    rows: list[ReferralChannelCounts]
    total: ReferralCounts


class CaseStatisticsOut(BaseModel):
    """The subtree's archive at the end of the period, and what happened in it."""

    centre_id: UuidText | None
    date_from: date | None = Field(serialization_alias="from")
    date_to: date = Field(serialization_alias="to")
    households: int = Field(description="active archives at the end of the period")
    by_category: list[TermCount]
    by_cause: list[TermCount] = Field(description="by primary cause")
    by_flag: list[TermCount]
    flow: FlowCounts
    zero_employment: ZeroEmploymentOut
    referrals: ReferralsCounted = Field(description="referrals made in the period (转介)")
