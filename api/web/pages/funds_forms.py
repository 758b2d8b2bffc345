"""The finance forms of a fund: receive (拨入), allocate down (下拨), return up (上缴/退回),
pay a household (帮扶支出), and ask for a payment a checker approves (支付申请). Each calls the
same Ledger use case as the JSON API; a refusal is shown beside its field with what was typed
kept; a write leads back to the fund with its new balance (a request: with what it holds)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Annotated, Any
from uuid import UUID

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from api.deps import LedgerDep
from api.web.forms import Form, route_action
from api.web.pages.approvals_support import reserved_by_fund
from api.web.pages.funds import fund_facts
from api.web.pages.funds_shared import (
    EVERY_ROW,
    KEY_FIELD,
    amount,
    attempt,
    business_date,
    line,
    new_key,
    reader,
)
from api.web.templating import render
from api.web.visitors import FormDep, Visitor, VisitorDep
from domain.access import Permission
from domain.application import Context, Ledger, Outcome
from domain.errors import ForbiddenError, NotFoundError
from domain.funds import Fund
from domain.vocabulary import AssistanceType, CaseStatus, Category
from projections import archive, fund_reports, funds

router = APIRouter(include_in_schema=False)

FIELDS = {
    "receive": ("amount", "payer", "reference", "business_date"),
    "allocate": ("to_centre_id", "amount", "reference", "business_date"),
    "return": ("amount", "reference", "business_date"),
    "pay": ("case_id", "assistance_type", "amount", "reference", "business_date"),
}
FIELDS["request"] = FIELDS["pay"]  # 支付申请: the payment's fields; the fund reserves it
CASE_CHOICES = 500  # active households offered in the payment form's list


def _money_fund(ledger: Ledger, visitor: VisitorDep, fund_id: UUID) -> Fund:
    """The fund, once the ledger would let the visitor move its money (else 403/404)."""
    return ledger.fund(visitor.actor, fund_id, Permission.RECORD_MONEY)


def _page(
    request: Request,
    visitor: VisitorDep,
    ledger: Ledger,
    fund: Fund,
    action: str,
    form: Form | None = None,
) -> HTMLResponse:
    """The form of ``action`` for ``fund``: empty with today's date, or as typed with errors."""
    if form is None:
        form = Form({"business_date": ledger.today().isoformat(), KEY_FIELD: new_key()})
    views = reader(request, visitor, ledger, None).views
    choices: dict[str, Any] = {}
    if action == "allocate":
        below = fund_reports.centres(views.funds, str(fund.centre_id))
        choices["children"] = [c for c in below if c["depth"] == 1]  # 下拨 goes one level down
    if action in ("pay", "request"):
        choices["cases"] = _active_cases(ledger, views, fund)
        choices["purposes"] = fund.purposes
    context_ = fund_facts(ledger, visitor, fund) | choices
    context_ |= {"action": action, "values": form.values, "errors": form.errors}
    return render(request, "funds/action.html", context_, status=200 if form.ok else 422)


def _active_cases(ledger: Ledger, views: Any, fund: Fund) -> list[dict[str, Any]]:
    """The active households a fund may pay: at its centre or below (ids, category, centre)."""
    scope = str(fund.centre_id)
    names = {c["centre_id"]: c["name"] for c in fund_reports.centres(views.funds, scope)}
    wanted = archive.ArchiveFilter(
        centre_id=scope, status=CaseStatus.ACTIVE.value, year=ledger.today().year
    )
    rows = archive.list_cases(views.archive, wanted, CASE_CHOICES)
    return [
        r | {"centre_name": names.get(r["centre_id"], ""), "category": Category(r["category"])}
        for r in rows
    ]


def _written(fund_id: UUID, outcome: Outcome[Any], action: str) -> RedirectResponse:
    """Back to the fund, which waits for the view to show the write (or says it was already
    recorded, when the same form came twice; a payment sent twice shows itself, recorded once)."""
    if action == "request":  # the fund's page says what the request holds
        return RedirectResponse(f"/app/funds/{fund_id}?requested={outcome.result.id}", 303)
    if outcome.position is None and action == "pay":
        return RedirectResponse(f"/app/funds/payments/{outcome.result.id}", 303)
    if outcome.position is None:
        return RedirectResponse(f"/app/funds/{fund_id}?again=1", status_code=303)
    at = outcome.position
    return RedirectResponse(f"/app/funds/{fund_id}?done={at}&min_position={at}", status_code=303)


