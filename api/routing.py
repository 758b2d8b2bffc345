"""Routing that does not depend on the order in which routes are registered.

Every path parameter is an id, typed with Starlette's ``uuid`` convertor
(``/cases/{case_id:uuid}``), so a parameter never captures a static segment: ``/cases/summary``
reaches the summary whether the archive's router is included before the cases' router or after.

Typing takes two answers out of FastAPI's hands; ``install`` gives them back, the same in every
order, as problem+json rendered by ``api.problems``:

* a path that fits a template but for a malformed id (``/funds/not-a-uuid``) is the 422 of a
  parameter that is not valid, naming the parameter, as before (not a bare 404: no route matches);
* a 405 lists in ``Allow`` every method the path has, not only those of the first route that
  matched (``GET /funds`` and ``POST /funds`` come from two routers).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from fastapi import APIRouter, FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.routing import APIRoute
from starlette._utils import get_route_path  # the router's own reading of the path
from starlette.convertors import UUIDConvertor
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.responses import Response
from starlette.routing import compile_path

from api import problems

ID = re.compile(UUIDConvertor.regex)
EXAMPLE_ID = "3fa85f64-5717-4562-b3fc-2c963f66afa6"


@dataclass(frozen=True)
class Template:
    """A route's path as the router matches it (``strict``) and with any segment in an id's
    place (``loose``), and the methods it answers."""

    path: str
    methods: frozenset[str]
    strict: re.Pattern[str]
    loose: re.Pattern[str]


def templates(routers: Iterable[APIRouter]) -> list[Template]:
    """The templates of every API route of the routers, in a fixed order (by path)."""
    found = []
    for router in routers:
        for route in router.routes:
            if isinstance(route, APIRoute):
                strict, path_format, _ = compile_path(route.path)
                loose = compile_path(path_format)[0]
                methods = frozenset(route.methods or ())
                found.append(Template(path_format, methods, strict, loose))
    return sorted(found, key=lambda t: (t.path, sorted(t.methods)))


def malformed_ids(template: Template, path: str) -> list[dict[str, object]]:
    """The validation errors of the ids in ``path`` that are not UUIDs (pydantic's shape)."""
    match = template.loose.fullmatch(path)
    values = match.groupdict() if match else {}
    return [
        {
            "loc": ("path", name),
            "msg": f"Input should be a valid UUID, such as {EXAMPLE_ID}",
            "type": "uuid_parsing",
            "input": value,
        }
        for name, value in values.items()
        if not ID.fullmatch(value)
    ]


def allow(fitting: Sequence[Template]) -> dict[str, str]:
    return {"Allow": ", ".join(sorted(set().union(*(t.methods for t in fitting))))}


def install(app: FastAPI, routers: Iterable[APIRouter]) -> None:
    """Answer a malformed id with 422 and a wrong method with every allowed method (call it
    with the routers the app includes)."""
    known = templates(routers)

    async def on_no_route(request: Request, error: Exception) -> Response:
        path = get_route_path(request.scope)
        fitting = [t for t in known if t.loose.fullmatch(path)]
        for template in fitting:
            errors = malformed_ids(template, path)
            if request.method in template.methods and errors:
                return await problems.on_validation_error(request, RequestValidationError(errors))
        if fitting:
            wrong = StarletteHTTPException(405, headers=allow(fitting))
            return await problems.on_http_error(request, wrong)
        return await problems.on_http_error(request, error)

    async def on_wrong_method(request: Request, error: Exception) -> Response:
        fitting = [t for t in known if t.strict.fullmatch(get_route_path(request.scope))]
        if fitting:
            error = StarletteHTTPException(405, headers=allow(fitting))
        return await problems.on_http_error(request, error)

    app.add_exception_handler(404, on_no_route)
    app.add_exception_handler(405, on_wrong_method)
