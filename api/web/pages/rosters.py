"""Payment rosters (花名册) for finance staff: upload a roster (XLSX or CSV) with its fund and
date; "check" shows what an import would do with each row (row number, fate, reason in Chinese
and English) and saves nothing; "import" pays every valid row once and shows the same report.
The same use cases as POST /rosters/validate and /rosters/import; the template is the API's."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import PurePath
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse
from starlette.datastructures import UploadFile

from api.deps import LedgerDep
from api.roster_files import MAX_FILE_BYTES, read_table
from api.web.forms import Form
from api.web.pages.approvals_support import EVERY_ROW, reserved_by_fund
from api.web.pages.funds_shared import business_date, line, reader, refusal_text
from api.web.templating import render
from api.web.visitors import FormDep, Visitor, VisitorDep
from domain.access import Permission
from domain.application import Context, Ledger
from domain.errors import BangfuError, ForbiddenError, FundNotFoundError, NotAuthenticatedError
from domain.rosters import RosterReport, RowStatus, parse_roster
from projections.fund_reports import list_funds

router = APIRouter(include_in_schema=False)
SHOWN = 1000  # report rows a page shows at most (the rows not paid first)
ACTIONS = ("check", "import")


@dataclass(frozen=True)
class Upload:
    """The uploaded file: its bytes (at most one more than the limit) and its name."""

    data: bytes
    filename: str


async def uploaded(request: Request) -> Upload:
    """The form's ``file`` field (the form is read once: its CSRF token is checked by FormDep)."""
    form = await request.form()
    file = form.get("file")
    if not isinstance(file, UploadFile):
        return Upload(b"", "")
    return Upload(await file.read(MAX_FILE_BYTES + 1), file.filename or "")


UploadDep = Annotated[Upload, Depends(uploaded)]


def _page(
    request: Request,
    visitor: Visitor,
    ledger: Ledger,
    form: Form | None = None,
    report: RosterReport | None = None,
) -> HTMLResponse:
    """The upload form (as typed, with what is wrong beside its field) and the last report."""
    actor = visitor.actor
    actor.require(Permission.RECORD_MONEY, [actor.centre_id] if actor.centre_id else [])
    form = form or Form({"action": "check"})
    scope = str(actor.centre_id) if actor.centre_id else None
    views = reader(request, visitor, ledger, None).caught_up("funds")
    held = reserved_by_fund(views, scope)
    funds = sorted(
        list_funds(views.funds, scope, None, EVERY_ROW),
        key=lambda r: (-r["fiscal_year"], r["name"], r["fund_id"]),
    )
    context = {
        "funds": [
            f | {"available_fen": f["balance_fen"] - held.get(f["fund_id"], 0)} for f in funds
        ],
        "values": form.values,
        "errors": form.errors,
        "report": _report(report) if report else None,
    }
    return render(request, "rosters/page.html", context, status=200 if form.ok else 422)


def _report(report: RosterReport) -> dict[str, Any]:
    """The report's counts and amounts, and its rows to show: every row not paid first (up to
    SHOWN), then the others, in row order."""
    unpaid = (RowStatus.REFUSED, RowStatus.SKIPPED)
    first = [r for r in report.rows if r.status in unpaid]
    rest = [r for r in report.rows if r.status not in unpaid]
    return {
        "roster": report.roster,
        "dry_run": report.dry_run,
        "counts": {s.value: report.count(s) for s in RowStatus},
        "valid_fen": report.amount_fen(RowStatus.VALID),
        "recorded_fen": report.amount_fen(RowStatus.RECORDED),
        "rows": sorted([*first, *rest][:SHOWN], key=lambda r: r.row),
        "total": len(report.rows),
    }


@router.get("/app/rosters", response_class=HTMLResponse)
def rosters_page(request: Request, visitor: VisitorDep, ledger: LedgerDep) -> HTMLResponse:
    """The upload form, with the link to the roster template."""
    return _page(request, visitor, ledger)


@router.post("/app/rosters", response_class=HTMLResponse)
def run_roster(
    request: Request, visitor: VisitorDep, form: FormDep, upload: UploadDep, ledger: LedgerDep
) -> HTMLResponse:
    """Check (a dry run, nothing saved) or import the uploaded roster; the report below."""
    sent = Form(form)
    action = sent.values.get("action", "")
    if action not in ACTIONS:
        sent.errors["_form"] = "form.bad_choice"
    fund_id = sent.id("fund_id", required=False)
    name = line(sent, "roster")
    day = business_date(sent, ledger.today(), required=False)
    if not upload.data:
        sent.errors["file"] = "rosters.error.no_file"
    if not sent.ok:
        return _page(request, visitor, ledger, sent)
    try:
        parsed = parse_roster(
            read_table(upload.data, upload.filename),
            name or PurePath(upload.filename).stem or "roster",
            fund_id,
            day,
        )
        run = ledger.check_roster if action == "check" else ledger.import_roster
        report = run(Context(visitor.actor), parsed)
    except BangfuError as error:
        if isinstance(error, ForbiddenError | NotAuthenticatedError):
            raise
        field = "fund_id" if isinstance(error, FundNotFoundError) else "file"
        field = "roster" if "roster's name" in error.detail else field
        sent.errors[field] = refusal_text(request, error)
        return _page(request, visitor, ledger, sent)
    return _page(request, visitor, ledger, sent, report)
