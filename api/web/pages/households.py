"""Finding a household within the user's subtree: by archive number (档案编号), ID number (身份证号)
or name, with the archive's filters; the results as a sortable, paged table.

A name or an ID number is personal data: it is sent by POST, never in a URL (URLs end up in
access logs and browser history), and only roles that may read personal data can search by it.
An archive number and the filters are plain GET parameters, so such a list can be linked to."""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass
from itertools import pairwise
from typing import Any
from urllib.parse import urlencode
from uuid import UUID

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from api.deps import MinPosition, caught_up, centre_scope
from api.routers.archive import with_names
from api.web.forms import Form
from api.web.i18n import Translator, vocab
from api.web.pages.households_support import (
    Desk,
    DeskDep,
    centre_names,
    may,
    query_of,
    refusal,
    short_id,
    translator,
)
from api.web.templating import render
from api.web.visitors import FormDep
from domain.access import Actor, Permission
from domain.application import Ledger
from domain.errors import InvalidInputError
from domain.money import parse_yuan
from domain.vocabulary import CaseStatus, Category
from projections import Views, archive

router = APIRouter(include_in_schema=False)
PAGE_SIZE = 25
SCAN_LIMIT = 3000  # households one search may look through (a name search opens them all)
KINDS = ("number", "id_number", "name")
_ID_SHAPE = re.compile(r"[0-9]{17}[0-9Xx]")
_HEX = re.compile(r"[0-9a-f]{8,32}")
SORTS: dict[str, Any] = {
    "number": lambda r: r["id"],
    "name": lambda r: r.get("person_name") or "",
    "centre": lambda r: r.get("centre_name") or "",
    "category": lambda r: r["category"],
    "status": lambda r: r["status"],
    "size": lambda r: r["household_size"],
    "filed": lambda r: r["filed_on"],
    "visited": lambda r: r["last_visit_on"] or "",
    "reviewed": lambda r: r["last_reviewed_on"],
    "assisted": lambda r: r["assisted_fen"],
}


@dataclass
class Criteria:
    """What the visitor asked for."""

    q: str = ""
    by: str = ""  # "" (recognise it), "number", "id_number" or "name"
    status: str = ""
    category: str = ""
    centre_id: str = ""
    sort: str = "-filed"
    page: int = 1

    @classmethod
    def of(cls, values: dict[str, str]) -> Criteria:
        page = values.get("page_to") or values.get("page") or "1"
        return cls(
            q=values.get("q", "").strip(),
            by=values.get("by", "") if values.get("by") in KINDS else "",
            status=values.get("status", ""),
            category=values.get("category", ""),
            centre_id=values.get("centre_id", ""),
            sort=values.get("sort_to") or values.get("sort") or "-filed",
            page=max(1, int(page)) if page.isdigit() and len(page) < 7 else 1,
        )

    def kind(self, personal: bool) -> str:
        """How to search for ``q``: the kind chosen, else what the text looks like."""
        if not self.q:
            return ""
        if self.by:
            return self.by
        if not personal:
            return "number"
        if _ID_SHAPE.fullmatch(self.q.replace(" ", "")):
            return "id_number"  # 18 digits: an ID number rather than the start of an id
        return "number" if number_prefix(self.q) else "name"


def number_prefix(text: str) -> str | None:
    """An archive number, whole or its first 8+ hex characters, as the id's text begins."""
    compact = text.strip().lower().replace("-", "").replace(" ", "")
    if not _HEX.fullmatch(compact):
        return None
    cuts = [0, 8, 12, 16, 20, 32]
    parts = [compact[a:b] for a, b in pairwise(cuts) if compact[a:b]]
    return "-".join(parts)


def by_number(
    view: archive.ArchiveView, f: archive.ArchiveFilter, prefix: str
) -> list[dict[str, Any]]:
    """The households whose id starts with ``prefix`` (the list is ordered by id)."""
    found: list[dict[str, Any]] = []
    after = prefix[:-1]
    while len(found) < SCAN_LIMIT:
        batch = archive.list_cases(view, f, 200, after)
        for row in batch:
            if row["id"].startswith(prefix):
                found.append(row)
            elif row["id"] > prefix:
                return found
        if len(batch) < 200:
            return found
        after = batch[-1]["id"]
    return found


