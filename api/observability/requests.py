"""Every request gets an id and one log line, and is counted (pure ASGI middleware).

The id is the client's ``X-Request-ID`` when it is sane (1 to 64 letters, digits, ``.``, ``_``
or ``-``), else a new one; it goes back in the ``X-Request-ID`` header of the answer. The line
holds the request id, the acting user's name (when the request signed in), the method, the
route template (``/funds/{fund_id}``, not the path), the status and the latency: never the query
string, the body, a token or any personal data. Probes and scrapes (``QUIET``) are counted but
logged only at DEBUG, so that a health check every few seconds does not flood the log.
"""

from __future__ import annotations

import logging
import re
import time
import uuid
from typing import Any

from starlette.datastructures import MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from api.observability.logs import get_logger
from api.observability.metrics import HttpMetrics

HEADER = "X-Request-ID"
SANE_ID = re.compile(rb"[A-Za-z0-9._-]{1,64}")
METHODS = frozenset({"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"})
QUIET = frozenset({"/health", "/health/live", "/health/ready", "/metrics"})
UNMATCHED = "unmatched"  # a path no route serves: one label, whatever the path

log = get_logger("bangfu.requests")
quiet_lines = logging.getLogger("bangfu.requests")  # the same logger, for its level


def request_id(scope: Scope) -> str:
    """The client's sane X-Request-ID, else a new random one."""
    for name, value in scope.get("headers", ()):
        if name == b"x-request-id" and SANE_ID.fullmatch(value):
            return str(value.decode("ascii"))
    return uuid.uuid4().hex


def route_template(scope: Scope) -> str:
    """The template of the route that answered (``/cases/{case_id}``), never the path."""
    route: Any = scope.get("route")
    template = getattr(route, "path_format", None) or getattr(route, "path", None)
    return template if isinstance(template, str) and template else UNMATCHED


def actor_name(state: dict[str, Any]) -> str | None:
    """The user the request acted as (api/deps.py and api/web/visitors.py note it)."""
    actor = state.get("actor")
    if actor is None and (visitor := state.get("visitor")) is not None:
        actor = visitor.actor.name
    return actor if isinstance(actor, str) else None


class RequestLog:
    """Request ids, one log line and the metrics of each HTTP request."""

    def __init__(self, app: ASGIApp, http: HttpMetrics) -> None:
        self.app, self.http = app, http

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started, the_id, status = time.perf_counter(), request_id(scope), 500
        state: dict[str, Any] = scope.setdefault("state", {})
        state["request_id"] = the_id

        async def answer(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
                MutableHeaders(scope=message).append(HEADER, the_id)
            await send(message)

        try:
            await self.app(scope, receive, answer)
        finally:
            seconds = time.perf_counter() - started
            method = scope["method"] if scope["method"] in METHODS else "OTHER"
            route = route_template(scope)
            self.http.observe(method, route, status, seconds)
            # a probe's line is DEBUG: when that is filtered out, it is not even built
            if route not in QUIET or quiet_lines.isEnabledFor(logging.DEBUG):
                write = log.debug if route in QUIET else log.info
                write(
                    "request",
                    request_id=the_id,
                    actor=actor_name(state),
                    method=method,
                    route=route,
                    status=status,
                    latency_ms=round(seconds * 1000, 2),
                )
