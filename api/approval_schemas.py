"""Payment requests (maker-checker, 支付审批) at the edge: what a request, an approval, a
rejection or a voiding takes, and how a request, a queue and a history answer."""

from __future__ import annotations

from datetime import date
from uuid import UUID

from pydantic import BaseModel, Field

from api.responses.base import DayText, Row, UuidText, Yuan
from api.schemas import Amount, Body, Line, Name
from domain.vocabulary import AssistanceType

_DAY = "the business date (today in Asia/Shanghai if left out)"


class PaymentRequestIn(Body):
    """A payment asked for (支付申请): the fund reserves the amount until a checker decides."""

    fund_id: UUID
    case_id: UUID
    assistance_type: AssistanceType
    amount: Amount
    reference: Line = ""
    business_date: date | None = Field(default=None, description=_DAY)


class ApprovalIn(Body):
    """An approval (批准): the money moves on its business date."""

    business_date: date | None = Field(default=None, description=_DAY)


class RequestEndIn(Body):
    """A rejection (驳回) or a voiding (作废), with its reason."""

    reason: Name
    business_date: date | None = Field(default=None, description=_DAY)


class PaymentRequestOut(BaseModel):
    """A payment request as recorded, and where it stands."""

    id: UUID
    fund_id: UUID
    case_id: UUID
    centre_id: UUID
    assistance_type: AssistanceType
    assistance_type_zh: str
    amount: Yuan
    reference: str
    requested_by: str
    requested_on: date
    valid_until: date = Field(description="the last day it may be approved")
    level: str = Field(description="centre, parent or province: where its checker sits")
    level_zh: str
    approver_centre_id: UUID | None = Field(
        description="its checker's centre or one above it; null: a user of the whole tree"
    )
    status: str
    status_zh: str
    decided_by: str | None
    decided_on: date | None
    reason: str
    payment_id: UUID | None = Field(description="the payment an approval made")
    version: int


class RequestRow(Row):
    """A payment request as the approvals view holds it."""

    id: UuidText
    fund_id: UuidText
    case_id: UuidText
    centre_id: UuidText
    assistance_type: str
    assistance_type_zh: str
    amount: Yuan
    requested_by: str
    requested_on: DayText
    valid_until: DayText
    level: str
    level_zh: str
    approver_centre_id: UuidText | None
    status: str
    status_zh: str


class RequestPage(BaseModel):
    items: list[RequestRow]
    next: UuidText | None = Field(description="pass as `after` for the next page; null at the end")


class QueuePage(RequestPage):
    """The requests the user may decide on ``as_of``."""

    as_of: date


class ExpiredOut(BaseModel):
    """The requests recorded as expired (过期), their reservations released."""

    as_of: date
    expired: list[UUID]
