"""Request and response bodies: yuan strings and ISO dates at the edge, fen inside."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any
from uuid import UUID

from pydantic import (
    AfterValidator,
    AliasChoices,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    StrictInt,
    WithJsonSchema,
)

from domain.application import Outcome
from domain.errors import InvalidAmountError
from domain.money import parse_yuan
from domain.text import NAME_MAX, NOTE_MAX
from domain.text import problem as text_problem
from domain.vocabulary import (
    AssistanceType,
    CampaignKind,
    Category,
    Cause,
    CentreLevel,
    ClosureReason,
    FundSource,
    HouseholdFlag,
    ReferralChannel,
    ReferralDecision,
    VisitKind,
)


def _fen(allow_zero: bool) -> Any:
    def to_fen(value: object) -> int:
        if not isinstance(value, str):
            raise ValueError(
                'an amount must be a JSON string of yuan such as "1234.50" '
                "(numbers are refused so no float can creep in)"
            )
        try:
            return parse_yuan(value, allow_zero=allow_zero)
        except InvalidAmountError as e:
            raise ValueError(e.detail) from None

    return BeforeValidator(to_fen)


_YUAN_SCHEMA = {"type": "string", "pattern": r"^[0-9]+(\.[0-9]{1,2})?$", "examples": ["1234.50"]}
Amount = Annotated[
    int,
    _fen(False),
    WithJsonSchema(_YUAN_SCHEMA | {"description": "yuan, more than zero, at most two decimals"}),
]
YuanOrZero = Annotated[
    int,
    _fen(True),
    WithJsonSchema(_YUAN_SCHEMA | {"description": "yuan, zero or more, at most two decimals"}),
]


def _printable(multiline: bool) -> Any:
    """The domain's text rule (domain/text.py), applied at the door for a field-level 422."""

    def check(value: str) -> str:
        why = text_problem(value, max_length=NOTE_MAX, multiline=multiline)
        if why is not None:
            raise ValueError(f"the text {why}")
        return value

    return AfterValidator(check)


Name = Annotated[str, Field(min_length=1, max_length=NAME_MAX), _printable(multiline=False)]
Line = Annotated[str, Field(max_length=NAME_MAX), _printable(multiline=False)]
Text = Annotated[str, Field(max_length=NOTE_MAX), _printable(multiline=True)]


class Body(BaseModel):
    model_config = ConfigDict(extra="forbid")


class CentreIn(Body):
    name: Name
    level: CentreLevel
    parent_id: UUID | None = None


class FundIn(Body):
    centre_id: UUID
    name: Name
    source: FundSource
    fiscal_year: StrictInt = Field(ge=1949, le=2200)
    purposes: list[AssistanceType] = Field(
        min_length=1, description="the assistance types it may pay for"
    )
    business_date: date | None = Field(
        default=None, description="the day the fund was opened (today in Asia/Shanghai if left out)"
    )


class ReceiptIn(Body):
    amount: Amount
    payer: Name
    reference: Line = ""
    business_date: date


class AllocationIn(Body):
    to_centre_id: UUID
    amount: Amount
    reference: Line = ""
    business_date: date


class ReturnIn(Body):
    amount: Amount
    reference: Line = ""
    business_date: date


class FamilyMemberIn(Body):
    name: Name
    relation: str = Field(default="", max_length=40)
    id_number: str = Field(default="", max_length=40)


class PersonIn(Body):
    """Personal data: stored only encrypted under the household's own key."""

    name: Name
    id_number: str = Field(min_length=1, max_length=40, description="GB 11643, 18 characters")
    phone: str = Field(default="", max_length=40)
    bank_card: str = Field(default="", max_length=40)
    family_members: list[FamilyMemberIn] = Field(default_factory=list, max_length=20)
    health: Text = ""


class AssessmentIn(Body):
    category: Category
    primary_cause: Cause
    secondary_causes: list[Cause] = Field(default_factory=list, max_length=3)
    household_size: StrictInt = Field(ge=1, le=30)
    per_capita_monthly_income: YuanOrZero
    flags: list[HouseholdFlag] = Field(default_factory=list)


class CaseIn(AssessmentIn):
    centre_id: UUID
    person: PersonIn
    business_date: date | None = None


