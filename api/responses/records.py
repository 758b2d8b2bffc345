"""What an endpoint for one record answers with: a centre, fund, case or payment as the
aggregate holds it, and the events of its history."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any
from uuid import UUID

from pydantic import BaseModel, Field

from domain.vocabulary import (
    AssistanceType,
    Category,
    Cause,
    CentreLevel,
    FundSource,
    HouseholdFlag,
)


class CentreOut(BaseModel):
    id: UUID
    name: str
    level: CentreLevel
    level_zh: str
    parent_id: UUID | None
    ancestors: list[UUID]


class FundOut(BaseModel):
    id: UUID
    centre_id: UUID
    name: str
    source: FundSource
    source_zh: str
    fiscal_year: int
    purposes: list[AssistanceType]
    parent_fund_id: UUID | None
    balance: str
    reserved: str = Field(description="held for payment requests awaiting approval (预留)")
    available: str = Field(description="balance less reserved: what may be paid now (可用余额)")
    received: str
    allocated_in: str
    allocated_out: str
    returned: str
    returns_received: str
    disbursed: str
    reversed: str
    version: int


class PersonOut(BaseModel):
    name: str
    id_number: str
    phone: str
    bank_card: str = ""
    family_members: list[dict[str, str]] = []
    health: str = ""


class CaseOut(BaseModel):
    id: UUID
    centre_id: UUID
    status: str
    status_zh: str
    closure_reason: str | None
    category: Category
    primary_cause: Cause
    secondary_causes: list[Cause]
    household_size: int
    per_capita_monthly_income: str
    flags: list[HouseholdFlag]
    person: PersonOut | None
    personal_data: str = Field(description="shown, withheld (role may not read it) or erased")
    filed_on: date
    received: str
    reversed: str
    visits: int
    last_visit_on: date | None
    version: int


class PaymentOut(BaseModel):
    id: UUID
    fund_id: UUID
    case_id: UUID
    centre_id: UUID
    assistance_type: AssistanceType
    amount: str
    reference: str
    business_date: date
    reversed: bool
    reversal_id: UUID | None
    reversal_reason: str | None


class EventOut(BaseModel):
    """One event as recorded: what happened, who did it, and both clocks."""

    version: int
    type: str
    type_zh: str
    type_en: str = ""
    business_date: date | None
    recorded_at: datetime
    actor: str
    data: dict[str, Any]


class MovementOut(BaseModel):
    """One change of a fund's balance, with the balance after it."""

    version: int
    type: str
    type_zh: str
    amount: str
    balance_after: str
    counterparty_kind: str
    counterparty_id: str | None
    payer: str | None = None
    assistance_type: str | None = None
    corrects: UUID | None = None
    reference: str
    business_date: date
    recorded_at: datetime
    actor: str
