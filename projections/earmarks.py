"""Earmarks (auditors): every payment checked against its fund's earmark, and every transfer
against the fund tree, kept so that a centre subtree's check is a bounded query."""

from __future__ import annotations

from typing import Any, ClassVar

from domain.centres import Centre
from domain.funds import Fund
from projections.report_tables import (
    CLOSURE,
    Page,
    closure_rows,
    cursor_parts,
    in_subtree,
    insert_tree,
    limit_to,
    reading,
    upsert,
)
from projections.view import CASE_EVENTS, OUTSIDE_CASES_AND_FUNDS, Batch, View
from stores.sql import Cursor


class EarmarksView(View):
    """Funds with their parent and the payments they made; each transfer down or back up;
    each payment outside its fund's earmark."""

    name = "earmarks"
    handles = (Centre.Created, Fund.Opened, Fund.AllocatedOut, Fund.Returned, Fund.Disbursed)
    ignores = (
        Fund.Received,
        Fund.AllocatedIn,  # the sending fund's AllocatedOut names both ends
        Fund.ReturnReceived,
        Fund.DisbursementReversed,
        *CASE_EVENTS,
        *OUTSIDE_CASES_AND_FUNDS,
    )
    tables: ClassVar[dict[str, str]] = {
        "ear_tree": CLOSURE,
        "ear_funds": (
            "fund_id TEXT PRIMARY KEY, centre_id TEXT NOT NULL, parent_fund_id TEXT, "
            "purposes TEXT NOT NULL, payments BIGINT NOT NULL"
        ),
        "ear_transfers": (
            "position BIGINT PRIMARY KEY, fund_id TEXT NOT NULL, to_fund_id TEXT, "
            "is_return INTEGER NOT NULL"
        ),
        "ear_outside": (
            "position BIGINT PRIMARY KEY, fund_id TEXT NOT NULL, assistance_type TEXT NOT NULL"
        ),
    }
    indexes: ClassVar[list[tuple[str, str]]] = [
        ("ear_funds", "centre_id"),
        ("ear_transfers", "fund_id"),
        ("ear_outside", "fund_id"),
    ]

    def apply(self, cursor: Cursor, generation: int, batch: Batch) -> None:
        t = {base: self.table(base, generation) for base in self.tables}
        ids = {str(e.originator_id) for _, e in batch if isinstance(e, Fund.Event)}
        funds = self.rows_by_key(cursor, t["ear_funds"], "fund_id", ids)
        closure: list[tuple[str, str]] = []
        transfers: list[dict[str, Any]] = []
        outside: list[dict[str, Any]] = []
        for position, event in batch:
            f, oid = event.__dict__, str(event.originator_id)
            if isinstance(event, Centre.Created):
                closure += closure_rows(event)
            elif isinstance(event, Fund.Opened):
                parent = f["parent_fund_id"]
                funds[oid] = {
                    "fund_id": oid,
                    "centre_id": str(f["centre_id"]),
                    "parent_fund_id": str(parent) if parent else None,
                    "purposes": ",".join(f["purposes"]),
                    "payments": 0,
                }
            elif isinstance(event, Fund.Disbursed):
                funds[oid]["payments"] += 1
                if f["assistance_type"] not in funds[oid]["purposes"].split(","):
                    outside.append(
                        {
                            "position": position,
                            "fund_id": oid,
                            "assistance_type": f["assistance_type"],
                        }
                    )
            else:
                target = f["to_fund_id"]
                transfers.append(
                    {
                        "position": position,
                        "fund_id": oid,
                        "to_fund_id": str(target) if target else None,
                        "is_return": int(isinstance(event, Fund.Returned)),
                    }
                )
        insert_tree(self, cursor, t["ear_tree"], closure)
        upsert(self, cursor, t["ear_funds"], "fund_id", list(funds.values()))
        upsert(self, cursor, t["ear_transfers"], "position", transfers)
        upsert(self, cursor, t["ear_outside"], "position", outside)


def earmarks(
    view: EarmarksView,
    centre_id: str | None = None,
    limit: int | None = None,
    after: str | None = None,
) -> Page:
    """``supervision.compliance.earmarks`` for the whole ledger or a centre subtree: payments
    and transfers checked (counts), and a page of the violations in log order."""
    start = cursor_parts(after, ["violation"], "the earmark check")
    with reading(view) as r:
        funds, transfers = r.table("ear_funds"), r.table("ear_transfers")
        params = [centre_id] if centre_id else []

        def scope(alias: str) -> str:
            return f" AND {in_subtree(f'{alias}.centre_id', r.table('ear_tree'))}" if params else ""

        # a transfer is checked when both its funds are in scope (a return's only needs its own)
        checked = (
            f"FROM {transfers} m JOIN {funds} f ON f.fund_id = m.fund_id{scope('f')} "
            f"LEFT JOIN {funds} t ON t.fund_id = m.to_fund_id{scope('t')} "
            "WHERE (m.is_return = 1 OR t.fund_id IS NOT NULL)"
        )
        both = params * 2
        payments = r.one(
            f"SELECT CAST(COALESCE(SUM(f.payments), 0) AS BIGINT) AS n FROM {funds} f "
            f"WHERE 1 = 1{scope('f')}",
            params,
        )["n"]
        moves = r.one(f"SELECT COUNT(*) AS n {checked}", both)["n"]
        wrong = (
            f"SELECT m.position, m.fund_id, m.to_fund_id AS target, NULL AS assistance_type "
            f"{checked} AND m.to_fund_id IS NOT NULL AND CASE WHEN m.is_return = 1 "
            "THEN (f.parent_fund_id IS NULL OR f.parent_fund_id <> m.to_fund_id) "
            "ELSE (t.parent_fund_id IS NULL OR t.parent_fund_id <> m.fund_id) END "
            "UNION ALL SELECT o.position, o.fund_id, NULL AS target, o.assistance_type "
            f"FROM {r.table('ear_outside')} o JOIN {funds} f ON f.fund_id = o.fund_id"
            f"{scope('f')}"
        )
        total = r.one(f"SELECT COUNT(*) AS n FROM ({wrong}) w", both + params)["n"]
        rows = r.rows(
            f"SELECT * FROM ({wrong}) w WHERE w.position > %s ORDER BY w.position"
            + limit_to(limit and limit + 1)[0],
            [*both, *params, start[1] if start else -1, *limit_to(limit and limit + 1)[1]],
        )
    more = limit is not None and len(rows) > limit
    rows = rows[:limit] if limit is not None else rows
    violations = [
        {
            "position": w["position"],
            "fund_id": w["fund_id"],
            "problem": f"paid {w['assistance_type']} outside the earmark"
            if w["target"] is None
            else f"money moved to {w['target']}, outside its own tree",
        }
        for w in rows
    ]
    return Page(
        violations,
        int(total),
        f"violation:{rows[-1]['position']}" if more else None,
        {"payments_checked": int(payments), "transfers_checked": int(moves)},
    )