@dataclass(frozen=True)
class _Sent:
    """A money form sent for a fund: shown again as typed, or written."""

    request: Request
    visitor: Visitor
    ledger: Ledger
    fund: Fund
    action: str
    form: Form

    def again(self) -> HTMLResponse:
        """The form as typed, with what is wrong beside its field."""
        return _page(self.request, self.visitor, self.ledger, self.fund, self.action, self.form)

    def submit(self, write: Callable[[Context], Outcome[Any]]) -> Response:
        """The write, then back to the fund; or the form again with the ledger's refusal."""
        outcome = attempt(self.request, self.visitor, self.form, FIELDS[self.action], write)
        return self.again() if outcome is None else _written(self.fund.id, outcome, self.action)


def _sent(
    request: Request,
    visitor: Visitor,
    ledger: Ledger,
    fund_id: UUID,
    action: str,
    form: dict[str, str],
) -> _Sent:
    """The form sent for ``action``, once the visitor may move the fund's money (else 403/404)."""
    fund = _money_fund(ledger, visitor, fund_id)
    return _Sent(request, visitor, ledger, fund, action, Form(form))


# --- what each form records: 拨入, 下拨, 上缴/退回, 帮扶支出 -------------------------------------
Write = Callable[[Context], Outcome[Any]]


def _receive(f: Form, ledger: Ledger, fund_id: UUID) -> Write | None:
    """An appropriation (拨入) from a payer outside the ledger."""
    fen, payer = amount(f), line(f, "payer", required=True)
    reference, day = line(f, "reference"), business_date(f, ledger.today())
    if day is None:
        return None
    return lambda ctx: ledger.receive(ctx, fund_id, fen, payer, reference, day)


def _allocate(f: Form, ledger: Ledger, fund_id: UUID) -> Write | None:
    """Money down to a child centre's fund (下拨)."""
    to_centre, fen = f.id("to_centre_id"), amount(f)
    reference, day = line(f, "reference"), business_date(f, ledger.today())
    if to_centre is None or day is None:
        return None
    return lambda ctx: ledger.allocate(ctx, fund_id, to_centre, fen, reference, day)


def _return(f: Form, ledger: Ledger, fund_id: UUID) -> Write | None:
    """Money back up to the parent fund, or to the payer (上缴/退回)."""
    fen, reference, day = amount(f), line(f, "reference"), business_date(f, ledger.today())
    if day is None:
        return None
    return lambda ctx: ledger.return_funds(ctx, fund_id, fen, reference, day)


def _to_household(
    f: Form, ledger: Ledger, fund_id: UUID, use_case: Callable[..., Outcome[Any]]
) -> Write | None:
    """Money for a household: the case, the assistance type, the amount, the reference and
    the business date, as the use case (a payment, a payment request) takes them."""
    case_id, kind = f.id("case_id"), f.choice("assistance_type", AssistanceType)
    fen, reference = amount(f), line(f, "reference")
    day = business_date(f, ledger.today())
    if case_id is None or kind is None or day is None:
        return None
    return lambda ctx: use_case(ctx, fund_id, case_id, kind, fen, reference, day)


def _pay(f: Form, ledger: Ledger, fund_id: UUID) -> Write | None:
    """A payment to a household (帮扶支出)."""
    return _to_household(f, ledger, fund_id, ledger.pay)


def _request(f: Form, ledger: Ledger, fund_id: UUID) -> Write | None:
    """A payment request (支付申请): the fund reserves the amount until a checker decides."""
    return _to_household(f, ledger, fund_id, ledger.request_payment)


WRITES: dict[str, Callable[[Form, Ledger, UUID], Write | None]] = {
    "receive": _receive,
    "allocate": _allocate,
    "return": _return,
    "pay": _pay,
    "request": _request,
}
"""The write a form's action asks for; None when a field it needs could not be read."""


