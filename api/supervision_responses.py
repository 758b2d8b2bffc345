"""The supervision reports' bodies as pages: each report's fields, with how many items there
are in all and the cursor of the next page."""

from __future__ import annotations

from pydantic import Field

from api.responses import EarmarksOut, MatchingOut, ProvenanceOut, SuspiciousOut

NEXT = "pass as `after` to read the next page; null on the last page"


class ProvenancePage(ProvenanceOut):
    """The whole fund tree with its totals; the nodes' ``households`` are one page of them."""

    households_total: int = Field(description="households paid by the funds of the tree")
    next: str | None = Field(description=NEXT)


class MatchingPage(MatchingOut):
    """A page of rows; ``shortfalls`` are the rows of this page that fall short."""

    total: int = Field(description="rows in all")
    next: str | None = Field(description=NEXT)


class SuspiciousPage(SuspiciousOut):
    """A page of findings, ordered by rule and then by log position."""

    count: int = Field(description="findings in all")
    count_by_rule: dict[str, int] = Field(description="findings in all, by rule")
    next: str | None = Field(description=NEXT)


class EarmarksPage(EarmarksOut):
    """The counts checked, and the violations in log order; when they run past one page, also
    how many there are and the cursor of the next page."""

    violations_total: int | None = Field(None, description="violations in all, if paged")
    next: str | None = Field(None, description=NEXT)
