"""Errors become RFC 9457 problem+json, in one place."""

from __future__ import annotations

import logging
import re
from typing import Any

import orjson
from fastapi import APIRouter, FastAPI, Request
from fastapi.dependencies.models import Dependant
from fastapi.exceptions import RequestValidationError
from fastapi.routing import APIRoute
from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.responses import Response

from api.deps import CsrfError, current_actor
from api.responses import Problem, problem_responses
from api.web import errors as web_errors
from domain.errors import (
    BangfuError,
    BusyError,
    ConflictError,
    ForbiddenError,
    InvalidInputError,
    NotAuthenticatedError,
    NotFoundError,
    SignInLockedError,
)
from projections.view import ViewBehindError, ViewFailedError
from stores.sql import drop_broken_connections, transient

log = logging.getLogger("bangfu.api")

STATUS_BY_KIND: dict[type[BangfuError], int] = {
    NotAuthenticatedError: 401,
    ForbiddenError: 403,
    CsrfError: 403,
    NotFoundError: 404,
    ConflictError: 409,
    InvalidInputError: 422,
    BusyError: 503,
    SignInLockedError: 429,  # problem type sign-in-locked, "Too many failed sign-ins"
}


class ProblemResponse(Response):
    """application/problem+json, serialised with orjson."""

    media_type = "application/problem+json"

    def render(self, content: Any) -> bytes:
        return orjson.dumps(content)


def slug(error: type[Exception]) -> str:
    name = error.__name__.removesuffix("Error")
    return re.sub(r"(?<!^)(?=[A-Z])", "-", name).lower()


def problem(
    request: Request,
    status: int,
    kind: str,
    title: str,
    detail: str,
    headers: dict[str, str] | None = None,
    **extra: Any,
) -> Response:
    if web_errors.is_page(request):
        return web_errors.error_page(request, status, kind, title, detail)
    body = {
        "type": f"urn:bangfu:problem:{kind}",
        "title": title,
        "status": status,
        "detail": detail,
        "instance": request.url.path,
        **extra,
    }
    return ProblemResponse(body, status_code=status, headers=headers)


def status_of(error: BangfuError) -> int:
    for kind, status in STATUS_BY_KIND.items():
        if isinstance(error, kind):
            return status
    return 400


async def on_domain_error(request: Request, error: Exception) -> Response:
    assert isinstance(error, BangfuError)
    status = status_of(error)
    headers = {"WWW-Authenticate": "Bearer"} if status == 401 else None
    if status == 503:
        headers = {"Retry-After": "1"}
    if isinstance(error, SignInLockedError):
        headers = {"Retry-After": str(error.retry_after_seconds)}
    title = (type(error).__doc__ or "The request was refused").strip().rstrip(".")
    return problem(request, status, slug(type(error)), title, error.detail, headers)


async def on_view_behind(request: Request, error: Exception) -> Response:
    assert isinstance(error, ViewBehindError)
    where = {"view": error.view, "view_position": error.position, "wanted_position": error.wanted}
    if isinstance(error, ViewFailedError):  # stopped at an event it cannot apply
        kind, title, retry = "view-failed", "The view stopped at an event it cannot apply", "60"
        where["failed_at_position"] = error.failure.position
    else:
        kind, title, retry = "view-behind", "The view has not caught up yet", "1"
    return problem(request, 503, kind, title, str(error), {"Retry-After": retry}, **where)


async def on_validation_error(request: Request, error: Exception) -> Response:
    assert isinstance(error, RequestValidationError)
    errors = [
        {
            "field": ".".join(str(p) for p in e.get("loc", ()) if p != "body"),
            "message": str(e.get("msg", "")),
            "type": str(e.get("type", "")),
        }
        for e in error.errors()
    ]
    detail = "; ".join(f"{e['field'] or 'body'}: {e['message']}" for e in errors)
    return problem(
        request, 422, "validation-failed", "The request is not valid", detail, errors=errors
    )


async def on_http_error(request: Request, error: Exception) -> Response:
    assert isinstance(error, StarletteHTTPException)
    if error.status_code == 400:
        # FastAPI's answer to a body it cannot decode (not UTF-8, say); malformed JSON is a 422
        # already, and so is this: invalid input, with the same problem type
        cause = error.__cause__
        message = f"the body cannot be decoded: {cause}" if cause else str(error.detail)
        errors = [{"field": "body", "message": message, "type": "body_undecodable"}]
        return problem(
            request, 422, "validation-failed", "The request is not valid", message, errors=errors
        )
    kind = {404: "not-found", 405: "method-not-allowed"}.get(error.status_code, "http-error")
    return problem(
        request,
        error.status_code,
        kind,
        str(error.detail),
        str(error.detail),
        dict(error.headers) if error.headers else None,
    )


async def on_unexpected_error(request: Request, error: Exception) -> Response:
    if transient(error):  # the database restarts, is unreachable or busy: not the request's fault
        log.warning("store unavailable on %s %s: %s", request.method, request.url.path, error)
        await run_in_threadpool(drop_broken_connections, request.app.state.ledger)
        return problem(
            request,
            503,
            "store-unavailable",
            "The store is unavailable",
            "the database did not answer; try again (the same Idempotency-Key is safe)",
            {"Retry-After": "1"},
        )
    log.exception("unexpected error on %s %s", request.method, request.url.path)
    return problem(
        request,
        500,
        "internal-error",
        "Internal error",
        "Bangfu failed unexpectedly; this is a bug and has been logged",
    )


def _dependants(dependant: Dependant) -> list[Dependant]:
    return [dependant, *(d for sub in dependant.dependencies for d in _dependants(sub))]


def statuses_of(route: APIRoute) -> list[int]:
    """The error statuses an operation can answer with: 422 for any (a control character in the
    URL is refused everywhere); 401, 403 and 404 when it needs a user; 409 and 503 for a write
    (a conflict, or a race lost 30 times); 503 when it waits for a view (`min_position`)."""
    dependants = _dependants(route.dependant)
    statuses = {422}
    if any(d.call is current_actor for d in dependants):
        statuses |= {401, 403, 404}
    if (route.methods or set()) & {"POST", "PUT", "PATCH", "DELETE"}:
        statuses |= {409, 503}
    if any(p.name == "min_position" for d in dependants for p in d.query_params):
        statuses.add(503)
    return sorted(statuses)


def declared(router: APIRouter) -> APIRouter:
    """The router, with each operation's error responses declared as application/problem+json
    of a Problem (include it after this)."""
    for route in router.routes:
        if isinstance(route, APIRoute):
            for status, response in problem_responses(*statuses_of(route)).items():
                route.responses.setdefault(status, response)
    return router


def document(app: FastAPI) -> None:
    """Put the Problem schema, which the declared error responses name, in the components of
    the app's OpenAPI document."""
    generate = app.openapi

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            schema = generate()
            problem_schema = Problem.model_json_schema(ref_template="#/components/schemas/{model}")
            schemas = schema.setdefault("components", {}).setdefault("schemas", {})
            schemas.update(problem_schema.pop("$defs", {}))
            schemas["Problem"] = problem_schema
            app.openapi_schema = schema
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]


def install(app: FastAPI) -> None:
    app.add_exception_handler(BangfuError, on_domain_error)
    app.add_exception_handler(ViewBehindError, on_view_behind)
    app.add_exception_handler(RequestValidationError, on_validation_error)
    app.add_exception_handler(StarletteHTTPException, on_http_error)
    app.add_exception_handler(Exception, on_unexpected_error)
