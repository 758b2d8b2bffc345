"""Supervision lists and statistics: reviews and visits due (the archive filter of GET /cases),
and the year-end statistics of a centre's subtree (GET /reports/year-end, with the fund flows of
GET /funds/{id}/flows and the archive's yearly totals)."""

from __future__ import annotations

from dataclasses import replace
from typing import Any
from urllib.parse import urlencode
from uuid import UUID

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from api.deps import FIRST_YEAR, LAST_YEAR, LedgerDep, ViewsDep, centre_scope
from api.web.forms import Form
from api.web.i18n import Translator, language_of
from api.web.pages.archive_filters import (
    EVERY_ROW,
    a_year_before,
    centre_names,
    fen,
    found_rows,
    months_before,
    shown_rows,
    sorted_page,
    term,
)
from api.web.templating import render
from api.web.visitors import VisitorDep
from domain.access import Actor
from domain.application import Ledger
from domain.vocabulary import AssistanceType, Category, FundSource
from projections import Views, archive, funds
from projections.fund_reports import TOTALS

router = APIRouter(include_in_schema=False)

SHOWN_DUE = 20
MONTHS = (3, 6, 9, 12)


def due_list(
    ledger: Ledger, views: Views, actor: Actor, t: Translator, f: archive.ArchiveFilter, sort: str
) -> dict[str, Any]:
    """The longest waiting households of one list, the count of all, and the archive's link."""
    names = {c["centre_id"]: c["name"] for c in centre_names(views, actor)}
    found = found_rows(views, f, names)
    first, _ = sorted_page(found, sort, 1, SHOWN_DUE)
    since = f.not_reviewed_since or f.not_visited_since
    field = "not_reviewed_since" if f.not_reviewed_since else "not_visited_since"
    link = urlencode({"status": "active", field: str(since), "sort": sort})
    return {
        "rows": shown_rows(ledger, actor, t, first),
        "count": len(found),
        "since": since,
        "link": f"/app/archive?{link}",
    }


@router.get("/app/archive/due", response_class=HTMLResponse)
def due(request: Request, visitor: VisitorDep, ledger: LedgerDep, views: ViewsDep) -> HTMLResponse:
    """Active households whose annual review is due, and those not visited for N months."""
    t, actor = Translator(language_of(request)), visitor.actor
    scope = centre_scope(ledger, actor, None)
    asked = request.query_params.get("months", "6")
    months = int(asked) if asked.isdigit() and int(asked) in MONTHS else 6
    today = ledger.today()
    active = archive.ArchiveFilter(centre_id=scope, status="active", year=today.year)
    review = replace(active, not_reviewed_since=a_year_before(today))
    visit = replace(active, not_visited_since=months_before(today, months))
    context = {
        "months": months,
        "month_choices": [(str(m), str(m)) for m in MONTHS],
        "review": due_list(ledger, views, actor, t, review, "last_reviewed_on"),
        "visit": due_list(ledger, views, actor, t, visit, "last_visit_on"),
        "may_read_names": ledger.may_read_personal_data(actor),
        "shown": SHOWN_DUE,
    }
    return render(request, "archive/due.html", context)


def _chosen_centre(
    ledger: Ledger, actor: Actor, centres: list[dict[str, Any]], form: Form
) -> str | None:
    """The centre asked for (checked as the API checks it), else the visitor's own, else the
    first at the top of the tree."""
    asked = form.id("centre_id", required=False)
    if asked is not None:
        return centre_scope(ledger, actor, asked)
    if actor.centre_id:
        return str(actor.centre_id)
    return centres[0]["centre_id"] if centres else None


def _year(form: Form, default: int) -> int:
    text = form.text("year", required=False)
    if text.isdigit() and FIRST_YEAR <= int(text) <= LAST_YEAR:
        return int(text)
    if text:
        form.errors["year"] = "archive.bad_year"
    return default