@router.get("/app/funds/{fund_id:uuid}/receive", response_class=HTMLResponse)
@router.get("/app/funds/{fund_id:uuid}/allocate", response_class=HTMLResponse)
@router.get("/app/funds/{fund_id:uuid}/return", response_class=HTMLResponse)
@router.get("/app/funds/{fund_id:uuid}/pay", response_class=HTMLResponse)
@router.get("/app/funds/{fund_id:uuid}/request", response_class=HTMLResponse)
def money_form(
    request: Request, fund_id: UUID, visitor: VisitorDep, ledger: LedgerDep
) -> HTMLResponse:
    """A money form of the fund, empty with today's date."""
    fund = _money_fund(ledger, visitor, fund_id)
    return _page(request, visitor, ledger, fund, route_action(request))


@router.post("/app/funds/{fund_id:uuid}/receive", response_class=HTMLResponse)
@router.post("/app/funds/{fund_id:uuid}/allocate", response_class=HTMLResponse)
@router.post("/app/funds/{fund_id:uuid}/return", response_class=HTMLResponse)
@router.post("/app/funds/{fund_id:uuid}/pay", response_class=HTMLResponse)
@router.post("/app/funds/{fund_id:uuid}/request", response_class=HTMLResponse)
def record_money(
    request: Request, fund_id: UUID, visitor: VisitorDep, form: FormDep, ledger: LedgerDep
) -> Response:
    """A money form sent: read by its action's rules, then written by the API's use case."""
    action = route_action(request)
    sent = _sent(request, visitor, ledger, fund_id, action, form)
    write = WRITES[action](sent.form, ledger, fund_id)
    return sent.again() if write is None else sent.submit(write)


@router.get("/app/funds/pay", response_class=HTMLResponse)
def choose_fund(
    request: Request,
    visitor: VisitorDep,
    ledger: LedgerDep,
    fund: Annotated[UUID | None, Query()] = None,
) -> Response:
    """Record a payment: first the fund it comes from (those the visitor may pay from)."""
    if fund is not None:
        return RedirectResponse(f"/app/funds/{fund}/pay", status_code=303)
    actor = visitor.actor
    actor.require(Permission.RECORD_MONEY, [actor.centre_id] if actor.centre_id else [])
    views = reader(request, visitor, ledger, None).caught_up("funds")
    scope = str(actor.centre_id) if actor.centre_id else None
    tree = fund_reports.centres(views.funds, scope)
    where = {c["centre_id"]: c | {"order": n} for n, c in enumerate(tree)}
    held = reserved_by_fund(views, scope)
    rows = [
        r
        | {"centre_name": where[r["centre_id"]]["name"], "order": where[r["centre_id"]]["order"]}
        | {"purposes": [AssistanceType(p) for p in r["purposes"].split(",") if p]}
        | {"available_fen": r["balance_fen"] - held.get(r["fund_id"], 0)}
        for r in funds.list_funds(views.funds, scope, None, EVERY_ROW)
        if r["balance_fen"] > held.get(r["fund_id"], 0)
    ]
    rows.sort(key=lambda r: (-r["fiscal_year"], r["order"], r["name"]))
    return render(request, "funds/choose.html", {"rows": rows})


@router.get("/app/funds/{fund_id:uuid}/case-lookup", response_class=HTMLResponse)
def case_lookup(
    request: Request,
    fund_id: UUID,
    visitor: VisitorDep,
    ledger: LedgerDep,
    case_id: Annotated[str, Query(max_length=100)] = "",
) -> HTMLResponse:
    """The household behind an archive number, as the payment form's hint: its centre and
    status, and whether this fund may pay it."""
    fund = ledger.fund(visitor.actor, fund_id)
    found: dict[str, Any] = {"asked": case_id.strip()}
    try:
        case = ledger.case(visitor.actor, UUID(case_id.strip()))
    except ValueError:
        found["problem"] = "funds.lookup.not_an_id" if case_id.strip() else ""
    except (NotFoundError, ForbiddenError):
        found["problem"] = "funds.lookup.not_found"
    else:
        found |= {
            "case": case,
            "category": Category(case.category),
            "centre": ledger.centre(visitor.actor, case.centre_id),
            "in_tree": fund.centre_id in case.centre_path,
        }
    return render(request, "funds/_case.html", found)
