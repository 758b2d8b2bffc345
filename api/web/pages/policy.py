"""Local policy (地方政策) as a page: what is in force at a centre of the visitor's subtree on a
date, and the settings that bear on it (GET /policy and /policy/history, by the API's own route
functions: the same scope check, the same read model); for admins, setting a parameter from a
date (or correcting a setting) and withdrawing a setting, by the API's use cases."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode
from uuid import UUID

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from api.deps import LedgerDep, Reader, ViewsDep
from api.routers.policy import history as history_route
from api.routers.policy import in_force as in_force_route
from api.web.forms import Form
from api.web.i18n import Translator, language_of
from api.web.pages import policy_forms as parse
from api.web.pages.archive_filters import centre_names
from api.web.pages.households_support import FORM_KEY, form_context, may, new_form_key, query_of
from api.web.templating import render
from api.web.visitors import FormDep, Visitor, VisitorDep
from domain.access import Permission
from domain.application import Ledger
from domain.errors import BangfuError
from domain.policy_parameters import Parameter
from projections import Views

router = APIRouter(include_in_schema=False)
HISTORY_PAGE = 50
CHOICES = 1000  # settings of a centre read for the correct and withdraw choices (the API's most)
DONE = ("set", "withdrawn")


class Desk:
    """What the policy page works with: the request, the visitor, the ledger, the views."""

    def __init__(self, request: Request, visitor: Visitor, ledger: Ledger, views: Views) -> None:
        self.request, self.visitor, self.ledger, self.views = request, visitor, ledger, views
        self.t = Translator(language_of(request))
        wait = request.app.state.settings.read_wait_seconds
        self.read = Reader(visitor.actor, ledger, views, None, wait)


def _centre(desk: Desk, form: Form, centres: list[dict[str, Any]]) -> UUID | None:
    """The centre asked for, else the visitor's own, else the first at the top of the tree;
    the ledger refuses one outside the visitor's subtree (an error page)."""
    asked = form.id("centre_id", required=False)
    actor = desk.visitor.actor
    chosen = asked or actor.centre_id or (UUID(centres[0]["centre_id"]) if centres else None)
    if chosen is not None:
        desk.ledger.centre(actor, chosen)
    return chosen


def _own_settings(desk: Desk, centre_id: UUID) -> list[dict[str, Any]]:
    """The settings recorded at the centre itself that are still in effect (to correct or
    withdraw), newest first."""
    found = history_route(desk.read, centre_id, None, 0, CHOICES)["settings"]
    mine = [s for s in found if s["centre_id"] == str(centre_id) and s["status"] == "in_effect"]
    return mine[::-1]


def _choice(t: Translator, s: dict[str, Any]) -> tuple[str, str]:
    subject = f" · {t.term(s['subject'])}" if s["subject"] else ""
    value = parse.shown_value(t, s["parameter"], s["value"])
    label = f"{parse.parameter_label(t, s['parameter'])}{subject} = {value}"
    return s["setting_id"], f"{label} ({t('policy.from', day=s['effective_from'])})"


def _page(
    desk: Desk,
    query: Form,
    forms: dict[str, Form] | None = None,
    status: int = 200,
) -> HTMLResponse:
    t, actor = desk.t, desk.visitor.actor
    centres = centre_names(desk.views, actor)
    centre_id = _centre(desk, query, centres)
    on = query.day_in_window("on") or desk.ledger.today()
    after_text = query.text("after", required=False)
    after = int(after_text) if after_text.isdigit() and len(after_text) < 19 else 0
    context: dict[str, Any] = {
        "values": query.values | {"centre_id": str(centre_id or ""), "on": on.isoformat()},
        "errors": query.errors,
        "centre_choices": [(c["centre_id"], "\u3000" * c["depth"] + c["name"]) for c in centres],
        "manage": may(actor, Permission.SET_POLICY),
        "done": done if (done := query.values.get("done")) in DONE else "",
        "label": lambda name: parse.parameter_label(t, name),
        "shown": lambda name, value: parse.shown_value(t, name, value),
        "in_force": None,
    }
    if centre_id is None:
        return render(desk.request, "policy/page.html", context, status)
    found = in_force_route(desk.read, centre_id, on, None)
    history = history_route(desk.read, centre_id, None, after, HISTORY_PAGE)
    own = _own_settings(desk, centre_id) if context["manage"] else []
    forms = forms or {}
    corrected = next((s for s in own if s["setting_id"] == query.values.get("corrects")), None)
    if "set" not in forms:
        forms["set"] = Form(parse.setting_defaults(on, query.values, corrected))
    forms.setdefault("withdraw", Form({}))
    for form in forms.values():
        form.values.setdefault(FORM_KEY, new_form_key())
    chosen = forms["set"].values.get("parameter", "")
    context |= {
        "centre_name": desk.ledger.centre(actor, centre_id).name,
        "in_force": found["parameters"],
        "history": history["settings"],
        "next": history["next"],
        "own": [_choice(t, s) for s in own],
        "forms": forms,
        "parameters": [(p.value, parse.parameter_label(t, p.value)) for p in Parameter],
        "subjects": parse.subject_choices(t, chosen),
        "unit_hint": parse.unit_hint(t, chosen),
    }
    return render(desk.request, "policy/page.html", context, status)