def _found(
    ledger: Ledger, actor: Actor, views: Views, c: Criteria, form: Form, t: Translator
) -> tuple[list[dict[str, Any]], bool]:
    """The rows matching, names not yet added (except by a name search); and whether the
    scope holds more households than one search looks through."""
    kind = c.kind(ledger.may_read_personal_data(actor))
    centre = form.id("centre_id", required=False)
    status = form.choice("status", CaseStatus, required=False)
    category = form.choice("category", Category, required=False)
    f = archive.ArchiveFilter(
        centre_id=centre_scope(ledger, actor, centre),  # a centre outside the subtree: 403
        status=status.value if status else None,
        category=category.value if category else None,
        year=ledger.today().year,
    )
    view = views.archive
    if kind == "number":
        prefix = number_prefix(c.q)
        if prefix is None:
            form.errors["q"] = "households.search.bad_number"
            return [], False
        return by_number(view, f, prefix), False
    if kind == "id_number":
        try:
            case_id = ledger.find_by_id_number(actor, c.q)
        except InvalidInputError as error:
            form.errors["q"] = refusal(t, error)
            return [], False
        return (by_number(view, f, str(case_id)) if case_id else []), False
    rows = archive.list_cases(view, f, SCAN_LIMIT + 1)
    if len(rows) > SCAN_LIMIT:
        if kind == "name":
            form.errors["q"] = "households.search.too_many"
            return [], False
        return rows[:SCAN_LIMIT], True
    if kind != "name":
        return rows, False
    people = ledger.find_by_name(actor, {UUID(r["id"]): r["person_sealed"] for r in rows}, c.q)
    return [
        {k: v for k, v in r.items() if k != "person_sealed"}
        | {"person_name": people[UUID(r["id"])]["name"]}
        for r in rows
        if UUID(r["id"]) in people
    ], False


def _page(desk: Desk, c: Criteria, posted: bool) -> HTMLResponse:
    request, ledger, views, actor = desk.request, desk.ledger, desk.views, desk.visitor.actor
    personal = ledger.may_read_personal_data(actor)
    kind = c.kind(personal)
    form = Form({k: str(v) for k, v in asdict(c).items()})
    if kind in ("name", "id_number") and not personal:
        form.errors["q"] = "households.search.number_only"
        kind = "blocked"
    elif kind in ("name", "id_number") and not posted:
        form.errors["q"] = "households.search.use_the_button"
        kind = "blocked"
    rows: list[dict[str, Any]] = []
    truncated = False
    t = translator(request)
    if kind != "blocked":
        rows, truncated = _found(ledger, actor, views, c, form, t)
    names = centre_names(views, actor)
    for row in rows:
        row["centre_name"] = names.get(row["centre_id"], short_id(row["centre_id"]))
        row["assisted_fen"] = parse_yuan(row["received_in_year"], allow_zero=True)
    sort = c.sort if c.sort.lstrip("-") in SORTS else "-filed"
    if sort.lstrip("-") == "name" and kind != "name":
        sort = "-filed"
    rows.sort(key=SORTS[sort.lstrip("-")], reverse=sort.startswith("-"))
    pages = max(1, -(-len(rows) // PAGE_SIZE))
    page = min(c.page, pages)
    shown = rows[(page - 1) * PAGE_SIZE : page * PAGE_SIZE]
    if kind != "name":
        shown = with_names(ledger, actor, shown)  # names only for roles that may read them
    context = {
        "form": form,
        "criteria": c,
        "kind": kind,
        "rows": shown,
        "count": len(rows),
        "page": page,
        "has_next": page < pages,
        "sort": sort,
        "posted": posted,
        "personal": personal,
        "truncated": truncated,
        "scan_limit": SCAN_LIMIT,
        "centres": list(names.items()),
        "status_options": [(s.value, t.term(s)) for s in CaseStatus],
        "category_options": [(c.value, t.term(c)) for c in Category],
        "manage": may(actor, Permission.MANAGE_CASES),
        "vocab": vocab,
        "short_id": short_id,
        "export": _export_url(c, request),
    }
    return render(request, "households/search.html", context, 200 if form.ok else 422)


def _export_url(c: Criteria, request: Request) -> str:
    """The archive's own export of the filtered list (the API's XLSX, with its own checks)."""
    params = {"status": c.status, "category": c.category, "centre_id": c.centre_id}
    lang = "en" if translator(request).lang == "en" else "zh"
    return "/cases?" + urlencode(query_of(params | {"format": "xlsx", "lang": lang}))


@router.get("/app/households", response_class=HTMLResponse)
def households(desk: DeskDep, min_position: MinPosition = None) -> HTMLResponse:
    """The households of the subtree, filtered; an archive number may be given as ``q``."""
    wait = desk.request.app.state.settings.read_wait_seconds
    caught_up(desk.views, "archive", min_position, wait)
    return _page(desk, Criteria.of(dict(desk.request.query_params)), False)


@router.post("/app/households", response_class=HTMLResponse)
def search(desk: DeskDep, form: FormDep) -> Response:
    """A search by name or ID number (POST: the text stays out of URLs); anything else is
    answered by a redirect to the plain list, which can be linked to."""
    c = Criteria.of(form)
    if c.kind(desk.ledger.may_read_personal_data(desk.visitor.actor)) not in ("name", "id_number"):
        params = asdict(c) | {"page": c.page if c.page > 1 else ""}
        return RedirectResponse("/app/households?" + urlencode(query_of(params)), 303)
    return _page(desk, c, True)
