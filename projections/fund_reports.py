"""The funds view's queries: funds of a subtree, balances on two clocks, postings, flows down
a fund's tree, and year-end statistics."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from projections.funds import FundsView
    from stores.sql import Cursor

TOTALS = [
    "received_fen",
    "allocated_in_fen",
    "allocated_out_fen",
    "returned_fen",
    "returns_received_fen",
    "disbursed_fen",
    "reversed_fen",
    "balance_fen",
]


def stamp(moment: datetime) -> str:
    """Recorded times as fixed-width UTC text, so they sort and compare as text."""
    return moment.astimezone(UTC).replace(tzinfo=None).isoformat(timespec="microseconds") + "Z"


def _fund_row(view: FundsView, g: int, fund_id: str) -> dict[str, Any] | None:
    return view.db.one(
        f"SELECT * FROM {view.table('funds_funds', g)} WHERE fund_id = %s", (fund_id,)
    )


def list_funds(
    view: FundsView,
    centre_id: str | None,
    fiscal_year: int | None = None,
    limit: int = 100,
    after: str | None = None,
) -> list[dict[str, Any]]:
    """Funds held by the centres of a subtree, with their totals and balance now."""
    g = view.generation()
    clauses: list[str] = ["1 = 1"]
    params: list[Any] = []
    if centre_id:
        clauses.append(
            f"f.centre_id IN (SELECT centre_id FROM {view.table('funds_centres', g)} "
            "WHERE ancestor_id = %s)"
        )
        params.append(centre_id)
    if fiscal_year:
        clauses.append("f.fiscal_year = %s")
        params.append(fiscal_year)
    if after:
        clauses.append("f.fund_id > %s")
        params.append(after)
    return view.db.query(
        f"SELECT f.* FROM {view.table('funds_funds', g)} f WHERE {' AND '.join(clauses)} "
        "ORDER BY f.fund_id LIMIT %s",
        [*params, limit],
    )


def balance(
    view: FundsView, fund_id: str, as_of: str | None = None, known_at: datetime | None = None
) -> int | None:
    """The balance on business dates up to ``as_of``, as the books stood at ``known_at``."""
    with view.reading() as (cursor, g):
        table = view.table("funds_funds", g)
        if not view.fetch(cursor, f"SELECT 1 FROM {table} WHERE fund_id = %s", (fund_id,)):
            return None
        return _balance(view, cursor, g, fund_id, as_of, known_at)


def _balance(
    view: FundsView,
    cursor: Cursor,
    g: int,
    fund_id: str,
    as_of: str | None,
    known_at: datetime | None,
) -> int:
    where, params = "fund_id = %s", [fund_id]
    if as_of:
        where += " AND business_date <= %s"
        params.append(as_of)
    if known_at:
        where += " AND recorded_at <= %s"
        params.append(stamp(known_at))
    rows = view.fetch(
        cursor,
        f"SELECT COALESCE(SUM(amount_fen), 0) AS b "
        f"FROM {view.table('funds_postings', g)} WHERE {where}",
        params,
    )
    return int(rows[0]["b"]) if rows else 0


def postings(
    view: FundsView, fund_id: str, limit: int = 100, after_version: int = 0
) -> list[dict[str, Any]]:
    """A page of the fund's postings in recording order, with the balance after each."""
    g = view.generation()
    return view.db.query(
        f"SELECT * FROM {view.table('funds_postings', g)} WHERE fund_id = %s AND version > %s "
        "ORDER BY version LIMIT %s",
        (fund_id, after_version, limit),
    )


