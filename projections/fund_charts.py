"""The funds view's queries behind the auditors' charts: a fund's balance at the end of each
business date, and what each fund of a subtree paid by assistance type with its place in its
fund tree (the fund-flow Sankey)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from projections.fund_reports import stamp
from projections.funds import FundsView


def daily_balances(
    view: FundsView, fund_id: str, known_at: datetime | None = None
) -> list[tuple[str, int]]:
    """(business date, balance at the end of it) for each date the fund moved, as the books
    stood at ``known_at``: the same sums as ``fund_reports.balance`` with ``as_of`` each date."""
    g = view.generation()
    where, params = "fund_id = %s", [fund_id]
    if known_at is not None:
        where += " AND recorded_at <= %s"
        params.append(stamp(known_at))
    rows = view.db.query(
        f"SELECT business_date, CAST(SUM(amount_fen) AS BIGINT) AS moved "
        f"FROM {view.table('funds_postings', g)} WHERE {where} "
        "GROUP BY business_date ORDER BY business_date",
        params,
    )
    out, balance = [], 0
    for row in rows:
        balance += int(row["moved"])
        out.append((str(row["business_date"]), balance))
    return out


def _subtree(view: FundsView, g: int, column: str, centre_id: str | None) -> tuple[str, list[Any]]:
    if centre_id is None:
        return "1 = 1", []
    centres = view.table("funds_centres", g)
    return f"{column} IN (SELECT centre_id FROM {centres} WHERE ancestor_id = %s)", [centre_id]


def centres(view: FundsView, centre_id: str | None) -> list[dict[str, Any]]:
    """The centres of a subtree (the whole tree for None), by name."""
    g = view.generation()
    t = view.table("funds_centres", g)
    if centre_id is None:
        return view.db.query(
            f"SELECT centre_id, name FROM {t} WHERE ancestor_id = centre_id ORDER BY name"
        )
    return view.db.query(
        f"SELECT c.centre_id, c.name FROM {t} s JOIN {t} c "
        "ON c.ancestor_id = c.centre_id AND c.centre_id = s.centre_id "
        "WHERE s.ancestor_id = %s ORDER BY c.name",
        (centre_id,),
    )


def paid_by_fund(
    view: FundsView, centre_id: str | None, fiscal_year: int | None = None
) -> dict[str, Any]:
    """What each fund of a subtree paid (and had reversed) by assistance type, with the fund's
    path down its tree; and the centre of every fund of those paths that lies in the subtree."""
    g = view.generation()
    funds_t, flows_t = view.table("funds_funds", g), view.table("funds_flows", g)
    where, params = _subtree(view, g, "f.centre_id", centre_id)
    if fiscal_year is not None:
        where += " AND f.fiscal_year = %s"
        params.append(fiscal_year)
    rows = view.db.query(
        "SELECT f.fund_id, f.path, f.root_fund_id, f.name, f.source, f.fiscal_year, "
        "f.centre_id, p.assistance_type, CAST(SUM(p.paid_fen) AS BIGINT) AS paid_fen, "
        "CAST(SUM(p.reversed_fen) AS BIGINT) AS reversed_fen "
        f"FROM {funds_t} f JOIN {flows_t} p ON p.fund_id = f.fund_id WHERE {where} "
        "GROUP BY f.fund_id, f.path, f.root_fund_id, f.name, f.source, f.fiscal_year, "
        "f.centre_id, p.assistance_type ORDER BY f.path, p.assistance_type",
        params,
    )
    on_paths = sorted({fid for r in rows for fid in r["path"].strip("/").split("/")})
    fund_centres: dict[str, str] = {}
    if on_paths:
        inside, more = _subtree(view, g, "centre_id", centre_id)
        marks = ", ".join(["%s"] * len(on_paths))
        fund_centres = {
            r["fund_id"]: r["centre_id"]
            for r in view.db.query(
                f"SELECT fund_id, centre_id FROM {funds_t} WHERE fund_id IN ({marks}) AND {inside}",
                [*on_paths, *more],
            )
        }
    names = {c["centre_id"]: c["name"] for c in centres(view, centre_id)}
    return {"rows": rows, "fund_centres": fund_centres, "centres": names}
