"""Response bodies: what each endpoint answers with, typed, yuan strings and ISO dates.

One module by area; the routers import the bodies from here.
"""

from __future__ import annotations

from api.responses.archive import CasePage, CaseRow, CaseSummary
from api.responses.audit import AuditEventOut, AuditPage, CheckpointOut, PublicKeyOut, TimelineEntry
from api.responses.base import DayText, MomentText, Row, UuidText, Yuan
from api.responses.funds import (
    BalanceOut,
    ChildFlow,
    FlowsOut,
    FlowTotals,
    FundPage,
    FundRow,
    FundTotals,
    PostingPage,
    PostingRow,
    YearEndOut,
    YearEndRow,
)
from api.responses.meta import (
    PROBLEM_MEDIA_TYPE,
    HealthOut,
    Problem,
    ProblemField,
    Term,
    ViewStatus,
    problem_responses,
    spreadsheet_responses,
)
from api.responses.records import (
    CaseOut,
    CentreOut,
    EventOut,
    FundOut,
    MovementOut,
    PaymentOut,
    PersonOut,
)
from api.responses.supervision import (
    EarmarksOut,
    Finding,
    HouseholdPaid,
    MatchingOut,
    MatchRow,
    ProvenanceNode,
    ProvenanceOut,
    SuspiciousOut,
    Violation,
)

__all__ = [
    "PROBLEM_MEDIA_TYPE",
    "AuditEventOut",
    "AuditPage",
    "BalanceOut",
    "CaseOut",
    "CasePage",
    "CaseRow",
    "CaseSummary",
    "CentreOut",
    "CheckpointOut",
    "ChildFlow",
    "DayText",
    "EarmarksOut",
    "EventOut",
    "Finding",
    "FlowTotals",
    "FlowsOut",
    "FundOut",
    "FundPage",
    "FundRow",
    "FundTotals",
    "HealthOut",
    "HouseholdPaid",
    "MatchRow",
    "MatchingOut",
    "MomentText",
    "MovementOut",
    "PaymentOut",
    "PersonOut",
    "PostingPage",
    "PostingRow",
    "Problem",
    "ProblemField",
    "ProvenanceNode",
    "ProvenanceOut",
    "PublicKeyOut",
    "Row",
    "SuspiciousOut",
    "Term",
    "TimelineEntry",
    "UuidText",
    "ViewStatus",
    "Violation",
    "YearEndOut",
    "YearEndRow",
    "Yuan",
    "problem_responses",
    "spreadsheet_responses",
]
