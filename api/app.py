"""create_app(): the FastAPI application around one Ledger and its read models."""

from __future__ import annotations

from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from importlib.metadata import version

from fastapi import APIRouter, Depends, FastAPI

from api import problems, routing
from api.guards import RefuseControlCharacters, refuse_duplicate_keys
from api.observability.gc_pauses import settle_heap
from api.observability.logs import configure_from
from api.observability.metrics import Metrics
from api.observability.requests import RequestLog
from api.projector import Mode, ProjectorRunner
from api.routers import (
    applications,
    approvals,
    archive,
    audit,
    campaigns,
    cases,
    centres,
    funds,
    health,
    meta,
    payments,
    policy,
    referrals,
    reports,
    reviews,
    rosters,
    schedules,
    statistics,
    supervision,
)
from api.web.docs import install_docs
from api.web.pages import ROUTERS as PAGES
from api.web.static_files import mount_static
from bootstrap import bootstrap
from domain.application import Ledger
from settings import Settings

DESCRIPTION = """Bangfu (帮扶) records trade-union hardship assistance as an immutable event log:
centres, earmarked funds, household archives, visits and payments. Amounts are yuan strings
("1234.50"); dates are ISO 8601; every request carries `Authorization: Bearer <token>`;
every error is RFC 9457 problem+json. Writes answer with their log `position`; reads of lists and
reports accept `min_position` to wait until their view has caught up (read-your-writes)."""

ROUTERS: tuple[APIRouter, ...] = tuple(
    module.router
    for module in (
        health,
        payments,
        funds,
        reports,
        archive,
        cases,
        audit,
        centres,
        applications,
        approvals,
        rosters,
        referrals,
        campaigns,
        schedules,
        reviews,
        statistics,
        policy,
        supervision,
        meta,
    )
)
"""Every router, in an order that does not matter for the answer: no path parameter can capture
a static segment (see api/routing.py). It matters for speed: a request is matched against one
route after another until one fits (twice: FastAPI's included routers match, then handle), so
the probes and the most used routes come first."""


def create_app(
    ledger: Ledger | None = None,
    settings: Settings | None = None,
    routers: Sequence[APIRouter] = ROUTERS,
    projector: Mode | None = None,
) -> FastAPI:
    """Build the API on the given ledger, or on the store the settings name; the projector
    runs as a thread of this process unless ``projector`` says otherwise (api/projector.py)."""
    owned = ledger is None
    bangfu = bootstrap(settings, ledger=ledger)
    settings, the_ledger, views = bangfu.settings, bangfu.ledger, bangfu.views
    runner = ProjectorRunner(
        bangfu, projector or ("thread" if settings.project_in_process else "none")
    )

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        runner.start()
        yield
        runner.close()
        if owned:
            the_ledger.close()

    app = FastAPI(
        title="Bangfu 帮扶",
        version=version("bangfu"),
        description=DESCRIPTION,
        lifespan=lifespan,
        docs_url=None,
        redoc_url=None,
        dependencies=[Depends(refuse_duplicate_keys)],
    )
    app.state.ledger, app.state.views, app.state.settings = the_ledger, views, settings
    app.state.signer, app.state.checkpoints = bangfu.signer, bangfu.checkpoints
    app.state.sessions = bangfu.sessions
    app.state.projector = runner
    app.state.metrics = metrics = Metrics(bangfu)
    problems.install(app)
    app.add_middleware(RefuseControlCharacters)
    app.add_middleware(RequestLog, http=metrics.http)  # outermost: every answer gets an id
    for router in routers:
        app.include_router(problems.declared(router))
    routing.install(app, routers)
    problems.document(app)
    for page in PAGES:
        app.include_router(page)
    install_docs(app)
    mount_static(app)
    return app


def app_from_environment() -> FastAPI:
    """The app of one worker of `bangfu serve --workers N` (uvicorn calls it in each process):
    the settings from the environment, the views kept by `bangfu project`."""
    settings = Settings()
    configure_from(settings, "serve")
    app = create_app(settings=settings, projector="none")
    settle_heap()
    return app
