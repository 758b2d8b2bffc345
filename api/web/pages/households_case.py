"""A household's archive: its details (names only for roles that may read personal data, the
read recorded as the API records it), its full timeline, and the caseworker's actions: record a
visit, a review, close and reopen; and its referrals to government channels (转介), whose forms
are read and written beside this module (households_referral_forms.py, households_referrals.py).
Each action calls the same use case as the JSON API; the timeline holds the referrals' events
beside the case's own, as GET /cases/{id}/events does."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any
from urllib.parse import urlencode
from uuid import UUID

from fastapi import APIRouter
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from api.deps import MinPosition, caught_up
from api.web.forms import Form, route_action
from api.web.i18n import vocab
from api.web.pages import households_forms as parse
from api.web.pages.households_referral_forms import case_referrals, forms_of
from api.web.pages.households_support import (
    FORM_KEY,
    Desk,
    DeskDep,
    form_context,
    may,
    new_form_key,
    query_of,
    refusal,
    short_id,
    translator,
    yuan_text,
)
from api.web.templating import render
from api.web.visitors import FormDep
from domain.access import Permission
from domain.application import Context, Outcome
from domain.cases import Case
from domain.catalogue import event_class
from domain.errors import ConflictError, InvalidInputError
from domain.money import parse_yuan, yuan
from domain.referrals import Referral
from domain.vocabulary import (
    CampaignKind,
    Category,
    Cause,
    ClosureReason,
    HouseholdFlag,
    ReferralChannel,
    ReferralDecision,
    VisitKind,
)
from projections import Views, audit
from projections.view import ViewBehindError

router = APIRouter(include_in_schema=False)
REFUSED = (InvalidInputError, ConflictError)  # said on the form; 403/404 become error pages
DONE = ("filed", "visit", "review", "close", "reopen", "refer", "outcome", "follow_up", "withdraw")
"""What a write's redirect may announce."""


def _timeline(
    views: Views, case_id: UUID, referrals: list[Referral], min_position: int | None, wait: float
) -> list[dict[str, Any]] | None:
    """Every event of the archive and of its referrals, the latest business date first (then
    the latest recorded; None while the audit view catches up); a referral's events say its
    number."""
    try:
        caught_up(views, "audit", min_position, wait)
    except ViewBehindError:
        return None
    except InvalidInputError:  # a position no write reached: show what there is
        pass
    rows = audit.timeline(views.audit, str(case_id))
    for r in referrals:
        rows += [row | {"referral": r.number} for row in audit.timeline(views.audit, str(r.id))]
    rows.sort(key=_when)
    for row in rows:
        try:
            row["kind"] = event_class(f"{row['aggregate']}.{row['type']}")
        except KeyError:
            row["kind"] = None
    return rows[::-1]


def _when(row: dict[str, Any]) -> tuple[str, int]:
    """When a timeline row happened: its business date (else the day it was recorded), then
    its place in the log."""
    return str(row["business_date"] or str(row["recorded_at"])[:10]), int(row["position"])


def _facts(case: Case, rows: list[dict[str, Any]] | None, year: int) -> dict[str, Any]:
    """The last review and this year's assistance, read from the timeline."""
    if rows is None:
        return {"last_review": None, "year_fen": None}
    reviews = [r["business_date"] for r in rows if r["kind"] in (Case.Registered, Case.Reassessed)]
    year_fen = 0
    for r in rows:
        if (r["business_date"] or "")[:4] != str(year):
            continue
        if r["kind"] is Case.AssistanceReceived:
            year_fen += parse_yuan(r["data"]["amount"])
        elif r["kind"] is Case.AssistanceReversed:
            year_fen -= parse_yuan(r["data"]["amount"])
    return {"last_review": max(reviews, default=None), "year_fen": year_fen}


def _defaults(case: Case, today: date) -> dict[str, Form]:
    """The actions' forms as first shown: today's date; a review starts from the assessment."""
    day = {"business_date": today.isoformat()}
    current = {
        "category": case.category,
        "primary_cause": case.primary_cause,
        "household_size": str(case.household_size),
        "per_capita_monthly_income": yuan(case.income_fen),
    }
    current |= {f"secondary-{c}": "on" for c in case.secondary_causes}
    current |= {f"flag-{f}": "on" for f in case.flags}
    return {
        "visit": Form(day | {"kind": VisitKind.ROUTINE.value}),
        "review": Form(day | current),
        "close": Form(dict(day)),
        "reopen": Form(dict(day)),
    }


