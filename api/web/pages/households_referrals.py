"""The caseworker's referrals (转介) from the case page: refer the household to a government
channel, record the receiving body's answer (or correct it), note a follow-up, withdraw a
referral. Each calls the same use case as the JSON API (POST /cases/{id}/referrals, POST
/referrals/{id}/outcome, /follow-ups, /withdrawal); a refusal stands beside its field."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any
from urllib.parse import urlencode
from uuid import UUID

from fastapi import APIRouter
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from api.web.forms import Form, route_action
from api.web.pages import households_referral_forms as parse
from api.web.pages.households_case import case_page
from api.web.pages.households_support import Desk, DeskDep, form_context, query_of, translator
from api.web.visitors import FormDep
from domain.application import Context, Outcome
from domain.errors import BangfuError, ForbiddenError, NotAuthenticatedError, NotFoundError
from domain.referrals import referral_id

router = APIRouter(include_in_schema=False)

Write = Callable[[Context], Outcome[Any]]


def _act(desk: Desk, case_id: UUID, action: str, form: Form, write: Write | None) -> Response:
    """The write, then the case's referrals with it; or the case page with the form as typed and
    what is wrong beside its field."""
    if write is not None:
        try:
            outcome = write(form_context(desk.visitor.actor, desk.request, form.values))
        except (ForbiddenError, NotAuthenticatedError, NotFoundError):
            raise  # who may act where, and what exists: an error page
        except BangfuError as error:
            parse.refuse(translator(desk.request), form, error)
        else:
            done = action.split("-")[0]
            params = query_of({"min_position": outcome.position, "done": done})
            return RedirectResponse(f"/app/households/{case_id}?{urlencode(params)}#referrals", 303)
    return case_page(desk, case_id, action=action, form=form, status=422)


def _refer(desk: Desk, case_id: UUID, form: Form) -> Write | None:
    asked = parse.referral(form)
    if asked is None:
        return None
    return lambda c: desk.ledger.make_referral(c, case_id, **asked)


@router.post("/app/households/{case_id:uuid}/referrals", response_class=HTMLResponse)
def refer(case_id: UUID, desk: DeskDep, sent: FormDep) -> Response:
    """Refer the household to a government channel (转介)."""
    form = Form(dict(sent))
    return _act(desk, case_id, "refer", form, _refer(desk, case_id, form))


def _outcome(desk: Desk, rid: UUID, form: Form) -> Write | None:
    asked = parse.outcome(form)
    if asked is None:
        return None
    return lambda c: desk.ledger.record_referral_outcome(c, rid, **asked)


def _follow_up(desk: Desk, rid: UUID, form: Form) -> Write | None:
    asked = parse.follow_up(form)
    if asked is None:
        return None
    note, day = asked
    return lambda c: desk.ledger.follow_up_referral(c, rid, note, day)


def _withdraw(desk: Desk, rid: UUID, form: Form) -> Write | None:
    asked = parse.withdrawal(form)
    if asked is None:
        return None
    reason, day = asked
    return lambda c: desk.ledger.withdraw_referral(c, rid, reason, day)


ACTIONS: dict[str, tuple[str, Callable[[Desk, UUID, Form], Write | None]]] = {
    "outcome": ("outcome", _outcome),
    "follow-ups": ("follow_up", _follow_up),
    "withdrawal": ("withdraw", _withdraw),
}
"""A route's last part: the referral's form on the case page, and the write it asks for."""


@router.post("/app/households/{case_id:uuid}/referrals/{number:int}/outcome")
@router.post("/app/households/{case_id:uuid}/referrals/{number:int}/follow-ups")
@router.post("/app/households/{case_id:uuid}/referrals/{number:int}/withdrawal")
def act(case_id: UUID, number: int, desk: DeskDep, sent: FormDep) -> Response:
    """The answer, a follow-up or the withdrawal of the case's ``number``-th referral."""
    action, read = ACTIONS[route_action(desk.request)]
    form = Form(dict(sent))
    write = read(desk, referral_id(case_id, number), form)
    return _act(desk, case_id, f"{action}-{number}", form, write)
