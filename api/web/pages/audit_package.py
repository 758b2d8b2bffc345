"""The audit package: its scope chosen as GET /supervision/package allows (a fund tree, a
centre subtree, a period), built in the background while the page shows progress, verified as
`bangfu audit verify` verifies it, and downloaded."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from fastapi import APIRouter, BackgroundTasks, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from api.routers.supervision import package_scope, settled
from api.web.forms import Form
from api.web.pages.audit_package_jobs import PackageJob, build, jobs_of
from api.web.pages.audit_support import (
    AuditorDep,
    ReaderDep,
    centre_choices,
    day_in_window,
    fund_choices,
    subtree,
    whole_tree,
)
from api.web.templating import render
from api.web.visitors import FormDep, Visitor
from domain.errors import InvalidInputError

router = APIRouter(include_in_schema=False)


def _form_page(
    request: Request,
    visitor: Visitor,
    read: Any,
    form: Form,
    status: int = 200,
) -> HTMLResponse:
    actor = visitor.actor
    mine = subtree(read.ledger, actor, None)
    views = settled(read, "funds")
    context = {
        "funds": fund_choices(views, mine),
        "centres": centre_choices(views, mine),
        "whole_tree": whole_tree(actor),
        "errors": form.errors,
        "values": form.values,
        "jobs": jobs_of(request.app.state).of(actor.name),
        "public_key": request.app.state.signer,
    }
    return render(request, "audit/package.html", context, status=status)


@router.get("/app/audit/package", response_class=HTMLResponse)
def package_form(request: Request, visitor: AuditorDep, read: ReaderDep) -> HTMLResponse:
    """The scope to choose (the visitor's own centre first, for a user bound to one)."""
    actor = visitor.actor
    values = {"centre_id": str(actor.centre_id)} if actor.centre_id else {}
    return _form_page(request, visitor, read, Form(values))


@router.post("/app/audit/package")
def start_package(
    request: Request,
    visitor: AuditorDep,
    form: FormDep,
    read: ReaderDep,
    background: BackgroundTasks,
) -> Response:
    """Check the scope as the API does, then build the package in the background and show
    its progress (the page polls until the verifier's result is in)."""
    entered = Form(form)
    fund_id = entered.id("fund_id", required=False)
    centre_id = entered.id("centre_id", required=False)
    date_from = day_in_window(entered, "date_from")
    date_to = day_in_window(entered, "date_to")
    if fund_id is None and centre_id is None and not whole_tree(visitor.actor):
        entered.errors["centre_id"] = "audit.package.scope_needed"
    scope = None
    if entered.ok:
        try:
            scope = package_scope(
                read.ledger, visitor.actor, fund_id, centre_id, date_from, date_to
            )
        except InvalidInputError as error:
            entered.refuse(error, "date_to")
    if scope is None:
        return _form_page(request, visitor, read, entered, status=422)
    state = request.app.state
    named = {
        "fund": read.ledger.fund(visitor.actor, fund_id).name if fund_id else None,
        "centre": read.ledger.centre(visitor.actor, centre_id).name if centre_id else None,
    }
    job = PackageJob(visitor.actor.name, scope, read.ledger.clock.now(), named)
    jobs_of(state).add(job)
    background.add_task(build, job, read.ledger, state.signer)
    return RedirectResponse(f"/app/audit/package/{job.id}", status_code=303)


@router.get("/app/audit/package/{job_id:uuid}", response_class=HTMLResponse)
def package_job(request: Request, job_id: UUID, visitor: AuditorDep) -> HTMLResponse:
    """The package's progress, then the verifier's result and the download button."""
    job = jobs_of(request.app.state).get(job_id, visitor.actor.name)
    return render(request, "audit/package_job.html", _job_context(request, job))


@router.get("/app/audit/package/{job_id:uuid}/status", response_class=HTMLResponse)
def package_status(request: Request, job_id: UUID, visitor: AuditorDep) -> HTMLResponse:
    """The progress part alone, which the page polls (htmx) while the package is built."""
    job = jobs_of(request.app.state).get(job_id, visitor.actor.name)
    return render(request, "audit/_package_status.html", _job_context(request, job))


@router.get("/app/audit/package/{job_id:uuid}/download")
def package_download(request: Request, job_id: UUID, visitor: AuditorDep) -> Response:
    """The zip that was verified, byte for byte."""
    job = jobs_of(request.app.state).get(job_id, visitor.actor.name)
    if job.body is None:
        raise InvalidInputError("the package is not built yet; wait for its verification")
    stamp = job.started.strftime("%Y%m%d-%H%M%S")
    return Response(
        job.body,
        media_type="application/zip",
        headers={"Content-Disposition": f'attachment; filename="audit-package-{stamp}.zip"'},
    )


def _job_context(request: Request, job: PackageJob) -> dict[str, Any]:
    now = request.app.state.ledger.clock.now()
    elapsed = ((job.finished or now) - job.started).total_seconds()
    return {"job": job, "elapsed": max(0, int(elapsed)), "signer": request.app.state.signer}
