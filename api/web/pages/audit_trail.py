"""The audit trail: every event of the visitor's subtree in commit order, filtered by kind,
actor, recorded dates, centre, fund and household, a page at a time (GET /audit/events, read by
its own route function), with its CSV/XLSX export."""

from __future__ import annotations

import json
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from api.deps import MAX_POSITION
from api.routers.audit import trail_page
from api.routers.supervision import settled
from api.web.forms import Form
from api.web.i18n import language_of
from api.web.pages.audit_support import (
    PAGE,
    AuditorDep,
    ReaderDep,
    centre_choices,
    day_in_window,
    end_of,
    event_kinds,
    export_links,
    fund_choices,
    start_of,
    subtree,
)
from api.web.templating import render
from domain.catalogue import event_class
from domain.errors import InvalidInputError
from domain.money import parse_yuan
from domain.payments import Payment
from projections.audit import AuditFilter

router = APIRouter(include_in_schema=False)


def _label(row: dict[str, Any]) -> type[Any] | None:
    """The event class of a trail row, for its label (None for a kind no longer known)."""
    try:
        return event_class(f"{row['aggregate']}.{row['type']}")
    except KeyError:
        return None


def _fen(amount: Any) -> int | None:
    """An event's amount (a yuan string in the trail's data) in fen, for the page's format."""
    try:
        return parse_yuan(amount) if isinstance(amount, str) else None
    except InvalidInputError:
        return None


def _position(form: Form) -> int:
    text = form.text("after", required=False)
    return int(text) if text.isdigit() and int(text) <= MAX_POSITION else 0


@router.get("/app/audit/trail", response_class=HTMLResponse)
def trail(request: Request, visitor: AuditorDep, read: ReaderDep) -> HTMLResponse:
    """A page of the trail with the filters kept, and the next page's link."""
    actor = visitor.actor
    form = Form(dict(request.query_params))
    kinds = event_kinds(language_of(request))
    kind = form.text("kind", required=False) or None
    if kind is not None and kind not in dict(kinds):
        form.errors["kind"] = "form.bad_choice"
    by = form.text("actor", required=False) or None
    if by is not None and len(by) > 200:
        form.errors["actor"] = "audit.too_long"
    centre_id = form.id("centre_id", required=False)
    fund_id = form.id("fund_id", required=False)
    case_id = form.id("case_id", required=False)
    if "case_id" in form.errors:
        form.errors["case_id"] = "audit.bad_case_id"
    date_from, date_to = day_in_window(form, "date_from"), day_in_window(form, "date_to")
    if date_from and date_to and date_from > date_to:
        form.errors["date_to"] = "audit.empty_period"
    after = _position(form)
    mine = subtree(read.ledger, actor, None)
    rows: list[dict[str, Any]] = []
    next_after = None
    recorded = {
        "recorded_from": start_of(date_from) if date_from else None,
        "recorded_to": end_of(date_to) if date_to else None,
    }
    if form.ok:
        scope = subtree(read.ledger, actor, centre_id)
        settled(read, "audit")
        f = AuditFilter(
            actor=by,
            type=kind,
            centre_id=scope,
            fund_id=str(fund_id) if fund_id else None,
            case_id=str(case_id) if case_id else None,
            recorded_from=recorded["recorded_from"],
            recorded_to=recorded["recorded_to"],
        )
        page = trail_page(read, f, PAGE, after)
        rows, next_after = page["items"], page["next"]
    views = settled(read, "funds")
    funds = fund_choices(views, mine)
    readable = {f["fund_id"] for f in funds}
    for row in rows:
        row["event_class"] = _label(row)
        row["amount_fen"] = _fen(row["data"].get("amount"))
        row["fund_link"] = row["fund_id"] if row["fund_id"] in readable else None
        paid = row["originator_id"] if row["aggregate"] == Payment.__name__ else None
        row["payment_link"] = row["data"].get("payment_id") or paid
        row["data_text"] = json.dumps(row["data"], ensure_ascii=False, indent=1, sort_keys=True)
    params = {
        "by": by,
        "type": kind,
        "centre_id": centre_id,
        "fund_id": fund_id,
        "case_id": case_id,
        **{k: v.isoformat() if v else None for k, v in recorded.items()},
    }
    context = {
        "rows": rows,
        "after": after,
        "next": next_after,
        "kinds": kinds,
        "centres": centre_choices(views, mine),
        "funds": funds,
        "errors": form.errors,
        "values": form.values,
        "exports": export_links(request, "/audit/events", params),
    }
    return render(request, "audit/trail.html", context, status=200 if form.ok else 422)
