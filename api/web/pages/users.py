"""Users for an admin: who may sign in, with which role and centre subtree; passwords set here
are shown once (only their argon2 hash is kept)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from api.deps import LedgerDep, ViewsDep, caught_up
from api.web.forms import Form
from api.web.templating import render
from api.web.visitors import FormDep, Visitor, VisitorDep
from domain.access import Permission
from domain.centres import Centre
from domain.errors import BangfuError, ForbiddenError, InvalidInputError, NotFoundError
from domain.passwords import check_new_password, new_password
from domain.users import User
from domain.vocabulary import Role
from projections import Views
from projections.audit import named_aggregates

router = APIRouter(include_in_schema=False)


def _page(
    request: Request,
    visitor: Visitor,
    views: Views,
    form: Form | None = None,
    shown: dict[str, Any] | None = None,
    status: int = 200,
) -> HTMLResponse:
    actor = visitor.actor
    actor.require(Permission.MANAGE_CENTRES)
    scope = str(actor.centre_id) if actor.centre_id else None
    head = views.projector.ledger.recorder.max_notification_id() or None
    caught_up(views, "audit", head, request.app.state.settings.read_wait_seconds)
    centres = named_aggregates(views.audit, Centre, scope)
    names = {c["aggregate_id"]: c["name"] for c in centres}
    users = [
        {**u, "role": u["data"].get("role"), "centre": names.get(u["centre_id"] or "")}
        for u in named_aggregates(views.audit, User, scope)
    ]
    context = {
        "users": users,
        "centres": [(c["aggregate_id"], c["name"]) for c in centres],
        "roles": list(Role),
        "form": form or Form({}),
        "shown": shown,
    }
    return render(request, "users/list.html", context, status)


@router.get("/app/users", response_class=HTMLResponse)
def users(request: Request, visitor: VisitorDep, views: ViewsDep) -> HTMLResponse:
    return _page(request, visitor, views)


@router.post("/app/users", response_class=HTMLResponse)
def add_user(
    request: Request, visitor: VisitorDep, values: FormDep, ledger: LedgerDep, views: ViewsDep
) -> HTMLResponse:
    form = Form(values)
    name, role = form.text("name"), form.choice("role", Role)
    centre = form.id("centre_id", required=visitor.actor.centre_id is not None)
    password = form.text("password", required=False) or new_password()
    if not form.ok or role is None:
        return _page(request, visitor, views, form, status=422)
    try:
        check_new_password(password, name)
    except InvalidInputError as error:
        form.refuse(error, "password")
        return _page(request, visitor, views, form, status=422)
    try:
        token = ledger.add_user(visitor.actor, name, role, centre, password)
    except (ForbiddenError, NotFoundError) as error:  # a centre outside the admin's subtree
        form.refuse(error, "centre_id")
        return _page(request, visitor, views, form, status=422)
    except BangfuError as error:
        form.refuse(error, "name")
        return _page(request, visitor, views, form, status=422)
    shown = {"name": name, "password": password, "token": token}
    return _page(request, visitor, views, shown=shown)


@router.post("/app/users/password", response_class=HTMLResponse)
def set_password(
    request: Request, visitor: VisitorDep, values: FormDep, ledger: LedgerDep, views: ViewsDep
) -> HTMLResponse:
    form = Form(values)
    name = form.text("user")
    password = new_password()
    try:
        ledger.set_password(visitor.actor, name, password)
    except BangfuError as error:
        form.refuse(error, "user")
        return _page(request, visitor, views, form, status=422)
    return _page(request, visitor, views, shown={"name": name, "password": password})
