"""The archive pages: the archive with filters and counts (the same read model and filter as
GET /cases and GET /cases/summary); the history, review lists and statistics live beside it
(archive_history.py, archive_stats.py)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from api.deps import LedgerDep, ViewsDep
from api.web.i18n import Translator, language_of
from api.web.pages.archive_filters import (
    ArchiveQuery,
    centre_names,
    choices,
    found_rows,
    is_fragment,
    read_query,
    shown_rows,
    sorted_page,
    term,
)
from api.web.templating import render
from api.web.visitors import VisitorDep
from domain.access import Actor
from domain.application import Ledger
from domain.vocabulary import CaseStatus, Category, Cause, HouseholdFlag
from projections import Views, archive

router = APIRouter(include_in_schema=False)

TARGET = "archive-page"


def counts(t: Translator, summary: dict[str, dict[str, int]]) -> dict[str, Any]:
    """The summary of GET /cases/summary with labels in the page's language, largest first."""

    def labelled(kind: type[Any], found: dict[str, int]) -> list[dict[str, Any]]:
        pairs = [{"key": k, "label": term(t, kind, k), "count": n} for k, n in found.items()]
        return sorted(pairs, key=lambda p: (-p["count"], p["key"]))

    return {
        "category": labelled(Category, summary.get("category", {})),
        "cause": labelled(Cause, summary.get("primary_cause", {})),
        "status": labelled(CaseStatus, summary.get("status", {})),
        "total": sum(summary.get("status", {}).values()),
    }


def filter_options(t: Translator, views: Views, actor: Actor) -> dict[str, Any]:
    centres = centre_names(views, actor)
    return {
        "centres": centres,
        "centre_choices": [(c["centre_id"], "\u3000" * c["depth"] + c["name"]) for c in centres],
        "statuses": choices(t, CaseStatus),
        "categories": choices(t, Category),
        "causes": choices(t, Cause),
        "flags": choices(t, HouseholdFlag),
    }


def archive_context(
    t: Translator, ledger: Ledger, views: Views, actor: Actor, query: ArchiveQuery
) -> dict[str, Any]:
    """What the archive page shows for one query: counts, one page of rows, the export."""
    options = filter_options(t, views, actor)
    context: dict[str, Any] = {
        "query": query,
        "values": query.form.values,
        "errors": query.form.errors,
        "sort": query.sort,
        "page": query.page,
        "year": query.filter.year,
        "may_read_names": ledger.may_read_personal_data(actor),
        **options,
    }
    if not query.form.ok:
        return context | {"rows": [], "has_next": False, "counts": None}
    names = {c["centre_id"]: c["name"] for c in options["centres"]}
    found = found_rows(views, query.filter, names)
    page, has_next = sorted_page(found, query.sort, query.page)
    summary = counts(t, archive.summary(views.archive, query.filter))
    return context | {
        "rows": shown_rows(ledger, actor, t, page),
        "has_next": has_next,
        "counts": summary,
        "charts": {
            "category": chart(t("archive.by_category"), summary["category"]),
            "cause": chart(t("archive.by_cause"), summary["cause"]),
        },
        "export_xlsx": "/cases?" + query.api_query(format="xlsx", lang=t.lang),
        "export_csv": "/cases?" + query.api_query(format="csv", lang=t.lang),
    }


def chart(title: str, counted: list[dict[str, Any]]) -> dict[str, Any]:
    """A chart's data for the page's script (labels already in the page's language)."""
    return {
        "title": title,
        "labels": [c["label"] for c in counted],
        "values": [c["count"] for c in counted],
    }


@router.get("/app/archive", response_class=HTMLResponse)
def archive_page(
    request: Request, visitor: VisitorDep, ledger: LedgerDep, views: ViewsDep
) -> HTMLResponse:
    """The archive of the visitor's subtree, filtered, counted, sorted and paged; an htmx
    request gets the filter and the results only."""
    t = Translator(language_of(request))
    query = read_query(request, ledger, visitor.actor)
    context = archive_context(t, ledger, views, visitor.actor, query)
    if is_fragment(request, TARGET):
        return render(request, "archive/_page.html", context)
    return render(request, "archive/index.html", context, 200 if query.form.ok else 422)
