"""The supervision reports as pages: matching per level and year, and suspicious payments with
their reason; each read by the JSON API's own route function for the visitor (the same scope
checks), with the API's CSV/XLSX export beside it. Each judges by the local policy in force at
each centre (the matching share, the repeat window, lateness: /app/policy) unless the visitor
fills in one ratio, window or lateness for all (a what-if)."""

from __future__ import annotations

import re
from collections import defaultdict
from typing import Any
from uuid import UUID

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from api.routers.supervision import matching as matching_route
from api.routers.supervision import suspicious as suspicious_route
from api.web.forms import Form
from api.web.i18n import vocab
from api.web.pages.audit_support import (
    PAGE,
    AuditorDep,
    ReaderDep,
    centre_choices,
    export_links,
    report_centre,
    subtree,
)
from api.web.templating import render
from domain.errors import InvalidInputError
from projections import matching as matching_view
from projections.suspicious_rules import RULES
from supervision import compliance

router = APIRouter(include_in_schema=False)
RATIO = re.compile(r"[0-9]{1,6}:[0-9]{1,6}")


def _centre(form: Form) -> UUID | None:
    centre_id = form.id("centre_id", required=False)
    if "centre_id" in form.errors:
        form.errors["centre_id"] = "form.bad_choice"
    return centre_id


def _count(form: Form, name: str, most: int) -> int | None:
    """A whole number of days within the range the API accepts; None (the policy in force)
    when left empty."""
    text = form.text(name, required=False)
    if not text:
        return None
    if not (text.isdigit() and len(text) < 7 and int(text) <= most):
        form.errors[name] = "audit.bad_days"
        return None
    return int(text)


def by_level_and_year(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Matching summed per level, fiscal year and matching source, with the centres short."""
    sums: dict[tuple[str, int, str], dict[str, Any]] = defaultdict(
        lambda: {"required_fen": 0, "received_fen": 0, "shortfall_fen": 0, "centres": 0, "short": 0}
    )
    for r in rows:
        s = sums[(r["level"], r["fiscal_year"], r["match_source"])]
        s["required_fen"] += r["required_fen"]
        s["received_fen"] += r["received_fen"]
        s["shortfall_fen"] += r["shortfall_fen"]
        s["centres"] += 1
        s["short"] += 1 if r["shortfall_fen"] > 0 else 0
    order = {level: n for n, level in enumerate(compliance.MATCH_SOURCES)}
    return [
        {"level": lv, "fiscal_year": y, "match_source": src, **s}
        for (lv, y, src), s in sorted(sums.items(), key=lambda kv: (kv[0][1], order[kv[0][0]]))
    ]


@router.get("/app/audit/matching", response_class=HTMLResponse)
def matching(request: Request, visitor: AuditorDep, read: ReaderDep) -> HTMLResponse:
    """Central money received against provincial, municipal and county matching, per centre
    and fiscal year (a page of rows), and summed per level and year."""
    actor = visitor.actor
    form = Form(dict(request.query_params))
    centre_id = _centre(form)
    ratio = form.text("ratio", required=False) or None  # None: the share policy sets
    if ratio is not None and not RATIO.fullmatch(ratio):
        form.errors["ratio"] = "audit.bad_ratio"
    after = form.text("after", required=False) or None
    centre = report_centre(actor, centre_id)
    page: dict[str, Any] | None = None
    summary: list[dict[str, Any]] = []
    if form.ok:
        try:
            page = matching_route(read, centre, ratio, PAGE, after, "json", "en")
        except InvalidInputError as error:
            form.refuse(error, "after")
    if page is not None:
        a, b = (int(x) for x in (ratio or "1:1").split(":"))
        every = matching_view.matching(
            read.views.matching,
            compliance.MATCH_SOURCES,
            str(centre) if centre else None,
            (a or 1, b) if ratio else None,
        )
        summary = by_level_and_year(every.items)
    params = {"centre_id": centre, "ratio": ratio}
    context = {
        "page": page,
        "summary": summary,
        "centres": centre_choices(read.views, subtree(read.ledger, actor, None)),
        "errors": form.errors,
        "values": form.values | {"ratio": ratio or ""},
        "by_policy": ratio is None,
        "exports": export_links(request, "/supervision/matching", params),
        "vocab": vocab,
    }
    return render(request, "audit/matching.html", context, status=200 if form.ok else 422)


@router.get("/app/audit/suspicious", response_class=HTMLResponse)
def suspicious(request: Request, visitor: AuditorDep, read: ReaderDep) -> HTMLResponse:
    """Suspicious payments with the rule that found each and its reason, a page at a time,
    with how many each rule found."""
    actor = visitor.actor
    form = Form(dict(request.query_params))
    centre_id = _centre(form)
    window = _count(form, "repeat_window_days", 3660)
    late = _count(form, "late_recording_days", 36600)
    after = form.text("after", required=False) or None
    centre = report_centre(actor, centre_id)
    page: dict[str, Any] | None = None
    if form.ok:
        try:
            page = suspicious_route(request, read, centre, window, late, PAGE, after, "json", "en")
        except InvalidInputError as error:
            form.refuse(error, "after")
    params = {
        "centre_id": centre,
        "repeat_window_days": window,
        "late_recording_days": late,
    }
    context = {
        "page": page,
        "rules": RULES,
        "centres": centre_choices(read.views, subtree(read.ledger, actor, None)),
        "errors": form.errors,
        "values": form.values,
        "by_policy": window is None and late is None,
        "exports": export_links(request, "/supervision/suspicious-payments", params),
    }
    return render(request, "audit/suspicious.html", context, status=200 if form.ok else 422)
