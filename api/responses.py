"""Response bodies: what each endpoint answers with, typed, yuan strings and ISO dates."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Any
from uuid import UUID

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    WithJsonSchema,
)

from api.exports import XLSX
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


# --- responses: typed items of the lists and reports, and the problem every error answers with --

Yuan = Annotated[
    str,
    WithJsonSchema(
        {
            "type": "string",
            "pattern": r"^-?[0-9]+\.[0-9]{2}$",
            "examples": ["1234.50"],
            "description": "yuan, two decimals",
        }
    ),
]
UuidText = Annotated[str, WithJsonSchema({"type": "string", "format": "uuid"})]
DayText = Annotated[str, WithJsonSchema({"type": "string", "format": "date"})]
MomentText = Annotated[
    str, WithJsonSchema({"type": "string", "format": "date-time", "description": "UTC"})
]


class Row(BaseModel):
    """A row of a read model, shown as the view holds it (ids, dates and times as text); a field
    a newer view adds passes through."""

    model_config = ConfigDict(extra="allow")


class FundRow(Row):
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
    received: Yuan
    allocated_in: Yuan
    allocated_out: Yuan
    returned: Yuan
    returns_received: Yuan
    disbursed: Yuan
    reversed: Yuan
    balance: Yuan


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


class YearEndRow(Row):
    centre_id: UuidText
    centre_name: str
    source: str
    funds: int
    received: Yuan
    allocated_in: Yuan
    allocated_out: Yuan
    returned: Yuan
    returns_received: Yuan
    disbursed: Yuan
    reversed: Yuan
    balance: Yuan


class YearEndOut(BaseModel):
    centre_id: UuidText
    fiscal_year: int
    rows: list[YearEndRow]


class CaseRow(Row):
    """A household of the archive view; ``person_name`` is null for roles that may not read it."""

    id: UuidText
    centre_id: UuidText
    status: str
    category: str
    primary_cause: str
    secondary_causes: list[str]
    flags: list[str]
    household_size: int
    per_capita_monthly_income: Yuan
    filed_on: DayText
    last_reviewed_on: DayText
    last_visit_on: DayText | None
    last_assisted_on: DayText | None
    visits: int
    received_total: Yuan
    year: int
    received_in_year: Yuan
    closure_reason: str | None
    person_name: str | None


class CasePage(BaseModel):
    items: list[CaseRow]
    next: UuidText | None = Field(description="pass as `after` for the next page; null at the end")


class CaseSummary(BaseModel):
    """Counts of households by each value."""

    category: dict[str, int]
    primary_cause: dict[str, int]
    status: dict[str, int]


class AuditEventOut(Row):
    """One event of the trail: where in the log, what, on which record, who and both clocks."""

    position: int
    originator_id: UuidText
    aggregate: str
    type: str
    type_zh: str
    version: int
    actor: str
    recorded_at: MomentText
    business_date: DayText | None
    centre_id: UuidText | None
    fund_id: UuidText | None
    case_id: UuidText | None
    data: dict[str, Any]


class TimelineEntry(AuditEventOut):
    summary: str = Field(description="the event as a sentence")
    fund_name: str | None = Field(default=None, description="payments only: the fund's name")


class AuditPage(BaseModel):
    items: list[AuditEventOut]
    next: int | None = Field(description="pass as `after` for the next page; null at the end")


class PublicKeyOut(BaseModel):
    """The key that verifies checkpoints: pin it with `bangfu audit verify --fingerprint`."""

    key_id: str
    fingerprint: str = Field(description="SHA-256 of the PEM text, 64 hex digits")
    public_key_pem: str
    algorithm: str


class CheckpointOut(Row):
    """The chain's head at a moment, signed with Ed25519."""

    position: int
    link: str
    taken_at: MomentText
    key_id: str
    signature: str


class HouseholdPaid(BaseModel):
    case_id: UuidText
    paid_by_type_fen: dict[str, int]
    reversed_fen: int


