"""What the archive pages share: the filter of GET /cases read from the query (the same
ArchiveFilter, the same subtree check), the sort and page, and rows as a person reads them."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from enum import Enum
from typing import Any
from urllib.parse import urlencode

from fastapi import Request

from api.deps import FIRST_YEAR, LAST_YEAR, centre_scope
from api.routers.archive import with_names
from api.web.forms import Form
from api.web.i18n import Translator
from domain.access import Actor
from domain.application import Ledger
from domain.vocabulary import CaseStatus, Category, Cause, HouseholdFlag
from projections import Views, archive
from projections.fund_reports import centres

FILTERS = (
    "centre_id",
    "status",
    "category",
    "cause",
    "flag",
    "not_visited_since",
    "not_reviewed_since",
    "never_assisted",
    "year",
)
PAGE_SIZE = 25
EVERY_ROW = 1_000_000
DEFAULT_SORT = "-filed_on"


def fen(yuan_text: str | None) -> int:
    """A yuan string of a read model ("1234.50", maybe negative) as fen."""
    return int(Decimal(yuan_text or "0") * 100)


SORTS: dict[str, Callable[[dict[str, Any]], Any]] = {
    "centre": lambda r: r["centre_name"],
    "status": lambda r: r["status"],
    "category": lambda r: r["category"],
    "primary_cause": lambda r: r["primary_cause"],
    "household_size": lambda r: r["household_size"],
    "income": lambda r: fen(r["per_capita_monthly_income"]),
    "filed_on": lambda r: r["filed_on"],
    "last_reviewed_on": lambda r: r["last_reviewed_on"],
    "last_visit_on": lambda r: r["last_visit_on"] or "",
    "received_in_year": lambda r: fen(r["received_in_year"]),
    "received_total": lambda r: fen(r["received_total"]),
}


def term(t: Translator, kind: type[Enum], raw: str | None) -> str:
    """A stored vocabulary value in the page's language (the value itself if unknown)."""
    if not raw:
        return ""
    try:
        return t.term(kind(raw))
    except ValueError:
        return raw


def choices(t: Translator, kind: type[Enum]) -> list[tuple[str, str]]:
    return [(str(v.value), t.term(v)) for v in kind]


@dataclass(frozen=True)
class ArchiveQuery:
    """The filter as typed (kept on the form, with what is wrong), as the API's ArchiveFilter,
    and the table's sort and page."""

    form: Form
    filter: archive.ArchiveFilter
    sort: str
    page: int

    def api_query(self, **more: str) -> str:
        """The same filter for GET /cases (an export link)."""
        params = {k: v for k in FILTERS if (v := self.form.values.get(k, "")) and k != "year"}
        if "never_assisted" in params:
            params["never_assisted"] = "true"
        return urlencode(params | {"year": str(self.filter.year), **more})


def _year(form: Form, default: int) -> int:
    text = form.text("year", required=False)
    if not text:
        return default
    if not text.isdigit() or not FIRST_YEAR <= int(text) <= LAST_YEAR:
        form.errors["year"] = "archive.bad_year"
        return default
    return int(text)


def read_query(request: Request, ledger: Ledger, actor: Actor) -> ArchiveQuery:
    """Parse the archive's query; a centre outside the visitor's subtree is refused as the API
    refuses it (the error page)."""
    given = request.query_params
    form = Form({k: given.get(k, "").strip() for k in FILTERS})
    centre = form.id("centre_id", required=False)
    status = form.choice("status", CaseStatus, required=False)
    category = form.choice("category", Category, required=False)
    cause = form.choice("cause", Cause, required=False)
    flag = form.choice("flag", HouseholdFlag, required=False)
    found = archive.ArchiveFilter(
        centre_id=centre_scope(ledger, actor, centre),
        status=status.value if status else None,
        category=category.value if category else None,
        cause=cause.value if cause else None,
        flag=flag.value if flag else None,
        not_visited_since=form.day_in_window("not_visited_since"),
        not_reviewed_since=form.day_in_window("not_reviewed_since"),
        never_assisted=form.values["never_assisted"] in ("true", "on", "1"),
        year=_year(form, ledger.today().year),
    )
    sort = given.get("sort", DEFAULT_SORT)
    if sort.removeprefix("-") not in SORTS:
        sort = DEFAULT_SORT
    page = given.get("page", "1")
    return ArchiveQuery(form, found, sort, int(page) if page.isdigit() and page != "0" else 1)


def centre_names(views: Views, actor: Actor) -> list[dict[str, Any]]:
    """The centres of the visitor's subtree in tree order (name, depth)."""
    return centres(views.funds, str(actor.centre_id) if actor.centre_id else None)


def sorted_page(
    rows: list[dict[str, Any]], sort: str, page: int, size: int | None = None
) -> tuple[list[dict[str, Any]], bool]:
    """One page of the rows in the order asked for (ties by case id); more pages after it?"""
    size = size or PAGE_SIZE
    key = SORTS[sort.removeprefix("-")]
    ordered = sorted(rows, key=lambda r: r["id"])
    ordered.sort(key=key, reverse=sort.startswith("-"))
    start = (page - 1) * size
    return ordered[start : start + size], len(ordered) > start + size


def found_rows(
    views: Views, f: archive.ArchiveFilter, names: dict[str, str]
) -> list[dict[str, Any]]:
    """Every case the filter finds (as GET /cases reads them), with its centre's name."""
    rows = archive.list_cases(views.archive, f, EVERY_ROW)
    return [r | {"centre_name": names.get(r["centre_id"], "")} for r in rows]


def shown_rows(
    ledger: Ledger, actor: Actor, t: Translator, rows: list[dict[str, Any]]
) -> list[dict[str, Any]]:
    """The rows of one page as the table shows them; names (for roles that may read them) are
    opened and the read recorded exactly as GET /cases does."""
    out = []
    for r in with_names(ledger, actor, rows):
        out.append(
            r
            | {
                "status_text": term(t, CaseStatus, r["status"]),
                "category_text": term(t, Category, r["category"]),
                "cause_text": term(t, Cause, r["primary_cause"]),
                "flags_text": [term(t, HouseholdFlag, x) for x in r["flags"]],
                "erased": r["person_name"] == "[erased 已销毁]",
                "income_fen": fen(r["per_capita_monthly_income"]),
                "year_fen": fen(r["received_in_year"]),
                "total_fen": fen(r["received_total"]),
            }
        )
    return out


def a_year_before(day: date) -> date:
    return (
        day.replace(year=day.year - 1)
        if (day.month, day.day) != (2, 29)
        else date(day.year - 1, 2, 28)
    )


def months_before(day: date, months: int) -> date:
    month = day.year * 12 + day.month - 1 - months
    year, month = divmod(month, 12)
    for last in (day.day, 30, 29, 28):
        try:
            return date(year, month + 1, last)
        except ValueError:
            continue
    raise AssertionError("unreachable")  # pragma: no cover


def is_fragment(request: Request, target: str) -> bool:
    """An htmx request that swaps ``#target`` (not a restore of the browser's history)."""
    headers = request.headers
    return (
        headers.get("hx-request") == "true"
        and headers.get("hx-target") == target
        and headers.get("hx-history-restore-request") != "true"
    )
