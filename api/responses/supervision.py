"""The supervision reports recomputed from the events: provenance, matching, findings,
earmarks."""

from __future__ import annotations

from pydantic import BaseModel, Field

from api.responses.base import DayText, Row, UuidText, Yuan


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
    """One matching level at a centre in a fiscal year (see the rule in
    supervision/matching.py)."""

    centre_id: UuidText
    centre_name: str
    level: str | None = Field(description="the centre's level")
    fiscal_year: int
    central_received_fen: int
    match_source: str
    matching_level: str = Field(description="the level that owes this matching: 省/市/县")
    ratio: str = Field(description="central : match applied, e.g. 100:100 (1:1)")
    base_fen: int = Field(
        description="money this level matches: the central money, plus the upper levels' "
        "matching received here up to what each owed"
    )
    required_fen: int = Field(description="base × ratio, in whole fen")
    received_fen: int = Field(description="money of this level's matching source received")
    shortfall_fen: int = Field(description="max(0, required - received)")
    central_received: Yuan
    base: Yuan
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
