"""Fund supervision for auditors: provenance, matching, suspicious payments, earmarks, packages.

Each report reads its own view (projections/provenance.py, matching.py, suspicious.py,
earmarks.py), which the projector keeps current. The checks judge by the local policy in force
at each centre (the 低保 line, caps, the repeat window, lateness, the matching share: see
/policy); a request may instead apply one ratio, window or lateness everywhere (a what-if). A
report waits until its view holds every event written before the request (or up to
``min_position``). supervision/compliance.py and provenance.py recompute the same reports from
the events themselves, for audit packages and their offline verifier."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any
from uuid import UUID

from fastapi import APIRouter, Query, Request
from starlette.responses import Response

from api import columns
from api.deps import ActorDep, Day, LedgerDep, Reader, ReaderDep, caught_up
from api.exports import Format, Lang, tabular
from api.responses import spreadsheet_responses
from api.rows import in_yuan
from api.supervision_responses import EarmarksPage, MatchingPage, ProvenancePage, SuspiciousPage
from domain.access import Actor, Permission
from domain.application import Ledger
from domain.errors import FundNotFoundError
from domain.money import yuan
from projections import Views
from projections import earmarks as earmark_view
from projections import matching as matching_view
from projections.provenance_trace import trace as trace_view
from projections.suspicious_rules import suspicious as suspicious_view
from supervision import compliance
from supervision.package import package_bytes
from supervision.scope import Scope

router = APIRouter(prefix="/supervision", tags=["supervision 资金监管"])

Limit = Annotated[
    int, Query(ge=1, le=1000, description="items a page holds at most (a download holds all)")
]
ALL = "for all; left out, what the local policy in force at each centre sets"
After = Annotated[
    str | None, Query(max_length=200, description="the `next` of the page before this one")
]


def settled(read: Reader, view: str) -> Views:
    """The views, once ``view`` holds every event written before this request (or, given
    ``min_position``, up to it): a report leaves out nothing that was already written."""
    head = read.views.projector.ledger.recorder.max_notification_id() or 0
    caught_up(read.views, view, read.min_position or head, read.wait_seconds)
    return read.views


def _ratio(text: str | None) -> tuple[int, int] | None:
    """ "central:match" as a pair (a central share of 0 counts as 1); None for the policy's."""
    if text is None:
        return None
    a, b = (int(x) for x in text.split(":"))
    return (a or 1, b)


def _page(limit: int, format: Format) -> int | None:
    """How many items to read: a page as JSON; a download holds them all."""
    return limit if format == "json" else None


def _subtree(ledger: Ledger, actor: Actor, centre_id: UUID | None) -> str | None:
    """The centre subtree a report covers, if the user may read it; None, the whole ledger,
    only for a user bound to no centre."""
    if centre_id is not None:
        ledger.centre(actor, centre_id)
        return str(centre_id)
    actor.require(Permission.READ, [])
    return None


def _flatten(node: dict[str, Any], depth: int = 0) -> list[dict[str, Any]]:
    """One row per fund, then one per household it paid: the trace as a spreadsheet."""
    rows = [{"depth": depth, **in_yuan(node)}]
    rows += [
        {
            "depth": depth + 1,
            "name": node["name"],
            "case_id": h["case_id"],
            "paid": yuan(sum(h["paid_by_type_fen"].values())),
            "paid_by_type": ", ".join(f"{t} {yuan(v)}" for t, v in h["paid_by_type_fen"].items()),
            "reversed": yuan(h["reversed_fen"]),
        }
        for h in node["households"]
    ]
    for child in node["children"]:
        rows += _flatten(child, depth + 1)
    return rows


@router.get(
    "/provenance/{fund_id:uuid}",
    response_model=ProvenancePage,
    responses=spreadsheet_responses("The fund's tree, in fen"),
)
def trace(
    fund_id: UUID,
    read: ReaderDep,
    as_of: Annotated[Day | None, Query(description="business date to trace at")] = None,
    limit: Limit = 100,
    after: After = None,
    format: Format = "json",
    lang: Lang = "en",
) -> Any:
    """From a fund down every allocation to each household paid, at any past date; the whole
    tree with its totals, and the households a page at a time."""
    read.ledger.fund(read.actor, fund_id)
    read.actor.require(Permission.READ, [])
    views = settled(read, "provenance")
    day = as_of.isoformat() if as_of else None
    tree = trace_view(views.provenance, str(fund_id), day, _page(limit, format), after)
    if tree is None:  # pragma: no cover - the view holds every fund the ledger has
        raise FundNotFoundError(f"fund {fund_id} is not in the provenance view")
    if format != "json":
        return tabular(_flatten(tree), columns.PROVENANCE, format, lang, "provenance")
    return tree


