"""The front page: what the signed-in person can do, by role."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse

from api.deps import LedgerDep
from api.web.templating import render
from api.web.visitors import VisitorDep

router = APIRouter(include_in_schema=False)


@router.get("/")
def root() -> RedirectResponse:
    """The web app lives under /app/; the JSON API beside it."""
    return RedirectResponse("/app/", status_code=307)


@router.get("/app")
def app_root() -> RedirectResponse:
    return RedirectResponse("/app/", status_code=307)


@router.get("/app/", response_class=HTMLResponse)
def home(request: Request, visitor: VisitorDep, ledger: LedgerDep) -> HTMLResponse:
    actor = visitor.actor
    centre = ledger.centre(actor, actor.centre_id) if actor.centre_id else None
    return render(request, "home.html", {"centre": centre})
