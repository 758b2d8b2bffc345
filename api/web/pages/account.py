"""Signing in and out, and changing one's own password."""

from __future__ import annotations

import secrets
from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from api.deps import CSRF_FIELD, LedgerDep
from api.web.templating import render
from api.web.visitors import (
    SESSION_COOKIE,
    SIGN_IN_CSRF_COOKIE,
    FormDep,
    Visitor,
    VisitorDep,
    form_of,
    require_csrf,
    safe_next,
    session_of,
)
from domain.errors import InvalidInputError, NotAuthenticatedError, SignInLockedError

router = APIRouter(include_in_schema=False)
SESSION_SECONDS = 12 * 3600


def _sign_in_page(
    request: Request, next_url: str, error: str | None = None, name: str = "", status: int = 200
) -> HTMLResponse:
    csrf = secrets.token_urlsafe(32)
    context = {"csrf": csrf, "next": safe_next(next_url), "error": error, "name": name}
    response = render(request, "sign_in.html", context, status=status)
    response.set_cookie(
        SIGN_IN_CSRF_COOKIE, csrf, httponly=True, samesite="strict", path="/app/sign-in"
    )
    return response


@router.get("/app/sign-in", response_class=HTMLResponse)
def sign_in_form(
    request: Request, next_url: Annotated[str, Query(alias="next")] = "/app/"
) -> Response:
    if session_of(request) is not None:
        return RedirectResponse(safe_next(next_url), status_code=303)
    return _sign_in_page(request, next_url)


@router.post("/app/sign-in", response_class=HTMLResponse)
async def sign_in(request: Request) -> Response:
    form = await form_of(request)
    require_csrf(request.cookies.get(SIGN_IN_CSRF_COOKIE, ""), form.get(CSRF_FIELD, ""))
    name, next_url = form.get("name", "").strip(), form.get("next", "/app/")
    ledger = request.app.state.ledger
    try:
        actor = ledger.sign_in(name, form.get("password", ""))
    except SignInLockedError:
        return _sign_in_page(request, next_url, "signin.locked", name, status=429)
    except NotAuthenticatedError:
        return _sign_in_page(request, next_url, "signin.wrong", name, status=401)
    token, _ = request.app.state.sessions.create(actor.name, ledger.clock.now())
    response = RedirectResponse(safe_next(next_url), status_code=303)
    response.set_cookie(
        SESSION_COOKIE,
        token,
        max_age=SESSION_SECONDS,
        httponly=True,
        samesite="lax",
        secure=request.url.scheme == "https",
    )
    response.delete_cookie(SIGN_IN_CSRF_COOKIE, path="/app/sign-in")
    return response


@router.post("/app/sign-out")
def sign_out(request: Request, visitor: VisitorDep, form: FormDep) -> Response:
    request.app.state.sessions.delete(visitor.token)
    response = RedirectResponse("/app/sign-in?signed_out=1", status_code=303)
    response.delete_cookie(SESSION_COOKIE)
    return response


@router.get("/app/account", response_class=HTMLResponse)
def account(request: Request, visitor: VisitorDep, ledger: LedgerDep) -> HTMLResponse:
    return _account_page(request, visitor, ledger)


def _account_page(
    request: Request,
    visitor: VisitorDep,
    ledger: LedgerDep,
    errors: dict[str, str] | None = None,
    done: bool = False,
    status: int = 200,
) -> HTMLResponse:
    actor = visitor.actor
    centre = ledger.centre(actor, actor.centre_id) if actor.centre_id else None
    context = {"centre": centre, "errors": errors or {}, "done": done}
    return render(request, "account.html", context, status=status)


@router.post("/app/account/password", response_class=HTMLResponse)
def change_password(
    request: Request, visitor: VisitorDep, form: FormDep, ledger: LedgerDep
) -> Response:
    new = form.get("new", "")
    if new != form.get("repeat", ""):
        errors = {"repeat": "account.mismatch"}
        return _account_page(request, visitor, ledger, errors, status=422)
    try:
        ledger.change_password(visitor.actor.name, form.get("current", ""), new)
    except SignInLockedError:
        return _account_page(request, visitor, ledger, {"current": "signin.locked"}, status=429)
    except NotAuthenticatedError:
        return _account_page(request, visitor, ledger, {"current": "signin.wrong"}, status=422)
    except InvalidInputError as error:
        return _account_page(request, visitor, ledger, {"new": error.detail}, status=422)
    sessions = request.app.state.sessions
    sessions.delete_user(visitor.actor.name)  # signed out everywhere else
    token, session = sessions.create(visitor.actor.name, ledger.clock.now())
    renewed = Visitor(visitor.actor, session, token)
    request.state.visitor = renewed
    response = _account_page(request, renewed, ledger, done=True)
    response.set_cookie(
        SESSION_COOKIE, token, max_age=SESSION_SECONDS, httponly=True, samesite="lax"
    )
    return response
