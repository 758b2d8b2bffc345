"""Trace a fund: from a central special fund down every allocation to each household paid."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from typing import Any

from supervision.records import Record


def trace(records: Sequence[Record], fund_id: str, as_of: str | None = None) -> dict[str, Any]:
    """The fund tree as of a business date: what each fund received, passed down, paid to which
    households by type, had reversed, returned, and kept unspent."""
    opened = {r["id"]: r for r in records if r["kind"] == "Fund.Opened"}
    children: dict[str, list[str]] = defaultdict(list)
    for r in opened.values():
        if r["parent_fund_id"]:
            children[r["parent_fund_id"]].append(r["id"])
    moves: dict[str, list[Record]] = defaultdict(list)
    for r in records:
        if (
            r["kind"].startswith("Fund.")
            and r["kind"] != "Fund.Opened"
            and (as_of is None or r["business_date"] <= as_of)
        ):
            moves[r["id"]].append(r)

    def node(fid: str) -> dict[str, Any]:
        totals: dict[str, int] = defaultdict(int)
        households: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
        for m in moves[fid]:
            totals[m["kind"][5:]] += m["amount_fen"]
            if m["kind"] == "Fund.Disbursed":
                households[m["case_id"]][m["assistance_type"]] += m["amount_fen"]
        reversed_by_case = _reversed_by_case(moves[fid])
        balance = (
            totals["Received"]
            + totals["AllocatedIn"]
            + totals["ReturnReceived"]
            + totals["DisbursementReversed"]
            - totals["AllocatedOut"]
            - totals["Returned"]
            - totals["Disbursed"]
        )
        f = opened[fid]
        return {
            "fund_id": fid,
            "name": f["name"],
            "centre_id": f["centre_id"],
            "source": f["source"],
            "fiscal_year": f["fiscal_year"],
            "received_fen": totals["Received"],
            "allocated_in_fen": totals["AllocatedIn"],
            "allocated_out_fen": totals["AllocatedOut"],
            "paid_fen": totals["Disbursed"],
            "reversed_fen": totals["DisbursementReversed"],
            "returned_fen": totals["Returned"],
            "unspent_fen": balance,
            "households": [
                {
                    "case_id": c,
                    "paid_by_type_fen": dict(types),
                    "reversed_fen": reversed_by_case.get(c, 0),
                }
                for c, types in sorted(households.items())
            ],
            "children": [node(c) for c in sorted(children[fid])],
        }

    return node(fund_id) | {"as_of": as_of}


def _reversed_by_case(moves: Sequence[Record]) -> dict[str, int]:
    case_of = {m["payment_id"]: m["case_id"] for m in moves if m["kind"] == "Fund.Disbursed"}
    out: dict[str, int] = defaultdict(int)
    for m in moves:
        if m["kind"] == "Fund.DisbursementReversed":
            out[case_of.get(m["payment_id"], "?")] += m["amount_fen"]
    return dict(out)