class ReassessmentIn(AssessmentIn):
    note: Text = ""
    business_date: date


class GoodsIn(Body):
    item: Name
    value: YuanOrZero


class VisitIn(Body):
    business_date: date = Field(validation_alias=AliasChoices("business_date", "date"))
    visitors: list[Name] = Field(min_length=1)
    kind: VisitKind = VisitKind.ROUTINE
    campaign: CampaignKind | None = None
    notes: Text = ""
    goods: list[GoodsIn] = Field(default_factory=list)


class ClosureIn(Body):
    reason: ClosureReason
    business_date: date
    note: Text = ""


class ReopeningIn(Body):
    business_date: date
    note: Text = ""


class PaymentIn(Body):
    fund_id: UUID
    case_id: UUID
    assistance_type: AssistanceType
    amount: Amount
    reference: Line = ""
    business_date: date


class ReversalIn(Body):
    reason: Name
    business_date: date | None = None


class ErasureIn(Body):
    reason: Name


class ReferralIn(Body):
    """A referral of the household to a government channel (转介)."""

    channel: ReferralChannel
    receiving_body: Name = Field(description="the office it goes to, e.g. 朝阳区民政局")
    note: Text = ""
    business_date: date | None = Field(
        default=None, description="the day of the referral (today in Asia/Shanghai if left out)"
    )


class ReferralOutcomeIn(Body):
    """The receiving body's answer; with ``corrects``, a correction of the current answer."""

    decision: ReferralDecision
    amount: Amount | None = Field(default=None, description="the amount granted, in yuan")
    service: Line = Field(default="", description="the service granted, e.g. 公租房一套")
    reason: Line = ""
    business_date: date = Field(description="the day the receiving body decided")
    corrects: UUID | None = Field(
        default=None, description="the id of the outcome this one corrects (its current one)"
    )


class FollowUpIn(Body):
    note: Text
    business_date: date


class WithdrawalIn(Body):
    reason: Name
    business_date: date


class MemberIncomeIn(Body):
    """A member's income in the month, the member named by relation (本人, 配偶, 子女 ...)."""

    relation: Annotated[str, Field(min_length=1, max_length=40), _printable(multiline=False)]
    income: YuanOrZero
    employed: bool = False


class IncomesIn(Body):
    """A household's figures for a month: its size, income, hardship costs, members' incomes."""

    household_size: StrictInt = Field(ge=1, le=30)
    household_income: YuanOrZero = Field(description="the whole household's income in the month")
    hardship_costs: YuanOrZero = Field(
        default="0.00",
        validate_default=True,
        description="medical, disaster or accident costs in the month (意外致困 above 80%)",
    )
    members: list[MemberIncomeIn] = Field(default_factory=list, max_length=30)


class IncomeRecordIn(IncomesIn):
    """A month's incomes (收入登记); with ``corrects``, a correction of a record in force."""

    month: str = Field(pattern=r"^[0-9]{4}-(0[1-9]|1[0-2])$", examples=["2026-07"])
    note: Text = ""
    business_date: date | None = Field(default=None, description="today if left out")
    corrects: UUID | None = Field(default=None, description="the id of the record corrected")


class ReviewIn(IncomesIn):
    """A review (复核): the category is computed from the incomes against the 低保 line in
    force; ``category`` records another one (an override), with ``override_reason``."""

    primary_cause: Cause | None = Field(default=None, description="as it was if left out")
    secondary_causes: list[Cause] | None = Field(
        default=None, max_length=3, description="as they were if left out"
    )
    flags: list[HouseholdFlag] | None = Field(default=None, description="as they were if left out")
    category: Category | None = None
    override_reason: Line = ""
    note: Text = ""
    business_date: date | None = Field(default=None, description="today if left out")


class Created(BaseModel):
    """A write's answer: the new id, and the log position where it landed."""

    model_config = ConfigDict(extra="allow")
    id: UUID
    position: int | None = None

    @classmethod
    def of(cls, outcome: Outcome[Any]) -> Created:
        body = {**outcome.result.as_record(), "position": outcome.position}
        return cls.model_validate(body | ({"replayed": True} if outcome.replayed else {}))
