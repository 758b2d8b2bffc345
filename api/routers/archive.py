"""The archive read model: lists, counts and timelines of households (supervisors)."""

from __future__ import annotations

from dataclasses import replace
from typing import Annotated, Any
from uuid import UUID

from fastapi import APIRouter, Depends, Query
from pydantic import BaseModel, Field

from api import columns
from api.deps import FIRST_YEAR, LAST_YEAR, Day, ReaderDep, SubtreeDep
from api.exports import Format, Lang, page, ready_json, tabular
from api.responses import CasePage, CaseSummary, TimelineEntry
from api.routers import listing
from domain.access import Actor
from domain.application import Ledger
from domain.vocabulary import CaseStatus, Category, Cause, HouseholdFlag
from projections import archive, audit

router = APIRouter(prefix="/cases", tags=["archive 档案查询"])


class CaseQuery(BaseModel):
    """Which households of the subtree a list or a summary of the archive covers."""

    status: CaseStatus | None = None
    category: Category | None = None
    cause: Cause | None = None
    flag: HouseholdFlag | None = None
    not_visited_since: Day | None = Field(None, description="never visited or not since")
    not_reviewed_since: Day | None = Field(
        None, description="unchanged since this date (the annual review list)"
    )
    never_assisted: bool = False


async def case_filter(
    scope: SubtreeDep, query: Annotated[CaseQuery, Query()]
) -> archive.ArchiveFilter:
    """Reads nothing: on the event loop, not a worker thread (see ``api.deps.reader``)."""
    return archive.ArchiveFilter(centre_id=scope, **query.model_dump())


CaseFilterDep = Annotated[archive.ArchiveFilter, Depends(case_filter)]


def with_names(ledger: Ledger, actor: Actor, rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Replace each row's sealed personal data by the name, for roles that may read it."""
    names: dict[UUID, dict[str, Any] | None] = {}
    if rows and ledger.may_read_personal_data(actor):
        names = ledger.read_personal_data(
            actor, {UUID(r["id"]): r["person_sealed"] for r in rows}, "archive list"
        )
    out = []
    for row in rows:
        person = names.get(UUID(row["id"]))
        shown = (
            person["name"] if person else ("[erased 已销毁]" if UUID(row["id"]) in names else None)
        )
        out.append({k: v for k, v in row.items() if k != "person_sealed"} | {"person_name": shown})
    return out


@router.get("", **listing(CasePage, "A page of the archive"))
def list_cases(
    read: ReaderDep,
    f: CaseFilterDep,
    year: Annotated[int | None, Query(ge=FIRST_YEAR, le=LAST_YEAR)] = None,
    limit: Annotated[int, Query(ge=1, le=1000)] = 50,
    after: str | None = None,
    format: Format = "json",
    lang: Lang = "en",
) -> Any:
    """The archive of a centre subtree, filtered; one page at a time (``after`` = last id)."""
    views = read.caught_up("archive")
    f = replace(f, year=year or read.ledger.today().year)
    found = archive.list_cases(views.archive, f, limit if format == "json" else 100_000, after)
    rows = with_names(read.ledger, read.actor, found)
    if format != "json":
        return tabular(rows, columns.ARCHIVE, format, lang, "archive")
    return ready_json(page(rows, limit, "id"))


@router.get("/summary", response_model=CaseSummary)
def summary(read: ReaderDep, f: CaseFilterDep) -> dict[str, dict[str, int]]:
    """Counts by category, primary cause and status of the households a list would show."""
    return archive.summary(read.caught_up("archive").archive, f)


@router.get(
    "/{case_id:uuid}/timeline",
    response_model=list[TimelineEntry],
    response_model_exclude_unset=True,
)
def timeline(case_id: UUID, read: ReaderDep) -> Any:
    """Every event of the household in order, readable, with who and when."""
    read.ledger.case(read.actor, case_id)
    return ready_json(audit.timeline(read.caught_up("audit").audit, str(case_id)))
