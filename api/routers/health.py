"""Probes and metrics for the people and machines that run Bangfu, without sign-in.

* ``/health/live``: the process answers (200, always; it reads nothing).
* ``/health/ready``: the store answers a trivial query, its schema is the version this code
  serves (``stores.migrations.check_current``), and every view has applied the log to within
  ``BANGFU_READY_MAX_LAG_EVENTS`` positions without stopping at an event it cannot apply: 200
  with each check, else 503 problem+json naming the checks that failed.
* ``/metrics``: Prometheus's text format (api/observability/metrics.py); only aggregate
  numbers, and a bearer token when ``BANGFU_METRICS_TOKEN`` is set.

``/health`` (api/routers/meta.py) stays as it was. None of these is in the OpenAPI document:
they serve probes and scrapers, not API clients.
"""

from __future__ import annotations

import secrets
from typing import Any

from fastapi import APIRouter, Request
from starlette.responses import JSONResponse, Response

from api import problems
from api.observability.metrics import CONTENT_TYPE_LATEST, Metrics
from domain.errors import NotAuthenticatedError
from stores.migrations import LATEST, StoreSchemaError, check_current

router = APIRouter(tags=["operations"], include_in_schema=False)

Checks = dict[str, dict[str, Any]]


@router.get("/health/live")
async def live() -> dict[str, str]:
    """The process answers; nothing is read."""
    return {"status": "alive"}


def projection_check(request: Request, head: int) -> dict[str, Any]:
    """Every view within the lag bound of ``head``, and none stopped at a failure."""
    state = request.app.state
    projector, max_lag = state.views.projector, state.settings.ready_max_lag_events
    states, failed = projector.states(), sorted(projector.failures())
    lags = {
        view.name: max(head - (states[view.name].position if view.name in states else 0), 0)
        for view in projector.views
    }
    behind = sorted(name for name, lag in lags.items() if lag > max_lag)
    return {
        "ok": not failed and not behind,
        "max_lag": max(lags.values(), default=0),
        "lag_bound": max_lag,
        "failed_views": failed,
        "lagging_views": behind,
    }


def schema_check(request: Request, head: int) -> dict[str, Any]:
    """The store's schema is the version this code serves (stores/migrations.py): not older
    (`bangfu migrate` not run yet) nor newer (another process upgraded it under us)."""
    try:
        check_current(request.app.state.views.projector.db)
    except StoreSchemaError as error:
        return {"ok": False, "detail": str(error)}
    return {"ok": True, "version": LATEST}


CHECKS = {"schema": schema_check, "projections": projection_check}


def readiness(request: Request) -> Checks:
    """Each check with ``ok``; a store that does not answer fails every check."""
    try:
        head = request.app.state.ledger.recorder.max_notification_id() or 0
    except Exception as error:
        down = {"ok": False, "detail": f"the store did not answer ({type(error).__name__})"}
        return {"store": down} | {name: down for name in CHECKS}
    checks: Checks = {"store": {"ok": True, "head": head}}
    for name, check in CHECKS.items():
        try:
            checks[name] = check(request, head)
        except Exception as error:
            checks[name] = {"ok": False, "detail": f"{type(error).__name__} while checking"}
    return checks


@router.get("/health/ready")
def ready(request: Request) -> Response:
    """Ready to serve: the store, its schema, and the views (see the module's notes)."""
    checks = readiness(request)
    failed = [name for name, check in checks.items() if not check["ok"]]
    if not failed:
        return JSONResponse({"status": "ready", "checks": checks})
    return problems.problem(
        request,
        503,
        "not-ready",
        "Not ready to serve",
        f"failed: {', '.join(failed)}",
        {"Retry-After": "5"},
        failed=failed,
        checks=checks,
    )


@router.get("/metrics")
def metrics(request: Request) -> Response:
    """Every metric, in Prometheus's text format."""
    token = request.app.state.settings.metrics_token
    if token:
        sent = request.headers.get("authorization", "")
        if not secrets.compare_digest(sent.encode(), f"Bearer {token}".encode()):
            raise NotAuthenticatedError("send 'Authorization: Bearer <BANGFU_METRICS_TOKEN>'")
    registry: Metrics = request.app.state.metrics
    return Response(registry.exposition(), media_type=CONTENT_TYPE_LATEST)
