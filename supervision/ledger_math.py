"""Balances and flows recomputed from fund events alone (used live and by the package verifier),
and a period's opening balances from the scope facts of the events before it.

The rules are written out in docs/audit-package.md ("Balances and flows")."""

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
    """A fund's figures before its first movement (what only its opening states: null)."""
    return dict.fromkeys(OPENED) | {
        "balance_fen": 0,
        "in_fen": defaultdict(int),
        "out_fen": defaultdict(int),
        "to_children_fen": defaultdict(int),
        "paid_by_type_fen": defaultdict(int),
        "reversed_fen": 0,
    }


def opening_balances(facts: Iterable[dict[str, Any]], date_from: str) -> dict[str, int]:
    """Each fund's balance when a period opens: the signed sum of the amounts of its money
    events dated before ``date_from``, from the scope facts of the events (kind, id, date,
    amount_fen), included in the package or not. Only funds that moved before appear."""
    opening: dict[str, int] = defaultdict(int)
    for f in facts:
        sign = SIGN.get(f["kind"])
        if sign is not None and f["date"] < date_from:
            opening[f["id"]] += sign * f["amount_fen"]
    return dict(sorted(opening.items()))


def balances_and_flows(
    records: Iterable[Record], opening: dict[str, int] | None = None
) -> dict[str, Any]:
    """Per fund: balance, and what came in and went out, by kind, child and assistance type.

    Every fund with an event among ``records`` is listed. Given the ``opening`` balances of a
    period (``opening_balances``; funds not named there opened it at 0), each fund also states
    ``opening_fen`` and its ``balance_fen`` is the opening plus the movements of the records:
    its balance at the period's end. The flows are those of the records either way."""
    funds: dict[str, dict[str, Any]] = {}
    for r in records:
        if is_(r, Fund.Opened):
            funds.setdefault(r["id"], _no_flows()).update({k: r[k] for k in OPENED})
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
    if opening is not None:
        for fund_id, fund in funds.items():
            fund["opening_fen"] = opening.get(fund_id, 0)
            fund["balance_fen"] += fund["opening_fen"]
    return {
        fund_id: {
            k: dict(sorted(v.items())) if isinstance(v, defaultdict) else v for k, v in fund.items()
        }
        for fund_id, fund in sorted(funds.items())
    }
