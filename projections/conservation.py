"""Money is never created or destroyed: what came in, less what went out, is what funds hold."""

from __future__ import annotations

from dataclasses import dataclass
from uuid import UUID

from domain.application import Ledger
from domain.funds import Fund
from stores.log import LogReader


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
    appropriated = paid = reversed_ = returned_out = 0
    fund_ids: list[UUID] = []
    count = 0
    for _, event in LogReader(ledger).events():
        count += 1
        amount = event.__dict__.get("amount_fen", 0)
        if isinstance(event, Fund.Opened):
            fund_ids.append(event.originator_id)
        elif isinstance(event, Fund.Returned) and event.__dict__["to_fund_id"] is None:
            returned_out += amount  # out of the ledger, back to the payer
        elif isinstance(event, Fund.Received):
            appropriated += amount
        elif isinstance(event, Fund.Disbursed):
            paid += amount
        elif isinstance(event, Fund.DisbursementReversed):
            reversed_ += amount
    balances = 0
    for fund_id in fund_ids:
        fund: object = ledger.repository.get(fund_id)
        assert isinstance(fund, Fund)
        balances += fund.balance_fen
    return Conservation(
        appropriated,
        paid,
        reversed_,
        returned_out,
        balances,
        len(fund_ids),
        count,
    )