@router.get("/matching", response_model=MatchingPage, responses=spreadsheet_responses("Matching"))
def matching(
    read: ReaderDep,
    centre_id: UUID | None = None,
    ratio: Annotated[
        str | None,
        Query(pattern=r"^[0-9]{1,6}:[0-9]{1,6}$", description=f"central : match, e.g. 1:1, {ALL}"),
    ] = None,
    limit: Limit = 100,
    after: After = None,
    format: Format = "json",
    lang: Lang = "en",
) -> Any:
    """Matching per centre, fiscal year and matching level (省, 市, 县): what each level had to
    match (the central money, plus the upper levels' matching received there up to what each
    owed), at the share in force at the centre on the year's last day or at ``ratio``; what
    was required, received and short (the rule: supervision/matching.py)."""
    scope = _subtree(read.ledger, read.actor, centre_id)
    views = settled(read, "matching")
    page = matching_view.matching(
        views.matching,
        compliance.MATCH_SOURCES,
        scope,
        _ratio(ratio),
        _page(limit, format),
        after,
    )
    shown = [r | in_yuan(r) for r in page.items]
    if format != "json":
        return tabular(shown, columns.MATCHING, format, lang, "matching")
    return {
        "ratio": ratio or "policy",
        "rows": shown,
        "shortfalls": [r for r in shown if r["shortfall_fen"] > 0],
        "total": page.total,
        "next": page.next,
    }


@router.get(
    "/suspicious-payments",
    response_model=SuspiciousPage,
    response_model_exclude_unset=True,
    responses=spreadsheet_responses("The findings"),
)
def suspicious(
    request: Request,
    read: ReaderDep,
    centre_id: UUID | None = None,
    repeat_window_days: Annotated[int | None, Query(ge=0, le=3660, description=ALL)] = None,
    late_recording_days: Annotated[int | None, Query(ge=0, le=36600, description=ALL)] = None,
    limit: Limit = 100,
    after: After = None,
    format: Format = "json",
    lang: Lang = "en",
) -> Any:
    """Repeats within a window, payments above standard, before filing or after closure,
    reversals of reversals, and payments recorded long after their business date, each by
    the local policy in force at the paying household's centre on the payment's date (on its
    year's last day for a yearly total)."""
    scope = _subtree(read.ledger, read.actor, centre_id)
    standards = compliance.Standards(repeat_window_days, late_recording_days)
    views = settled(read, "suspicious")
    page = suspicious_view(views.suspicious, standards, scope, _page(limit, format), after)
    if format != "json":
        return tabular(page.items, columns.SUSPICIOUS_PAYMENTS, format, lang, "suspicious-payments")
    return {
        "findings": page.items,
        "count": page.total,
        "count_by_rule": page.counts,
        "next": page.next,
    }


@router.get("/earmarks", response_model=EarmarksPage, response_model_exclude_unset=True)
def earmarks(
    read: ReaderDep, centre_id: UUID | None = None, limit: Limit = 100, after: After = None
) -> dict[str, Any]:
    """No fund paid outside its earmark; money moved only in its tree (counts checked, and the
    violations a page at a time)."""
    scope = _subtree(read.ledger, read.actor, centre_id)
    views = settled(read, "earmarks")
    page = earmark_view.earmarks(views.earmarks, scope, limit, after)
    paged = {"violations_total": page.total, "next": page.next} if page.next else {}
    return {
        **page.counts,
        "violations": page.items,
        "summary": "none found" if not page.total else f"{page.total} found",
        **paged,
    }


def package_scope(
    ledger: Ledger,
    actor: Actor,
    fund_id: UUID | None,
    centre_id: UUID | None,
    date_from: date | None,
    date_to: date | None,
) -> Scope:
    """What a package for this user covers, once the user may read all of it (a fund tree of
    the user's subtree, a centre of it, or the whole ledger for a user bound to no centre)."""
    if fund_id is not None:
        ledger.fund(actor, fund_id)
    if fund_id is None or centre_id is not None:
        _subtree(ledger, actor, centre_id)
    scope = Scope(
        fund_id=str(fund_id) if fund_id else None,
        centre_id=str(centre_id) if centre_id else None,
        date_from=date_from.isoformat() if date_from else None,
        date_to=date_to.isoformat() if date_to else None,
    )
    scope.check()
    return scope


@router.get(
    "/package",
    response_class=Response,
    responses={
        200: {
            "description": "The audit package",
            "content": {"application/zip": {"schema": {"type": "string", "format": "binary"}}},
        }
    },
)
def package(
    request: Request,
    actor: ActorDep,
    ledger: LedgerDep,
    fund_id: UUID | None = None,
    centre_id: UUID | None = None,
    date_from: date | None = None,
    date_to: date | None = None,
) -> Response:
    """Download an audit package (zip) that anyone can verify offline; no personal data."""
    scope = package_scope(ledger, actor, fund_id, centre_id, date_from, date_to)
    body = package_bytes(ledger, request.app.state.signer, scope)
    return Response(
        body,
        media_type="application/zip",
        headers={"Content-Disposition": 'attachment; filename="audit-package.zip"'},
    )
