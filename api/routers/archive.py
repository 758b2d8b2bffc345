"""The archive read model: lists, counts and timelines of households (supervisors)."""

from __future__ import annotations

from typing import Annotated, Any
from uuid import UUID

from fastapi import APIRouter, Query, Request

from api.deps import (
    FIRST_YEAR,
    LAST_YEAR,
    ActorDep,
    Day,
    LedgerDep,
    MinPosition,
    ViewsDep,
    caught_up,
    centre_scope,
)
from api.exports import Column, Format, Lang, tabular
from api.responses import CasePage, CaseSummary, TimelineEntry, spreadsheet_responses
from domain.access import Actor
from domain.application import Ledger
from domain.vocabulary import CaseStatus, Category, Cause, HouseholdFlag
from projections import archive, audit

router = APIRouter(prefix="/cases", tags=["archive 档案查询"])

COLUMNS = [
    Column("id", "case id", "档案编号"),
    Column("person_name", "name", "姓名"),
    Column("status", "status", "状态"),
    Column("category", "category", "困难类别"),
    Column("primary_cause", "primary cause", "主要致困原因"),
    Column("secondary_causes", "secondary causes", "次要致困原因"),
    Column("flags", "flags", "家庭标识"),
    Column("household_size", "household size", "家庭人口"),
    Column(
        "per_capita_monthly_income",
        "income per head a month (yuan)",
        "人均月收入（元）",
        money=True,
    ),
    Column("filed_on", "filed on", "建档日期"),
    Column("last_reviewed_on", "last reviewed", "最近复核"),
    Column("last_visit_on", "last visited", "最近走访"),
    Column("received_in_year", "received in year (yuan)", "本年度帮扶金额（元）", money=True),
    Column("received_total", "received in all (yuan)", "累计帮扶金额（元）", money=True),
    Column("centre_id", "centre id", "帮扶中心编号"),
]


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


@router.get("", response_model=CasePage, responses=spreadsheet_responses("A page of the archive"))
def list_cases(
    request: Request,
    actor: ActorDep,
    ledger: LedgerDep,
    views: ViewsDep,
    centre_id: UUID | None = None,
    status: CaseStatus | None = None,
    category: Category | None = None,
    cause: Cause | None = None,
    flag: HouseholdFlag | None = None,
    not_visited_since: Annotated[
        Day | None, Query(description="never visited or not since")
    ] = None,
    not_reviewed_since: Annotated[
        Day | None, Query(description="unchanged since this date (the annual review list)")
    ] = None,
    never_assisted: bool = False,
    year: Annotated[int | None, Query(ge=FIRST_YEAR, le=LAST_YEAR)] = None,
    limit: Annotated[int, Query(ge=1, le=1000)] = 50,
    after: str | None = None,
    format: Format = "json",
    lang: Lang = "en",
    min_position: MinPosition = None,
) -> Any:
    """The archive of a centre subtree, filtered; one page at a time (``after`` = last id)."""
    caught_up(views, "archive", min_position, request.app.state.settings.read_wait_seconds)
    f = archive.ArchiveFilter(
        centre_id=centre_scope(ledger, actor, centre_id),
        status=status,
        category=category,
        cause=cause,
        flag=flag,
        not_visited_since=not_visited_since,
        not_reviewed_since=not_reviewed_since,
        never_assisted=never_assisted,
        year=year or ledger.today().year,
    )
    rows = with_names(
        ledger,
        actor,
        archive.list_cases(views.archive, f, limit if format == "json" else 100_000, after),
    )
    if format != "json":
        return tabular(rows, COLUMNS, format, lang, "archive")
    return {"items": rows, "next": rows[-1]["id"] if len(rows) == limit else None}


@router.get("/summary", response_model=CaseSummary)
def summary(
    request: Request,
    actor: ActorDep,
    ledger: LedgerDep,
    views: ViewsDep,
    centre_id: UUID | None = None,
    status: CaseStatus | None = None,
    min_position: MinPosition = None,
) -> dict[str, dict[str, int]]:
    """Counts by category, primary cause and status for a subtree."""
    caught_up(views, "archive", min_position, request.app.state.settings.read_wait_seconds)
    f = archive.ArchiveFilter(centre_id=centre_scope(ledger, actor, centre_id), status=status)
    return archive.summary(views.archive, f)


@router.get(
    "/{case_id}/timeline",
    response_model=list[TimelineEntry],
    response_model_exclude_unset=True,
)
def timeline(
    request: Request,
    case_id: UUID,
    actor: ActorDep,
    ledger: LedgerDep,
    views: ViewsDep,
    min_position: MinPosition = None,
) -> list[dict[str, Any]]:
    """Every event of the household in order, readable, with who and when."""
    ledger.case(actor, case_id)
    caught_up(views, "audit", min_position, request.app.state.settings.read_wait_seconds)
    return audit.timeline(views.audit, str(case_id))
