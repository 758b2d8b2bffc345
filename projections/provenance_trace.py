"""A fund traced down its tree to the households paid, as of a business date, read from the
provenance view a page of households at a time."""

from __future__ import annotations

from typing import Any

from domain.errors import InvalidInputError
from projections.provenance import SIGNS, SUMS, TOTALS, ProvenanceView
from projections.report_tables import Reader, limit_to, reading


def trace(
    view: ProvenanceView,
    fund_id: str,
    as_of: str | None = None,
    limit: int | None = None,
    after: str | None = None,
) -> dict[str, Any] | None:
    """The fund's tree as of a business date, as ``supervision.provenance.trace`` recomputes it
    from the events, with the households of one page (``limit`` after the cursor ``after``);
    None for a fund the view does not hold."""
    with reading(view) as r:
        tree = (
            f"WITH RECURSIVE tree(fund_id) AS (SELECT fund_id FROM {r.table('prov_funds')} "
            f"WHERE fund_id = %s UNION ALL SELECT f.fund_id FROM {r.table('prov_funds')} f "
            "JOIN tree ON f.parent_fund_id = tree.fund_id) "
        )
        funds = r.rows(
            tree + f"SELECT f.* FROM {r.table('prov_funds')} f "
            "JOIN tree ON tree.fund_id = f.fund_id",
            [fund_id],
        )
        if not funds:
            return None
        totals = {row["fund_id"]: row for row in _sums(r, [f["fund_id"] for f in funds], as_of)}
        counts = [(f, int(totals[f]["households"])) for f in sorted(totals)]
        households, next_ = _households(r, counts, as_of, limit, after)
    children: dict[str | None, list[str]] = {}
    for f in funds:
        children.setdefault(f["parent_fund_id"], []).append(f["fund_id"])
    by_id = {f["fund_id"]: f for f in funds}

    def node(fid: str) -> dict[str, Any]:
        f, s = by_id[fid], totals.get(fid) or dict.fromkeys(TOTALS, 0)
        return {
            "fund_id": fid,
            "name": f["name"],
            "centre_id": f["centre_id"],
            "source": f["source"],
            "fiscal_year": f["fiscal_year"],
            "received_fen": s["received_fen"],
            "allocated_in_fen": s["allocated_in_fen"],
            "allocated_out_fen": s["allocated_out_fen"],
            "paid_fen": s["disbursed_fen"],
            "reversed_fen": s["reversed_fen"],
            "returned_fen": s["returned_fen"],
            "unspent_fen": sum(SIGNS[c] * s[c] for c in TOTALS),
            "households": households.get(fid, []),
            "children": [node(c) for c in sorted(children.get(fid, []))],
        }

    return node(fund_id) | {
        "as_of": as_of,
        "households_total": sum(n for _, n in counts),
        "next": next_,
    }


def _sums(r: Reader, funds: list[str], as_of: str | None) -> list[dict[str, Any]]:
    """What each fund moved in all, or on business dates up to ``as_of``: the whole months
    before its month, and the days of its month."""
    marks = ", ".join(["%s"] * len(funds))
    if as_of is None:
        return r.rows(f"SELECT * FROM {r.table('prov_totals')} WHERE fund_id IN ({marks})", funds)
    columns = ", ".join(SUMS)
    return r.rows(
        f"SELECT fund_id, {', '.join(f'CAST(SUM({c}) AS BIGINT) AS {c}' for c in SUMS)} "
        f"FROM (SELECT fund_id, {columns} FROM {r.table('prov_months')} "
        f"WHERE fund_id IN ({marks}) AND month < %s UNION ALL "
        f"SELECT fund_id, {columns} FROM {r.table('prov_days')} "
        f"WHERE fund_id IN ({marks}) AND business_date >= %s AND business_date <= %s) s "
        "GROUP BY fund_id",
        [*funds, as_of[:7], *funds, f"{as_of[:7]}-01", as_of],
    )


