"""Referrals (转介) for supervisors: those of a centre's subtree still open on a day, oldest first
with their age, a page at a time (GET /referrals), and the referrals of a period counted by
channel and by where each stands now (GET /referrals/statistics); each read by the API's own
route function for the visitor (the same scope check), with its CSV/XLSX download beside it."""

from __future__ import annotations

from datetime import date
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from api.deps import LedgerDep, Reader, ViewsDep, centre_scope
from api.routers.referrals import open_referrals as open_route
from api.routers.referrals import statistics as statistics_route
from api.web.forms import Form
from api.web.i18n import Translator, language_of
from api.web.pages.archive_filters import centre_names
from api.web.pages.audit_support import export_links
from api.web.pages.households_support import yuan_text
from api.web.templating import render
from api.web.visitors import VisitorDep
from domain.errors import InvalidInputError
from projections.referrals import COUNTS

router = APIRouter(include_in_schema=False)
PAGE = 50
OUTCOMES = [name for name in COUNTS if name != "made"]  # open, each decision, withdrawn
COLOURS = {  # of the chart's bars: waiting blue, granted greens, refused red, withdrawn grey
    "open": "#1565c0",
    "accepted": "#2e7d32",
    "partly_accepted": "#7cb342",
    "refused": "#b3261e",
    "withdrawn": "#78909c",
}


def chart(t: Translator, rows: list[dict[str, Any]]) -> dict[str, Any]:
    """Per channel, its referrals by where each stands (a stacked bar each), in the page's
    language."""
    return {
        "labels": [t.term(r["channel"]) for r in rows],
        "series": [{"name": t.term(o), "values": [r[o] for r in rows]} for o in OUTCOMES],
        "colours": [COLOURS.get(o, "#455a64") for o in OUTCOMES],
    }


def _day(form: Form, name: str, default: date) -> date:
    return form.day_in_window(name, "archive.referrals.bad_day") or default


@router.get("/app/archive/referrals", response_class=HTMLResponse)
def referrals(
    request: Request, visitor: VisitorDep, ledger: LedgerDep, views: ViewsDep
) -> HTMLResponse:
    """The open referrals of a subtree as of a day, and the statistics of a period."""
    t, actor = Translator(language_of(request)), visitor.actor
    names = ("centre_id", "as_of", "after", "from", "to")
    form = Form({k: request.query_params.get(k, "").strip() for k in names})
    asked = form.id("centre_id", required=False)
    scope = centre_scope(ledger, actor, asked)  # a centre outside the subtree: an error page
    today = ledger.today()
    as_of = _day(form, "as_of", today)
    date_from = _day(form, "from", date(today.year, 1, 1))
    date_to = _day(form, "to", today)
    after = form.id("after", required=False)
    wait = request.app.state.settings.read_wait_seconds
    read = Reader(actor, ledger, views, None, wait)
    opened = open_route(read, scope, True, as_of, PAGE, after, "json", "en")
    stats: dict[str, Any] | None = None
    try:
        stats = statistics_route(read, scope, date_from, date_to, "json", "en")
    except InvalidInputError as error:
        form.refuse(error, "to")
    centres = centre_names(views, actor)
    centre_name = {c["centre_id"]: c["name"] for c in centres}
    shown = {
        "centre_id": scope or "",
        "as_of": as_of.isoformat(),
        "from": date_from.isoformat(),
        "to": date_to.isoformat(),
    }
    context = {
        "values": form.values | shown,
        "errors": form.errors,
        "centre_choices": [(c["centre_id"], "\u3000" * c["depth"] + c["name"]) for c in centres],
        "centre_name": centre_name,
        "open": opened["items"],
        "next": opened["next"],
        "stats": stats,
        "chart": chart(t, stats["rows"]) if stats else None,
        "outcomes": OUTCOMES,
        "yuan": yuan_text,
        "pager_values": {k: v for k, v in shown.items() if v},
        "open_exports": export_links(
            request, "/referrals", {"centre_id": scope, "as_of": shown["as_of"]}
        ),
        "stats_exports": export_links(
            request,
            "/referrals/statistics",
            {"centre_id": scope, "from": shown["from"], "to": shown["to"]},
        ),
    }
    return render(request, "archive/referrals.html", context, 200 if form.ok else 422)