def paid_by(views: Views, centre_id: str, year: int) -> dict[str, dict[str, dict[str, int]]]:
    """Paid and reversed fen and payments by assistance type and by household category, over
    the funds of the subtree and year: the flows of each fund whose parent lies outside."""
    found = funds.list_funds(views.funds, centre_id, year, EVERY_ROW)
    inside = {f["fund_id"] for f in found}
    totals: dict[str, dict[str, dict[str, int]]] = {"by_type": {}, "by_category": {}}
    for fund in found:
        if fund["parent_fund_id"] in inside:
            continue
        flows = funds.flows(views.funds, fund["fund_id"]) or {}
        for part in totals:
            for row in flows.get(part, []):
                into = totals[part].setdefault(row["k"], {"paid": 0, "reversed": 0, "n": 0})
                into["paid"] += int(row["paid"] or 0)
                into["reversed"] += int(row["reversed"] or 0)
                into["n"] += int(row["n"] or 0)
    return totals


def labelled(t: Translator, kind: type[Any], found: dict[str, dict[str, int]]) -> list[Any]:
    rows = [
        {"label": term(t, kind, k), **v, "net": v["paid"] - v["reversed"]} for k, v in found.items()
    ]
    return sorted(rows, key=lambda r: (-r["net"], r["label"]))


def statistics_context(t: Translator, views: Views, centre_id: str, year: int) -> dict[str, Any]:
    rows = funds.year_end(views.funds, centre_id, year)
    for row in rows:
        row["source_text"] = term(t, FundSource, row["source"])
    totals = {k: sum(int(r[k] or 0) for r in rows) for k in (*TOTALS, "funds")}
    paid = paid_by(views, centre_id, year)
    by_type = labelled(t, AssistanceType, paid["by_type"])
    in_year = archive.list_cases(
        views.archive, archive.ArchiveFilter(centre_id=centre_id, year=year), EVERY_ROW
    )
    active = archive.summary(views.archive, archive.ArchiveFilter(centre_id=centre_id))
    return {
        "rows": rows,
        "totals": totals,
        "by_type": by_type,
        "by_category": labelled(t, Category, paid["by_category"]),
        "households": sum(1 for r in in_year if fen(r["received_in_year"]) > 0),
        "active": active.get("status", {}).get("active", 0),
        "chart_type": {
            "money": True,
            "labels": [r["label"] for r in by_type],
            "values": [r["net"] for r in by_type],
        },
        "export_xlsx": "/reports/year-end?"
        + urlencode(
            {"centre_id": centre_id, "fiscal_year": year, "format": "xlsx", "lang": t.lang}
        ),
    }


@router.get("/app/archive/statistics", response_class=HTMLResponse)
def statistics(
    request: Request, visitor: VisitorDep, ledger: LedgerDep, views: ViewsDep
) -> HTMLResponse:
    """The year-end statistics of a centre's subtree for one fiscal year."""
    t, actor = Translator(language_of(request)), visitor.actor
    form = Form({k: request.query_params.get(k, "").strip() for k in ("centre_id", "year")})
    centres = centre_names(views, actor)
    centre_id = _chosen_centre(ledger, actor, centres, form)
    year = _year(form, ledger.today().year)
    context: dict[str, Any] = {
        "values": form.values | {"centre_id": centre_id or "", "year": str(year)},
        "errors": form.errors,
        "centre_choices": [(c["centre_id"], "\u3000" * c["depth"] + c["name"]) for c in centres],
        "centre_name": next((c["name"] for c in centres if c["centre_id"] == centre_id), ""),
        "year": year,
        "stats": None,
    }
    if centre_id and form.ok:
        read_centre = ledger.centre(actor, UUID(centre_id))
        context["centre_name"] = read_centre.name
        context["stats"] = statistics_context(t, views, centre_id, year)
    return render(request, "archive/statistics.html", context, 200 if form.ok else 422)
