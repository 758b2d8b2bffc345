"""A payment to a household (帮扶支出): what was paid, to whom, from which fund, by whom and when,
its reversal if any; and the reversal form (冲正) for those who may move the fund's money."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from api.deps import LedgerDep, MinPosition
from api.web.forms import Form
from api.web.pages.funds import fund_facts
from api.web.pages.funds_shared import (
    KEY_FIELD,
    attempt,
    business_date,
    line,
    new_key,
)
from api.web.templating import render
from api.web.visitors import FormDep, VisitorDep
from domain.application import Context, Ledger, Outcome
from domain.errors import ForbiddenError
from domain.payments import Payment
from domain.vocabulary import AssistanceType

router = APIRouter(include_in_schema=False)


def _recorded(ledger: Ledger, payment_id: UUID) -> dict[str, Any]:
    """Who recorded the payment and its reversal, and when (from the payment's own events)."""
    found: dict[str, Any] = {"made": None, "reversed": None}
    for event in ledger.stream(payment_id):
        if isinstance(event, Payment.Reversed):
            found["reversed"] = event
        else:
            found["made"] = found["made"] or event
    return found


def _page(
    request: Request,
    visitor: VisitorDep,
    ledger: Ledger,
    payment_id: UUID,
    form: Form | None = None,
    done: bool = False,
) -> HTMLResponse:
    actor = visitor.actor
    payment = ledger.payment(actor, payment_id)
    case = ledger.case(actor, payment.case_id)
    try:
        fund = ledger.fund(actor, payment.fund_id)
    except ForbiddenError:  # a fund above the visitor's subtree paid a household in it
        fund = None
    person = None
    if ledger.may_read_personal_data(actor):  # the read is recorded, as on the API
        sealed = {case.id: case.person_sealed}
        person = ledger.read_personal_data(actor, sealed, "payment page")[case.id]
    if form is None:
        form = Form({KEY_FIELD: new_key()})
    facts = fund_facts(ledger, visitor, fund) if fund is not None else {"may_record": False}
    context_ = facts | _recorded(ledger, payment_id)
    context_ |= {
        "payment": payment,
        "assistance_type": AssistanceType(payment.assistance_type),
        "case": case,
        "case_centre": ledger.centre(actor, case.centre_id),
        "person": person,
        "may_read_personal": ledger.may_read_personal_data(actor),
        "values": form.values,
        "errors": form.errors,
        "done": done,
    }
    return render(request, "funds/payment.html", context_, status=200 if form.ok else 422)


@router.get("/app/funds/payments/{payment_id:uuid}", response_class=HTMLResponse)
def payment_page(
    request: Request,
    payment_id: UUID,
    visitor: VisitorDep,
    ledger: LedgerDep,
    min_position: MinPosition = None,
) -> HTMLResponse:
    """The payment; after a reversal (``min_position``) it says so with the fund's balance."""
    return _page(request, visitor, ledger, payment_id, done=min_position is not None)


@router.post("/app/funds/payments/{payment_id:uuid}/reverse", response_class=HTMLResponse)
def reverse(
    request: Request, payment_id: UUID, visitor: VisitorDep, form: FormDep, ledger: LedgerDep
) -> Response:
    """冲正: the money returns to the fund; the payment stays on record with its reversal."""
    ledger.payment(visitor.actor, payment_id)
    f = Form(form)
    reason = line(f, "reason", required=True)
    day = business_date(f, ledger.today(), required=False)

    def write(ctx: Context) -> Outcome[Any]:
        return ledger.reverse_payment(ctx, payment_id, reason, day)

    outcome = attempt(request, visitor, f, ("reason", "business_date"), write)
    if outcome is None:
        return _page(request, visitor, ledger, payment_id, f)
    at = f"?min_position={outcome.position}" if outcome.position else ""
    return RedirectResponse(f"/app/funds/payments/{payment_id}{at}", status_code=303)
