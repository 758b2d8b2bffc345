"""Trace a fund: from a central special fund down every allocation to each household paid (the
rules: docs/audit-package.md, "Provenance")."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from typing import Any

from domain.cases import Case
from domain.catalogue import kind
from domain.funds import Fund
from supervision.ledger_math import SIGN
from supervision.records import Record, is_, of


def trace(
    records: Sequence[Record],
    fund_id: str,
    as_of: str | None = None,
    opening: dict[str, int] | None = None,
) -> dict[str, Any]:
    """The fund tree as of a business date: what each fund received, passed down, paid to which
    households by type, had reversed, returned, and kept unspent.

    A fund whose opening is not among ``records`` (a scope that leaves it out) is still traced
    from the movements there are; what only its opening states (name, centre, source, year)
    is null. Given the ``opening`` balances of a period (ledger_math.opening_balances), each
    fund also states ``opening_fen``, and what it kept unspent counts from it."""
    opened = {r["id"]: r for r in records if is_(r, Fund.Opened)}
    children: dict[str, list[str]] = defaultdict(list)
    for r in opened.values():
        if r["parent_fund_id"]:
            children[r["parent_fund_id"]].append(r["id"])
    moves: dict[str, list[Record]] = defaultdict(list)
    for r in records:
        if (
            of(r, Fund)
            and not is_(r, Fund.Opened)
            and (as_of is None or r["business_date"] <= as_of)
        ):
            moves[r["id"]].append(r)
    # a package's records may hold a reversal without the payment it undoes (made before its
    # period): the household's side of the reversal names the household, as the fund's does not
    households_of = {r["payment_id"]: r["id"] for r in records if is_(r, Case.AssistanceReversed)}

    def node(fid: str) -> dict[str, Any]:
        totals: dict[str, int] = defaultdict(int)  # by event kind
        households: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
        for m in moves[fid]:
            totals[m["kind"]] += m["amount_fen"]
            if is_(m, Fund.Disbursed):
                households[m["case_id"]][m["assistance_type"]] += m["amount_fen"]
        reversed_by_case = _reversed_by_case(moves[fid], households_of if as_of is None else {})
        for c in reversed_by_case:
            households.setdefault(c, defaultdict(int))
        balance = sum(SIGN[k] * v for k, v in totals.items() if k in SIGN)
        f = opened.get(fid, {})
        start = {} if opening is None else {"opening_fen": opening.get(fid, 0)}
        return start | {
            "fund_id": fid,
            "name": f.get("name"),
            "centre_id": f.get("centre_id"),
            "source": f.get("source"),
            "fiscal_year": f.get("fiscal_year"),
            "received_fen": totals[kind(Fund.Received)],
            "allocated_in_fen": totals[kind(Fund.AllocatedIn)],
            "allocated_out_fen": totals[kind(Fund.AllocatedOut)],
            "paid_fen": totals[kind(Fund.Disbursed)],
            "reversed_fen": totals[kind(Fund.DisbursementReversed)],
            "returned_fen": totals[kind(Fund.Returned)],
            "unspent_fen": start.get("opening_fen", 0) + balance,
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


def _reversed_by_case(moves: Sequence[Record], households_of: dict[str, str]) -> dict[str, int]:
    """What was reversed of the fund's payments, by household: the household its payment was
    made to, or else the one whose side of the reversal names it; a reversal naming neither is
    left in the fund's total only."""
    case_of = households_of | {
        m["payment_id"]: m["case_id"] for m in moves if is_(m, Fund.Disbursed)
    }
    out: dict[str, int] = defaultdict(int)
    for m in moves:
        if is_(m, Fund.DisbursementReversed) and m["payment_id"] in case_of:
            out[case_of[m["payment_id"]]] += m["amount_fen"]
    return dict(out)
