"""Payment approvals (支付审批) for finance staff: the requests the visitor may decide (GET
/approvals/queue), their own requests still pending, and the decided requests of their subtree
(GET /payment-requests); approve, reject or void a request on its row (the same use cases as
POST /payment-requests/{id}/approval, /rejection, /void), a refusal shown beside the row."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Annotated, Any
from uuid import UUID

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from api.deps import LedgerDep, MinPosition, centre_scope
from api.problems import status_of
from api.web.forms import Form, route_action
from api.web.pages.approvals_support import EVERY_ROW, fund_names, request_rows
from api.web.pages.funds_shared import (
    context,
    line,
    new_key,
    reader,
    refusal_text,
    sort_and_page,
)
from api.web.templating import render
from api.web.visitors import FormDep, Visitor, VisitorDep
from domain.access import Actor, Permission
from domain.application import Context, Ledger, Outcome
from domain.errors import (
    ApprovalLevelError,
    BangfuError,
    ForbiddenError,
    SelfApprovalError,
)
from domain.payment_requests import PaymentRequest, RequestStatus
from projections import approvals

router = APIRouter(include_in_schema=False)

QUEUE = 200  # requests a queue shows at most, oldest first
HISTORY_SORTS = {
    "requested": lambda r: (r["requested_on"], r["id"]),
    "decided": lambda r: (r["decided_on"] or "", r["id"]),
    "amount": lambda r: (r["amount_fen"], r["id"]),
}
Decide = Callable[[Ledger, Context, UUID, str], Outcome[Any]]
DECISIONS: dict[str, Decide] = {
    "approve": lambda ledger, ctx, rid, _: ledger.approve_payment_request(ctx, rid),
    "reject": lambda ledger, ctx, rid, why: ledger.reject_payment_request(ctx, rid, why),
    "void": lambda ledger, ctx, rid, why: ledger.void_payment_request(ctx, rid, why),
}
"""What each button of a request's row records (approve: the money moves; reject or void:
the reservation is released)."""


def may_decide(actor: Actor) -> bool:
    """Whether the visitor's role checks payment requests at all (finance staff, admins)."""
    try:
        actor.require(Permission.APPROVE_PAYMENTS)
    except ForbiddenError:
        return False
    return True


@dataclass(frozen=True)
class _Asked:
    """What the page's address asks for: the view position to wait for, the request just
    decided, and the page and order of the history."""

    min_position: int | None = None
    done: UUID | None = None
    page: int = 1
    sort: str = "-decided"


def _page(
    request: Request,
    visitor: Visitor,
    ledger: Ledger,
    asked: _Asked,
    refused: dict[str, Any] | None = None,
    status: int = 200,
) -> HTMLResponse:
    actor, today = visitor.actor, ledger.today()
    scope = centre_scope(ledger, actor, None)
    views = reader(request, visitor, ledger, asked.min_position).caught_up("approvals")
    view, names = views.approvals, fund_names(views, scope)
    own = str(actor.centre_id) if actor.centre_id else None
    queue = approvals.queue(view, actor.name, own, today, QUEUE) if may_decide(actor) else []
    every = request_rows(approvals.history(view, scope, limit=EVERY_ROW), names, today)
    pending = RequestStatus.PENDING.value
    mine = [r for r in every if r["status"] == pending and r["requested_by"] == actor.name]
    decided = [r for r in every if r["status"] != pending]
    rows = request_rows(queue, names, today)
    shown = {r["id"] for r in [*rows, *mine]}
    context_ = {
        "may_decide": may_decide(actor),
        "queue": rows,
        "mine": mine,
        "history": sort_and_page(decided, asked.sort, HISTORY_SORTS, "-decided", asked.page),
        "refused": (refused or {}) | {"beside": refused is not None and refused["id"] in shown},
        "new_key": new_key,  # each form its own key: sent twice, it is recorded once
        "done": _done(visitor, ledger, asked.done),
        "today": today,
    }
    return render(request, "approvals/page.html", context_, status=status)


def _done(visitor: Visitor, ledger: Ledger, done: UUID | None) -> PaymentRequest | None:
    """The request just decided on this page, to say what became of it."""
    try:
        return ledger.payment_request(visitor.actor, done) if done else None
    except BangfuError:
        return None


@router.get("/app/approvals", response_class=HTMLResponse)
def approvals_page(
    request: Request,
    visitor: VisitorDep,
    ledger: LedgerDep,
    min_position: MinPosition = None,
    done: Annotated[UUID | None, Query()] = None,
    sort: str = "-decided",
    page: Annotated[int, Query(ge=1, le=100_000)] = 1,
) -> HTMLResponse:
    """The visitor's queue, their own pending requests, and the subtree's decided ones."""
    return _page(request, visitor, ledger, _Asked(min_position, done, page, sort))


@router.post("/app/approvals/{request_id:uuid}/approve", response_class=HTMLResponse)
@router.post("/app/approvals/{request_id:uuid}/reject", response_class=HTMLResponse)
@router.post("/app/approvals/{request_id:uuid}/void", response_class=HTMLResponse)
def decide(
    request: Request, request_id: UUID, visitor: VisitorDep, form: FormDep, ledger: LedgerDep
) -> Response:
    """A row's button: approve (the money moves), reject or void with the reason (the
    reservation is released); back to the page, or the page with the refusal beside the row."""
    ledger.payment_request(visitor.actor, request_id)  # one outside the subtree: an error page
    action, sent = route_action(request), Form(form)
    reason = "" if action == "approve" else line(sent, "reason", required=True)
    status = 422
    if sent.ok:
        try:
            outcome = DECISIONS[action](ledger, context(request, visitor, sent), request_id, reason)
        except BangfuError as error:
            if isinstance(error, ForbiddenError) and not isinstance(
                error, SelfApprovalError | ApprovalLevelError
            ):
                raise
            sent.errors["_form"] = refusal_text(request, error)
            status = status_of(error)
        else:
            at = f"&min_position={outcome.position}" if outcome.position else ""
            return RedirectResponse(f"/app/approvals?done={request_id}{at}", status_code=303)
    refused: dict[str, Any] = {"id": str(request_id), "action": action}
    refused |= {"errors": sent.errors, "reason": sent.values.get("reason", "")}
    return _page(request, visitor, ledger, _Asked(), refused, status)
