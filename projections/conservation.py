"""Money is never created or destroyed: what came in, less what went out, is what funds hold."""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar
from uuid import UUID

from domain.application import Ledger
from domain.catalogue import meaning
from domain.funds import Fund
from projections.report_tables import add_up
from projections.view import Batch, View
from stores.log import LogReader
from stores.sql import Cursor


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


_TOTALS = ["appropriated_fen", "paid_fen", "reversed_fen", "returned_out_fen", "balances_fen"]
_COUNTS = ["funds", "events"]


class ConservationView(View):
    """Running totals over the whole log: money in, paid, reversed and returned out of the
    ledger, every fund's balance summed by the catalogue's legs, funds opened, events seen."""

    name = "conservation"
    handles = None  # it counts every event
    tables: ClassVar[dict[str, str]] = {
        "cons_totals": "id INTEGER PRIMARY KEY, "
        + ", ".join(f"{c} BIGINT NOT NULL" for c in _TOTALS + _COUNTS)
    }

    def apply(self, cursor: Cursor, generation: int, batch: Batch) -> None:
        add = dict.fromkeys(_TOTALS + _COUNTS, 0)
        for _, event in batch:
            add["events"] += 1
            add["funds"] += isinstance(event, Fund.Opened)
            leg = meaning(event).leg
            if leg is None:
                continue
            amount = event.__dict__[leg.amount]
            add["balances_fen"] += leg.sign * amount
            if isinstance(event, Fund.Received):
                add["appropriated_fen"] += amount
            elif isinstance(event, Fund.Disbursed):
                add["paid_fen"] += amount
            elif isinstance(event, Fund.DisbursementReversed):
                add["reversed_fen"] += amount
            elif isinstance(event, Fund.Returned) and event.__dict__["to_fund_id"] is None:
                add["returned_out_fen"] += amount
        table = self.table("cons_totals", generation)
        add_up(self, cursor, table, ["id"], list(add), [(1, *add.values())])


def totals(view: ConservationView) -> Conservation:
    """What ``check`` recomputes from the log and the funds, read from the view."""
    g = view.generation()
    row = view.db.one(f"SELECT * FROM {view.table('cons_totals', g)} WHERE id = 1")
    values = row or dict.fromkeys(_TOTALS + _COUNTS, 0)
    return Conservation(*(int(values[c]) for c in _TOTALS + _COUNTS))