class ProvenanceNode(Row):
    """A fund in the trace, in fen; what only its opening states is null when the opening is
    outside the records traced."""

    fund_id: UuidText
    name: str | None
    centre_id: UuidText | None
    source: str | None
    fiscal_year: int | None
    received_fen: int
    allocated_in_fen: int
    allocated_out_fen: int
    paid_fen: int
    reversed_fen: int
    returned_fen: int
    unspent_fen: int
    households: list[HouseholdPaid]
    children: list[ProvenanceNode]


class ProvenanceOut(ProvenanceNode):
    as_of: DayText | None


class MatchRow(Row):
    centre_id: UuidText
    centre_name: str
    level: str | None
    fiscal_year: int
    central_received_fen: int
    match_source: str
    required_fen: int
    received_fen: int
    shortfall_fen: int
    central_received: Yuan
    required: Yuan
    received: Yuan
    shortfall: Yuan


class MatchingOut(BaseModel):
    ratio: str
    rows: list[MatchRow]
    shortfalls: list[MatchRow]


class Finding(Row):
    """A payment (or payments) an auditor should look at, naming the events behind it."""

    rule: str
    case_id: UuidText | None
    payment_ids: list[UuidText] | None = Field(
        default=None, description="every rule but reversal_of_reversal"
    )
    payment_id: UuidText | None = Field(default=None, description="reversal_of_reversal only")
    positions: list[int]
    detail: str


class SuspiciousOut(BaseModel):
    findings: list[Finding]
    count: int


class Violation(Row):
    position: int
    fund_id: UuidText
    problem: str


class EarmarksOut(BaseModel):
    payments_checked: int
    transfers_checked: int
    violations: list[Violation]
    summary: str


class HealthOut(BaseModel):
    status: str
    position: int | None = Field(description="the log's last position; null while it is empty")


class ViewStatus(Row):
    view: str
    generation: int | None
    position: int
    head: int
    lag: int


class Term(BaseModel):
    value: str
    zh: str


class ProblemField(BaseModel):
    """One invalid part of a request."""

    field: str = Field(description="`query.name`, `path`, or the body's dotted path")
    message: str
    type: str


class Problem(BaseModel):
    """RFC 9457 problem details, the body of every error (application/problem+json)."""

    model_config = ConfigDict(extra="allow")
    type: str = Field(examples=["urn:bangfu:problem:validation-failed"])
    title: str
    status: int
    detail: str
    instance: str = Field(description="the request's path")
    errors: list[ProblemField] | None = Field(
        default=None, description="422 validation-failed: each invalid part of the request"
    )
    view: str | None = Field(default=None, description="503 view-behind: the view")
    view_position: int | None = Field(default=None, description="503 view-behind")
    wanted_position: int | None = Field(default=None, description="503 view-behind")


PROBLEM_MEDIA_TYPE = "application/problem+json"
PROBLEMS: dict[int, str] = {
    401: "No bearer token, or one that is unknown or revoked",
    403: "The role may not do this, or the centre is outside the user's subtree",
    404: "An id that names nothing (in the path, the query or the body)",
    409: "A conflict with the ledger's state, or an Idempotency-Key reused with another body",
    422: "The request is not valid (a parameter, the body, or a control character in the URL)",
    503: "Busy (retry), or the view has not caught up with `min_position` yet",
}


def problem_responses(*statuses: int) -> dict[int | str, dict[str, Any]]:
    """OpenAPI responses for these error statuses: application/problem+json of a Problem."""
    return {
        status: {
            "description": PROBLEMS[status],
            "content": {PROBLEM_MEDIA_TYPE: {"schema": {"$ref": "#/components/schemas/Problem"}}},
        }
        for status in statuses
    }


def spreadsheet_responses(what: str) -> dict[int | str, dict[str, Any]]:
    """The 200 of a list or report that `format=csv` or `format=xlsx` downloads instead."""
    return {
        200: {
            "description": f"{what}; with `format=csv` or `format=xlsx` a spreadsheet download",
            "content": {
                "text/csv": {"schema": {"type": "string"}},
                XLSX: {"schema": {"type": "string", "format": "binary"}},
            },
        }
    }
