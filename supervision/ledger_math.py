"""Balances and flows recomputed from fund events alone (used live and by the package verifier)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from typing import Any

from domain.catalogue import kind, money_events
from domain.funds import Fund
from supervision.records import Record, is_, short

SIGN = {kind(cls): leg.sign for cls, leg in money_events()}  # from domain/catalogue.py
OPENED = ("name", "source", "fiscal_year", "centre_id", "parent_fund_id")  # what a fund shows


def _no_flows() -> dict[str, Any]:
    """A fund's figures before its first movement."""
    return {
        "balance_fen": 0,
        "in_fen": defaultdict(int),
        "out_fen": defaultdict(int),
        "to_children_fen": defaultdict(int),
        "paid_by_type_fen": defaultdict(int),
        "reversed_fen": 0,
    }


def balances_and_flows(records: Iterable[Record]) -> dict[str, Any]:
    """Per fund: balance, and what came in and went out, by kind, child and assistance type."""
    funds: dict[str, dict[str, Any]] = {}
    for r in records:
        if is_(r, Fund.Opened):
            funds[r["id"]] = {k: r[k] for k in OPENED} | _no_flows()
        elif r["kind"] in SIGN:
            fund = funds.setdefault(r["id"], _no_flows())
            amount = r["amount_fen"]
            sign = SIGN[r["kind"]]
            fund["balance_fen"] += sign * amount
            (fund["in_fen"] if sign > 0 else fund["out_fen"])[short(r)] += amount
            if is_(r, Fund.AllocatedOut):
                fund["to_children_fen"][r["to_fund_id"]] += amount
            elif is_(r, Fund.Disbursed):
                fund["paid_by_type_fen"][r["assistance_type"]] += amount
            elif is_(r, Fund.DisbursementReversed):
                fund["reversed_fen"] += amount
    return {
        fund_id: {
            k: dict(sorted(v.items())) if isinstance(v, defaultdict) else v for k, v in fund.items()
        }
        for fund_id, fund in sorted(funds.items())
    }
