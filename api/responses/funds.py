"""The funds view's rows and reports: funds with their totals, postings, flows, year-end."""

from __future__ import annotations

from datetime import date, datetime

from pydantic import BaseModel, Field

from api.responses.base import DayText, MomentText, Row, UuidText, Yuan


class FundTotals(Row):
    """What a fund (or the funds of a centre) received, moved and paid, in yuan."""

    received: Yuan
    allocated_in: Yuan
    allocated_out: Yuan
    returned: Yuan
    returns_received: Yuan
    disbursed: Yuan
    reversed: Yuan
    balance: Yuan


class FundRow(FundTotals):
    """A fund as the funds view holds it, with its totals in yuan."""

    fund_id: UuidText
    centre_id: UuidText
    parent_fund_id: UuidText | None
    root_fund_id: UuidText
    path: str = Field(description="/root id/…/own id/: the fund's place in its tree")
    name: str
    source: str
    fiscal_year: int
    purposes: str = Field(description="the assistance types it may pay for, comma-separated")


class FundPage(BaseModel):
    items: list[FundRow]
    next: UuidText | None = Field(description="pass as `after` for the next page; null at the end")


class BalanceOut(BaseModel):
    fund_id: UuidText
    as_of: date | None
    known_at: datetime | None
    balance: Yuan


class PostingRow(Row):
    """One movement of a fund's balance, with the balance after it and both clocks."""

    fund_id: UuidText
    version: int
    position: int
    type: str
    amount: Yuan
    balance_after: Yuan
    business_date: DayText
    recorded_at: MomentText
    counterparty_kind: str
    counterparty_id: str | None
    assistance_type: str | None
    case_id: UuidText | None
    payment_id: UuidText | None
    reference: str
    actor: str


class PostingPage(BaseModel):
    items: list[PostingRow]
    next: int | None = Field(description="pass as `after` for the next page; null at the end")


class ChildFlow(BaseModel):
    fund_id: UuidText
    centre_id: UuidText
    centre_name: str | None
    allocated: Yuan
    returned_up: Yuan


class FlowTotals(BaseModel):
    paid: Yuan
    reversed: Yuan
    payments: int


class FlowsOut(BaseModel):
    fund: FundRow
    funds_in_tree: int
    received: Yuan
    allocated_in: Yuan
    paid: Yuan
    reversed: Yuan
    returned: Yuan
    unspent: Yuan
    allocated_to_children: list[ChildFlow]
    paid_by_type: dict[str, FlowTotals]
    paid_by_category: dict[str, FlowTotals]


class YearEndRow(FundTotals):
    """A centre's funds of one source, added up at the year's end."""

    centre_id: UuidText
    centre_name: str
    source: str
    funds: int


class YearEndOut(BaseModel):
    centre_id: UuidText
    fiscal_year: int
    rows: list[YearEndRow]
