"""create_app(): the FastAPI application around one Ledger."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI

from api import problems
from api.routers import audit, cases, centres, funds, meta, payments
from api.settings import Settings
from domain.application import Ledger
from stores import open_ledger

DESCRIPTION = """Bangfu (帮扶) records trade-union hardship assistance as an immutable event log:
centres, earmarked funds, household archives, visits and payments. Amounts are yuan strings
("1234.50"); dates are ISO 8601; every request carries `Authorization: Bearer <token>`;
every error is RFC 9457 problem+json."""


def create_app(ledger: Ledger | None = None, settings: Settings | None = None) -> FastAPI:
    """Build the API on the given ledger, or on the store the settings name."""
    settings = settings or Settings()
    owned = ledger is None
    the_ledger = ledger or open_ledger(settings.database_url,
                                       create_tables=settings.create_tables)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        yield
        if owned:
            the_ledger.close()

    app = FastAPI(title="Bangfu 帮扶", version="0.1.0", description=DESCRIPTION,
                  lifespan=lifespan)
    app.state.ledger = the_ledger
    problems.install(app)
    for module in (centres, funds, cases, payments, audit, meta):
        app.include_router(module.router)
    return app