@router.get("/app/policy", response_class=HTMLResponse)
def policy(
    request: Request, visitor: VisitorDep, ledger: LedgerDep, views: ViewsDep
) -> HTMLResponse:
    """What is in force at a centre on a date, and the settings that bear on it."""
    names = ("centre_id", "on", "after", "parameter", "subject", "corrects", "done")
    query = Form({k: request.query_params.get(k, "").strip() for k in names})
    desk = Desk(request, visitor, ledger, views)
    return _page(desk, query, status=200 if query.ok else 422)


@router.get("/app/policy/fields", response_class=HTMLResponse)
def subject_field(request: Request, visitor: VisitorDep) -> HTMLResponse:
    """The subject and value fields for the parameter chosen (htmx swaps them in when the
    parameter changes: its subjects, its unit)."""
    t = Translator(language_of(request))
    name = request.query_params.get("parameter", "")
    typed = {"parameter": name, "value": request.query_params.get("value", "")}
    context = {
        "subjects": parse.subject_choices(t, name),
        "unit_hint": parse.unit_hint(t, name),
        "f": Form(typed),
    }
    return render(request, "policy/_fields.html", context)


def _written(form: Form, on: str, done: str) -> RedirectResponse:
    params = query_of({"centre_id": form.values.get("centre_id"), "on": on, "done": done})
    return RedirectResponse(f"/app/policy?{urlencode(params)}#in-force", 303)


def _again(desk: Desk, form: Form, action: str) -> HTMLResponse:
    """The page for the centre of the form, the form as typed with what is wrong beside it."""
    keep = {k: form.values.get(k, "") for k in ("centre_id", "on")}
    return _page(desk, Form(keep), {action: form}, status=422)


@router.post("/app/policy", response_class=HTMLResponse)
def set_policy(
    request: Request, visitor: VisitorDep, ledger: LedgerDep, views: ViewsDep, sent: FormDep
) -> Response:
    """A parameter's value at the centre from a date on, or a correction of a setting (POST
    /policy's use case)."""
    visitor.actor.require(Permission.SET_POLICY)  # the centre's subtree: by the use case
    desk, form = Desk(request, visitor, ledger, views), Form(dict(sent))
    asked = parse.setting(form)
    if asked is None:
        return _again(desk, form, "set")
    try:
        ledger.set_policy(
            form_context(visitor.actor, request, form.values),
            asked["centre_id"],
            asked["param"],
            asked["subject"],
            asked["value"],
            asked["effective_from"],
            asked["reason"],
            asked["corrects"],
        )
    except BangfuError as error:
        parse.refuse(desk.t, form, error, "corrects")
        return _again(desk, form, "set")
    return _written(form, asked["effective_from"].isoformat(), "set")  # shown in force then


@router.post("/app/policy/withdrawals", response_class=HTMLResponse)
def withdraw(
    request: Request, visitor: VisitorDep, ledger: LedgerDep, views: ViewsDep, sent: FormDep
) -> Response:
    """A setting of the centre withdrawn: the centres above decide again (POST
    /policy/withdrawals' use case)."""
    visitor.actor.require(Permission.SET_POLICY)
    desk, form = Desk(request, visitor, ledger, views), Form(dict(sent))
    asked = parse.withdrawal(form)
    if asked is None:
        return _again(desk, form, "withdraw")
    try:
        ledger.withdraw_policy(form_context(visitor.actor, request, form.values), *asked)
    except BangfuError as error:
        parse.refuse(desk.t, form, error, "setting_id")
        return _again(desk, form, "withdraw")
    return _written(form, form.values.get("on", ""), "withdrawn")
