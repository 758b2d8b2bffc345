"""The fund-flow Sankey: from each source fund, down through the centres its money was
allocated to, to the assistance types it paid for, within the visitor's subtree (the funds
view: what each fund paid by type, net of reversals, and each fund's place in its tree)."""

from __future__ import annotations

from collections import defaultdict
from itertools import pairwise
from typing import Any
from uuid import UUID

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from api.deps import FIRST_YEAR, LAST_YEAR
from api.routers.supervision import settled
from api.web.forms import Form
from api.web.i18n import Translator, language_of, vocab
from api.web.pages.audit_support import (
    AuditorDep,
    ReaderDep,
    centre_choices,
    subtree,
)
from api.web.templating import render
from projections.fund_charts import paid_by_fund

router = APIRouter(include_in_schema=False)


def sankey(found: dict[str, Any], t: Translator) -> dict[str, Any]:
    """Nodes and links of the Sankey, in fen: each fund's net payments by type flow from its
    source fund (the top of its tree) through each centre of the subtree its money passed, to
    the type; and the rows (source, paying centre, type, amount) of the table beside it."""
    links: dict[tuple[str, str], int] = defaultdict(int)
    labels: dict[str, str] = {}
    table: dict[tuple[str, str, str], int] = defaultdict(int)
    fund_centres, names = found["fund_centres"], found["centres"]
    for row in found["rows"]:
        net = int(row["paid_fen"]) - int(row["reversed_fen"])
        if net <= 0:
            continue
        source = f"fund:{row['root_fund_id']}"
        labels[source] = f"{row['name']}"
        kind = f"type:{row['assistance_type']}"
        labels[kind] = t.term(vocab(row["assistance_type"]))
        steps = [source]
        for fid in row["path"].strip("/").split("/"):
            centre = fund_centres.get(fid)
            if centre is not None and f"centre:{centre}" != steps[-1]:
                steps.append(f"centre:{centre}")
                labels[steps[-1]] = names.get(centre, centre)
        steps.append(kind)
        for a, b in pairwise(steps):
            links[(a, b)] += net
        table[(source, steps[-2], kind)] += net
    return {
        "nodes": [{"name": key, "label": label} for key, label in labels.items()],
        "links": [{"source": a, "target": b, "value": v} for (a, b), v in sorted(links.items())],
        "rows": sorted(
            (
                {"source": labels[s], "centre": labels[c], "type": labels[k], "fen": v}
                for (s, c, k), v in table.items()
            ),
            key=lambda r: (r["source"], r["centre"], r["type"]),
        ),
        "total_fen": sum(table.values()),
    }


def _year(form: Form) -> int | None:
    text = form.text("fiscal_year", required=False)
    if not text:
        return None
    if not (text.isdigit() and FIRST_YEAR <= int(text) <= LAST_YEAR):
        form.errors["fiscal_year"] = "audit.bad_year"
        return None
    return int(text)


@router.get("/app/audit/flows", response_class=HTMLResponse)
def flows(request: Request, visitor: AuditorDep, read: ReaderDep) -> HTMLResponse:
    """The Sankey of the visitor's subtree (or a centre of it), for one fiscal year or all."""
    form = Form(dict(request.query_params))
    centre_id: UUID | None = form.id("centre_id", required=False)
    if "centre_id" in form.errors:
        form.errors["centre_id"] = "form.bad_choice"
    year = _year(form)
    mine = subtree(read.ledger, visitor.actor, None)
    scope = subtree(read.ledger, visitor.actor, centre_id) if form.ok else mine
    views = settled(read, "funds")
    t = Translator(language_of(request))
    chart = sankey(paid_by_fund(views.funds, scope, year if form.ok else None), t)
    context = {
        "chart": {"nodes": chart["nodes"], "links": chart["links"]},
        "rows": chart["rows"],
        "total_fen": chart["total_fen"],
        "centres": centre_choices(views, mine),
        "errors": form.errors,
        "values": form.values,
    }
    return render(request, "audit/flows.html", context, status=200 if form.ok else 422)
