"""The archive view's households: a page of them, and their counts."""

from __future__ import annotations

from pydantic import BaseModel, Field

from api.responses.base import DayText, Row, UuidText, Yuan


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