def case_page(
    desk: Desk,
    case_id: UUID,
    *,
    action: str = "",
    form: Form | None = None,
    min_position: int | None = None,
    status: int = 200,
) -> HTMLResponse:
    request, ledger, actor = desk.request, desk.ledger, desk.visitor.actor
    case = ledger.case(actor, case_id)  # 404, or 403 outside the subtree, before anything shows
    personal = ledger.may_read_personal_data(actor)
    person = None
    if personal:  # recorded as GET /cases/{id} records it
        read = ledger.read_personal_data(actor, {case.id: case.person_sealed}, "view case")
        person = read[case.id]
    wait = request.app.state.settings.read_wait_seconds
    referrals = case_referrals(ledger, actor, case.id)
    rows = _timeline(desk.views, case.id, referrals, min_position, wait)
    forms = _defaults(case, ledger.today()) | forms_of(referrals, ledger.today())
    if form is not None:
        forms[action] = form
    for each in forms.values():
        each.values.setdefault(FORM_KEY, new_form_key())
    context = {
        "case": case,
        "person": person,
        "personal": personal,
        "centre": ledger.centre(actor, case.centre_id),
        "timeline": rows,
        "facts": _facts(case, rows, ledger.today().year),
        "year": ledger.today().year,
        "manage": may(actor, Permission.MANAGE_CASES),
        "action": action,
        "forms": forms,
        "done": done if (done := request.query_params.get("done")) in DONE else "",
        "vocab": vocab,
        "short_id": short_id,
        "yuan": yuan_text,
        "Case": Case,
        "Referral": Referral,
        "referrals": referrals,
        "channels": list(ReferralChannel),
        "decisions": list(ReferralDecision),
        "categories": list(Category),
        "causes": list(Cause),
        "flags": list(HouseholdFlag),
        "visit_kinds": list(VisitKind),
        "campaigns": list(CampaignKind),
        "reasons": list(ClosureReason),
        "goods_rows": range(parse.GOODS_ROWS),
    }
    return render(request, "households/case.html", context, status)


@router.get("/app/households/{case_id:uuid}", response_class=HTMLResponse)
def household(case_id: UUID, desk: DeskDep, min_position: MinPosition = None) -> HTMLResponse:
    return case_page(desk, case_id, min_position=min_position)


def _again(desk: Desk, case_id: UUID, action: str, form: Form) -> HTMLResponse:
    """The case page with the action's form as typed, and what is wrong above it."""
    return case_page(desk, case_id, action=action, form=form, status=422)


Write = Callable[[Context], Outcome[Any]]


def _act(desk: Desk, case_id: UUID, action: str, form: Form, write: Write) -> Response:
    """The action's write, then the timeline with it; or the form again with the refusal."""
    try:
        outcome = write(form_context(desk.visitor.actor, desk.request, form.values))
    except REFUSED as error:
        form.errors["_form"] = refusal(translator(desk.request), error)
        return _again(desk, case_id, action, form)
    params = query_of({"min_position": outcome.position, "done": action})
    return RedirectResponse(f"/app/households/{case_id}?{urlencode(params)}#timeline", 303)


def _visit(desk: Desk, case_id: UUID, f: Form) -> Write | None:
    """A home visit (走访), routine or in a campaign, with goods given in kind."""
    visit = parse.visit(f)
    if visit is None:
        return None
    return lambda c: desk.ledger.record_visit(c, case_id, **visit)


def _review(desk: Desk, case_id: UUID, f: Form) -> Write | None:
    """A review (复核) with the household's assessment as found."""
    found, note, day = parse.assessment(f), parse.note(f), f.day("business_date", required=True)
    if found is None or day is None or not f.ok:
        return None
    return lambda c: desk.ledger.reassess(c, case_id, found, note, day)


def _close(desk: Desk, case_id: UUID, f: Form) -> Write | None:
    """The archive closed (结档) with its reason."""
    closing = parse.closure(f)
    if closing is None:
        return None
    return lambda c: desk.ledger.close_case(c, case_id, *closing)


def _reopen(desk: Desk, case_id: UUID, f: Form) -> Write | None:
    """A closed archive reopened on relapse (返困)."""
    note, day = parse.note(f), f.day("business_date", required=True)
    if day is None or not f.ok:
        return None
    return lambda c: desk.ledger.reopen_case(c, case_id, note, day)


ACTIONS: dict[str, tuple[str, Callable[[Desk, UUID, Form], Write | None]]] = {
    "visits": ("visit", _visit),
    "reviews": ("review", _review),
    "closure": ("close", _close),
    "reopening": ("reopen", _reopen),
}
"""A route's last part: the action's form on the case page, and the write it asks for (None when
a field it needs could not be read)."""


@router.post("/app/households/{case_id:uuid}/visits", response_class=HTMLResponse)
@router.post("/app/households/{case_id:uuid}/reviews", response_class=HTMLResponse)
@router.post("/app/households/{case_id:uuid}/closure", response_class=HTMLResponse)
@router.post("/app/households/{case_id:uuid}/reopening", response_class=HTMLResponse)
def act(case_id: UUID, desk: DeskDep, form: FormDep) -> Response:
    """A caseworker's action on the archive, read by its rules and written by the API's use case."""
    action, read = ACTIONS[route_action(desk.request)]
    f = Form(form)
    write = read(desk, case_id, f)
    if write is None:
        return _again(desk, case_id, action, f)
    return _act(desk, case_id, action, f, write)
