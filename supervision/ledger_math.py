"""Balances and flows recomputed from fund events alone (used live and by the package verifier)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from typing import Any

from supervision.records import Record

SIGN = {
    "Fund.Received": 1,
    "Fund.AllocatedIn": 1,
    "Fund.ReturnReceived": 1,
    "Fund.DisbursementReversed": 1,
    "Fund.AllocatedOut": -1,
    "Fund.Returned": -1,
    "Fund.Disbursed": -1,
}


def balances_and_flows(records: Iterable[Record]) -> dict[str, Any]:
    """Per fund: balance, and what came in and went out, by kind, child and assistance type."""
    funds: dict[str, dict[str, Any]] = {}
    for r in records:
        kind = r["kind"]
        if kind == "Fund.Opened":
            funds[r["id"]] = {
                "name": r["name"],
                "source": r["source"],
                "fiscal_year": r["fiscal_year"],
                "centre_id": r["centre_id"],
                "parent_fund_id": r["parent_fund_id"],
                "balance_fen": 0,
                "in_fen": defaultdict(int),
                "out_fen": defaultdict(int),
                "to_children_fen": defaultdict(int),
                "paid_by_type_fen": defaultdict(int),
                "reversed_fen": 0,
            }
        elif kind in SIGN:
            fund = funds.setdefault(
                r["id"],
                {
                    "balance_fen": 0,
                    "in_fen": defaultdict(int),
                    "out_fen": defaultdict(int),
                    "to_children_fen": defaultdict(int),
                    "paid_by_type_fen": defaultdict(int),
                    "reversed_fen": 0,
                },
            )
            amount = r["amount_fen"]
            fund["balance_fen"] += SIGN[kind] * amount
            (fund["in_fen"] if SIGN[kind] > 0 else fund["out_fen"])[kind[5:]] += amount
            if kind == "Fund.AllocatedOut":
                fund["to_children_fen"][r["to_fund_id"]] += amount
            elif kind == "Fund.Disbursed":
                fund["paid_by_type_fen"][r["assistance_type"]] += amount
            elif kind == "Fund.DisbursementReversed":
                fund["reversed_fen"] += amount
    return {
        fund_id: {
            k: dict(sorted(v.items())) if isinstance(v, defaultdict) else v for k, v in fund.items()
        }
        for fund_id, fund in sorted(funds.items())
    }
