"""Filing (建档申请): one application as its aggregate holds it, the list of a subtree's
applications with their deadlines, and the filings whose category was overridden."""

from __future__ import annotations

from datetime import date
from uuid import UUID

from pydantic import BaseModel, Field

from api.responses.base import DayText, Row, UuidText, Yuan
from api.responses.records import PersonOut
from domain.vocabulary import ApplicationStage, Category, Cause, HouseholdFlag


class AmountOut(BaseModel):
    label: str
    amount: Yuan


class StepOut(BaseModel):
    """Who did a step, and on which day."""

    on: date
    by: str


class NoticeOut(BaseModel):
    starts_on: date
    ends_on: date
    place: str


class ObjectionOut(BaseModel):
    id: UUID
    number: int
    raised_on: date
    note: str
    handled_on: date | None
    upheld: bool | None
    handling: str


class FilingOut(BaseModel):
    """The filing: the archive opened, and the category against the 低保 line in force."""

    case_id: UUID
    filed_on: date
    filed_by: str
    category: Category
    category_zh: str
    computed_category: Category
    computed_category_zh: str
    line: Yuan = Field(description="the 低保 line in force at the centre on the filing day")
    per_capita_monthly_income: Yuan
    overridden: bool = Field(description="filed under another category than computed")
    override_reason: str


class RejectionOut(BaseModel):
    rejected_on: date
    at_stage: ApplicationStage
    reason: str


class ApplicationOut(BaseModel):
    id: UUID
    centre_id: UUID
    stage: ApplicationStage
    stage_zh: str
    first_receiver: str = Field(description="the user who took the application (首问责任人)")
    received_on: date
    note: str
    waiting_for: str | None = Field(description="the filing step it waits for (a time limit's)")
    waiting_for_zh: str | None
    due_on: date | None = Field(description="the deadline of that step (限时办结)")
    overdue: bool
    household_size: int
    incomes: list[AmountOut]
    hardship_costs: list[AmountOut]
    monthly_income: Yuan
    per_capita_monthly_income: Yuan
    primary_cause: Cause
    secondary_causes: list[Cause]
    flags: list[HouseholdFlag]
    steps: dict[ApplicationStage, StepOut] = Field(description="each step done: when, by whom")
    visitors: list[str]
    findings: str
    notice: NoticeOut | None
    objections: list[ObjectionOut]
    filing: FilingOut | None
    rejection: RejectionOut | None
    person: PersonOut | None
    personal_data: str = Field(description="shown, withheld (role may not read it) or erased")
    version: int


class ApplicationRow(Row):
    """An application as the filing view holds it, and how late it is on the day asked about."""

    id: UuidText
    centre_id: UuidText
    stage: str
    stage_zh: str
    received_on: DayText
    first_receiver: str
    household_size: int
    waiting_for: str | None
    waiting_for_zh: str | None
    due_on: DayText | None
    days_overdue: int = Field(description="days past the deadline on the day asked about")
    late_steps: int = Field(description="steps done after their deadline")
    objections: int
    open_objections: int
    case_id: UuidText | None
    category: str | None
    computed_category: str | None
    rejected_at: str | None
    rejection_reason: str | None


class ApplicationPage(BaseModel):
    as_of: date
    items: list[ApplicationRow]
    next: UuidText | None = Field(description="pass as `after` for the next page; null at the end")


class OverrideRow(Row):
    """A filing under another category than the figures gave, and why (supervision)."""

    id: UuidText
    case_id: UuidText
    centre_id: UuidText
    filed_on: DayText
    category: str
    category_zh: str
    computed_category: str
    computed_category_zh: str
    override_reason: str


class OverridePage(BaseModel):
    items: list[OverrideRow]
    next: UuidText | None = Field(description="pass as `after` for the next page; null at the end")
