"""Money is never created or destroyed: what came in, less what went out, is what funds hold."""

from __future__ import annotations

from dataclasses import dataclass
from uuid import UUID

from domain.application import Ledger
from domain.funds import Fund
from projections.log import all_events


@dataclass(frozen=True)
class Conservation:
    """Totals over the whole log, and the sum of every fund's balance."""

    appropriated_fen: int
    paid_fen: int
    reversed_fen: int
    returned_out_fen: int
    balances_fen: int
    funds: int
    events: int

    @property
    def expected_balances_fen(self) -> int:
        return self.appropriated_fen - self.paid_fen + self.reversed_fen - self.returned_out_fen

    @property
    def holds(self) -> bool:
        return self.expected_balances_fen == self.balances_fen


def check(ledger: Ledger) -> Conservation:
    """Recompute the flows from every event and compare with the funds' balances."""
    totals = {"Received": 0, "Disbursed": 0, "DisbursementReversed": 0, "ReturnedOut": 0}
    fund_ids: list[UUID] = []
    count = 0
    for _, event in all_events(ledger):
        count += 1
        if not isinstance(event, Fund.Event):
            continue
        name = type(event).__name__
        fields = event.__dict__
        if name == "Opened":
            fund_ids.append(event.originator_id)
        elif name == "Returned" and fields["to_fund_id"] is None:
            totals["ReturnedOut"] += fields["amount_fen"]
        elif name in totals:
            totals[name] += fields["amount_fen"]
    balances = 0
    for fund_id in fund_ids:
        fund: object = ledger.repository.get(fund_id)
        assert isinstance(fund, Fund)
        balances += fund.balance_fen
    return Conservation(
        totals["Received"],
        totals["Disbursed"],
        totals["DisbursementReversed"],
        totals["ReturnedOut"],
        balances,
        len(fund_ids),
        count,
    )
