"""Errors become RFC 9457 problem+json, in one place."""

from __future__ import annotations

import logging
import re
from typing import Any

import orjson
from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.responses import Response

from domain.errors import (
    BangfuError,
    BusyError,
    ConflictError,
    ForbiddenError,
    InvalidInputError,
    NotAuthenticatedError,
    NotFoundError,
)
from projections.runner import ViewBehindError

log = logging.getLogger("bangfu.api")

STATUS_BY_KIND: dict[type[BangfuError], int] = {
    NotAuthenticatedError: 401,
    ForbiddenError: 403,
    NotFoundError: 404,
    ConflictError: 409,
    InvalidInputError: 422,
    BusyError: 503,
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
) -> ProblemResponse:
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
    title = (type(error).__doc__ or "The request was refused").strip().rstrip(".")
    return problem(request, status, slug(type(error)), title, error.detail, headers)


async def on_view_behind(request: Request, error: Exception) -> Response:
    assert isinstance(error, ViewBehindError)
    return problem(
        request,
        503,
        "view-behind",
        "The view has not caught up yet",
        str(error),
        {"Retry-After": "1"},
        view=error.view,
        view_position=error.position,
        wanted_position=error.wanted,
    )


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
    log.exception("unexpected error on %s %s", request.method, request.url.path)
    return problem(
        request,
        500,
        "internal-error",
        "Internal error",
        "Bangfu failed unexpectedly; this is a bug and has been logged",
    )


def install(app: FastAPI) -> None:
    app.add_exception_handler(BangfuError, on_domain_error)
    app.add_exception_handler(ViewBehindError, on_view_behind)
    app.add_exception_handler(RequestValidationError, on_validation_error)
    app.add_exception_handler(StarletteHTTPException, on_http_error)
    app.add_exception_handler(Exception, on_unexpected_error)
