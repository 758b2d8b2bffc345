"""Statistics beyond money (统计), per centre subtree and period: the archive by category, cause
and flag; filed, reviewed, exited, reopened; referrals by channel and outcome; 零就业家庭 with a
member employed."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter

from api.deps import DateFrom, DateTo, ReaderDep, SubtreeDep
from api.exports import Column, Format, Lang, tabular
from api.responses.reviews import CaseStatisticsOut
from api.routers import listing
from domain.errors import InvalidInputError
from projections import dynamics_statistics, referrals

router = APIRouter(tags=["statistics 统计"])

CASE_STATISTICS = [
    Column("section", "section", "分组"),
    Column("section_zh", "section (zh)", "分组名称"),
    Column("item", "item", "项目"),
    Column("item_zh", "item (zh)", "项目名称"),
    Column("count", "count", "数量"),
]


@router.get("/statistics/cases", **listing(CaseStatisticsOut, "The archive's statistics"))
def case_statistics(
    read: ReaderDep,
    scope: SubtreeDep,
    date_from: DateFrom = None,
    date_to: DateTo = None,
    format: Format = "json",
    lang: Lang = "en",
) -> Any:
    """The subtree's active archives at the end of the period by category, primary cause and
    flag, and its 零就业家庭 with a member employed (by their latest income record); filed,
    reviewed (with the category overridden), exited, cancelled and reopened in the period;
    the referrals made in the period by channel and outcome."""
    end = date_to or read.ledger.today()
    if date_from and date_from > end:
        raise InvalidInputError(f"the period from {date_from} to {end} is empty")
    found = dynamics_statistics.statistics(
        read.caught_up("dynamics").dynamics, scope, date_from, end
    )
    made = referrals.statistics(
        read.caught_up("referrals").referrals, scope, referrals.Period(date_from, end)
    )
    if format != "json":
        rows = dynamics_statistics.flat(found, made)
        return tabular(rows, CASE_STATISTICS, format, lang, f"case-statistics-{end}")
    return {"centre_id": scope, "date_from": date_from, "date_to": end, "referrals": made} | found
