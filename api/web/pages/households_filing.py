"""Filing a household in the archive (建档), as POST /cases does: the worker, the family, the
hardship found, the centre. One person, one open archive (一户一档): a second is refused.

Filing is one step today (``register_case``). The filing workflow (申请 → 审核 → 入户核查 →
公示 → 建档) belongs to a later issue; when it lands, this page gains its steps."""

from __future__ import annotations

from typing import Annotated
from urllib.parse import urlencode
from uuid import UUID

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from api.web.forms import Form
from api.web.pages import households_forms as parse
from api.web.pages.households_support import (
    FORM_KEY,
    Desk,
    DeskDep,
    centre_names,
    form_context,
    new_form_key,
    query_of,
    refusal,
    short_id,
    translator,
)
from api.web.templating import render
from api.web.visitors import FormDep, VisitorDep
from domain.access import Permission
from domain.errors import ConflictError, DuplicateArchiveError, InvalidInputError
from domain.vocabulary import Category, Cause, HouseholdFlag

router = APIRouter(include_in_schema=False)


def _form_page(
    desk: Desk,
    form: Form,
    duplicate: dict[str, UUID | None] | None = None,
    status: int = 200,
) -> HTMLResponse:
    rows = parse.member_rows(form.values) or [0]
    form.values.setdefault(FORM_KEY, new_form_key())
    context = {
        "form": form,
        "duplicate": duplicate,
        "centres": list(centre_names(desk.views, desk.visitor.actor).items()),
        "member_rows": rows,
        "next_member": rows[-1] + 1,
        "more_members": rows[-1] + 1 < parse.MAX_MEMBERS,
        "categories": list(Category),
        "causes": list(Cause),
        "flags": list(HouseholdFlag),
        "short_id": short_id,
    }
    return render(desk.request, "households/file.html", context, status)


@router.get("/app/households/new", response_class=HTMLResponse)
def filing_form(desk: DeskDep) -> HTMLResponse:
    """An empty filing form: today's date, the user's own centre."""
    actor = desk.visitor.actor
    actor.require(Permission.MANAGE_CASES)
    values = {
        "business_date": desk.ledger.today().isoformat(),
        "centre_id": str(actor.centre_id) if actor.centre_id else "",
        "member-0-name": "",
    }
    return _form_page(desk, Form(values))


@router.get("/app/households/new/member", response_class=HTMLResponse)
def member_row(
    request: Request,
    visitor: VisitorDep,
    n: Annotated[int, Query(ge=0, lt=parse.MAX_MEMBERS)],
) -> HTMLResponse:
    """One more family member row (htmx), with the button for the next."""
    visitor.actor.require(Permission.MANAGE_CASES)
    context = {"n": n, "form": Form({}), "more": n + 1 < parse.MAX_MEMBERS}
    return render(request, "households/member_row.html", context)


@router.post("/app/households/new", response_class=HTMLResponse)
def file_household(desk: DeskDep, form: FormDep) -> Response:
    """File the household (register_case); the form comes back with what is wrong beside it."""
    request, ledger, actor = desk.request, desk.ledger, desk.visitor.actor
    actor.require(Permission.MANAGE_CASES)
    f = Form(dict(form))
    if form.get("add_member"):  # without JavaScript: one more row, nothing checked yet
        rows = parse.member_rows(form) or [0]
        if rows[-1] + 1 < parse.MAX_MEMBERS:
            f.values[f"member-{rows[-1] + 1}-name"] = ""
        return _form_page(desk, f)
    centre = f.id("centre_id")
    person = parse.person(f)
    found = parse.assessment(f)
    day = f.day("business_date", required=True)
    duplicate = None
    if f.ok and centre and person and found:
        try:
            outcome = ledger.register_case(
                form_context(actor, request, form), centre, found, person, day
            )
            params = query_of({"min_position": outcome.position, "done": "filed"})
            return RedirectResponse(f"/app/households/{outcome.result.id}?{urlencode(params)}", 303)
        except DuplicateArchiveError:
            f.errors["id_number"] = "households.file.duplicate"
            duplicate = {"case_id": ledger.find_by_id_number(actor, person.id_number)}
        except (InvalidInputError, ConflictError) as error:
            f.errors["_form"] = refusal(translator(request), error)
    return _form_page(desk, f, duplicate, status=422)