def flows(view: FundsView, fund_id: str) -> dict[str, Any] | None:
    """Where a fund's money went: down to each child, out to households by type and category."""
    g = view.generation()
    fund = _fund_row(view, g, fund_id)
    if fund is None:
        return None
    funds_t, flows_t = view.table("funds_funds", g), view.table("funds_flows", g)
    tree = f"SELECT fund_id FROM {funds_t} WHERE path >= %s AND path < %s"
    bounds = (fund["path"], fund["path"] + "~")
    totals = (
        view.db.one(
            f"SELECT COUNT(*) AS funds, SUM(received_fen) AS received, "
            f"SUM(balance_fen) AS unspent, "
            f"SUM(disbursed_fen) AS paid, SUM(reversed_fen) AS reversed FROM {funds_t} "
            f"WHERE path >= %s AND path < %s",
            bounds,
        )
        or {}
    )
    children = view.db.query(
        f"SELECT f.fund_id, f.centre_id, c.name AS centre_name, f.allocated_in_fen, "
        f"f.returned_fen FROM {funds_t} f LEFT JOIN {view.table('funds_centres', g)} c "
        f"ON c.ancestor_id = f.centre_id AND c.centre_id = f.centre_id "
        f"WHERE f.parent_fund_id = %s ORDER BY c.name",
        (fund_id,),
    )
    by_type = view.db.query(
        f"SELECT assistance_type AS k, SUM(paid_fen) AS paid, SUM(reversed_fen) AS reversed, "
        f"SUM(payments) AS n FROM {flows_t} WHERE fund_id IN ({tree}) "
        f"GROUP BY assistance_type ORDER BY assistance_type",
        bounds,
    )
    by_category = view.db.query(
        f"SELECT category AS k, SUM(paid_fen) AS paid, SUM(reversed_fen) AS reversed, "
        f"SUM(payments) AS n FROM {flows_t} WHERE fund_id IN ({tree}) "
        f"GROUP BY category ORDER BY category",
        bounds,
    )
    return {
        "fund": fund,
        "totals": {k: int(v or 0) for k, v in totals.items()},
        "children": children,
        "by_type": by_type,
        "by_category": by_category,
    }


def year_end(view: FundsView, centre_id: str, fiscal_year: int) -> list[dict[str, Any]]:
    """Year-end statistics: per centre of the subtree and per fund source, for one year."""
    g = view.generation()
    centres_t = view.table("funds_centres", g)
    sums = ", ".join(f"CAST(SUM(f.{t}) AS BIGINT) AS {t}" for t in TOTALS)
    return view.db.query(
        f"SELECT f.centre_id, c.name AS centre_name, f.source, COUNT(*) AS funds, {sums} "
        f"FROM {view.table('funds_funds', g)} f JOIN {centres_t} c "
        f"ON c.ancestor_id = %s AND c.centre_id = f.centre_id "
        f"WHERE f.fiscal_year = %s GROUP BY f.centre_id, c.name, f.source "
        f"ORDER BY c.name, f.source",
        (centre_id, fiscal_year),
    )


def centres(view: FundsView, centre_id: str | None) -> list[dict[str, Any]]:
    """The centres of a subtree (the whole tree for None) in tree order, each with its name and
    its depth below the subtree's top (0), for pickers that indent the tree."""
    g = view.generation()
    table = view.table("funds_centres", g)
    inside = f"WHERE a.centre_id IN (SELECT centre_id FROM {table} WHERE ancestor_id = %s)"
    rows = view.db.query(
        f"SELECT a.ancestor_id, a.centre_id, a.name FROM {table} a {inside if centre_id else ''}",
        [centre_id] if centre_id else [],
    )
    above: dict[str, set[str]] = {}
    names: dict[str, str] = {}
    for r in rows:
        above.setdefault(r["centre_id"], set()).add(r["ancestor_id"])
        names[r["centre_id"]] = r["name"]
    children: dict[str | None, list[str]] = {}
    for cid, ancestors in above.items():
        parents = [a for a in ancestors if a in above and len(above[a]) == len(ancestors) - 1]
        children.setdefault(parents[0] if parents else None, []).append(cid)
    out: list[dict[str, Any]] = []

    def walk(parent: str | None, depth: int) -> None:
        for cid in sorted(children.get(parent, []), key=lambda c: names[c]):
            out.append({"centre_id": cid, "name": names[cid], "depth": depth})
            walk(cid, depth + 1)

    walk(None, 0)
    return out