def _households(
    r: Reader,
    counts: list[tuple[str, int]],
    as_of: str | None,
    limit: int | None,
    after: str | None,
) -> tuple[dict[str, list[dict[str, Any]]], str | None]:
    """The households of one page, by fund, in (fund, case) order, and the next page's cursor.
    The funds the page spans follow from how many households each has (the cursor's fund may
    have fewer left), and are read in one query."""
    start_fund, _, start_case = (after or "/").partition("/")
    if after is not None and not (start_fund and start_case):
        raise InvalidInputError(f"{after!r} is not a cursor of the trace; pass a page's `next`")
    wanted = None if limit is None else limit + 1
    spans, expected = [], 0
    for fund_id, n in counts:
        if n and fund_id >= start_fund and (wanted is None or expected < wanted):
            spans.append((fund_id, start_case if fund_id == start_fund else ""))
            expected += 0 if fund_id == start_fund else n
    found = _paid(r, spans, as_of, wanted)
    if limit is not None and len(found) > limit:
        found, last = found[:limit], found[limit - 1]
        cursor: str | None = f"{last['fund_id']}/{last['case_id']}"
    else:
        cursor = None
    pages: dict[str, list[dict[str, Any]]] = {}
    for h in found:
        pages.setdefault(h.pop("fund_id"), []).append(h)
    return pages, cursor


def _paid(
    r: Reader, spans: list[tuple[str, str]], as_of: str | None, limit: int | None
) -> list[dict[str, Any]]:
    """For each (fund, case) span, the fund's next households after that case (``limit`` of
    them), with what it paid each by type, and what of that was reversed, on business dates up
    to ``as_of``, in (fund, case) order: one query."""
    if not spans:
        return []
    tail, cap = limit_to(limit)
    dated = [as_of] if as_of else []
    each = (
        f"SELECT * FROM (SELECT fund_id, case_id FROM {r.table('prov_households')} "
        "WHERE fund_id = %s AND case_id > %s"
        + (" AND first_paid_on <= %s" if as_of else "")
        + f" ORDER BY case_id{tail}) s"
    )
    rows = r.rows(
        "WITH page AS ("
        + " UNION ALL ".join(f"{each}{n}" for n in range(len(spans)))
        + ") SELECT page.fund_id, page.case_id, p.assistance_type AS kind, "
        "CAST(SUM(p.amount_fen) AS BIGINT) AS fen, MIN(p.position) AS first "
        f"FROM page JOIN {r.table('prov_payments')} p "
        "ON p.fund_id = page.fund_id AND p.case_id = page.case_id"
        + (" AND p.business_date <= %s" if as_of else "")
        + " GROUP BY page.fund_id, page.case_id, p.assistance_type UNION ALL "
        "SELECT page.fund_id, page.case_id, NULL, CAST(SUM(v.amount_fen) AS BIGINT), NULL "
        f"FROM page JOIN {r.table('prov_reversals')} v "
        "ON v.fund_id = page.fund_id AND v.case_id = page.case_id"
        + (" AND v.business_date <= %s AND v.paid_on <= %s" if as_of else "")
        + " GROUP BY page.fund_id, page.case_id",
        [v for span in spans for v in (*span, *dated, *cap)] + dated + dated * 2,
    )
    households: dict[tuple[str, str], dict[str, Any]] = {}
    for row in sorted(
        rows, key=lambda w: (w["fund_id"], w["case_id"], w["first"] is None, w["first"])
    ):
        h = households.setdefault(
            (row["fund_id"], row["case_id"]),
            {
                "fund_id": row["fund_id"],
                "case_id": row["case_id"],
                "paid_by_type_fen": {},
                "reversed_fen": 0,
            },
        )
        if row["kind"] is None:
            h["reversed_fen"] = row["fen"]
        else:
            h["paid_by_type_fen"][row["kind"]] = row["fen"]
    return list(households.values())
