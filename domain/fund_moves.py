"""The shapes of the events that move a fund's balance. ``Fund`` declares its events in its body
(their names are stored, e.g. ``Fund.Received``) on these bases."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, ClassVar
from uuid import UUID

from domain.aggregate import Act
from domain.text import checked

if TYPE_CHECKING:
    from domain.funds import Fund


class Moved(Act):
    """An event that moves a fund's balance: in (``sign`` +1) or out (-1), fed into one of the
    fund's running totals (``total``), as the catalogue's Leg of the event says too."""

    amount_fen: int
    sign: ClassVar[int]
    total: ClassVar[str]

    def apply(self, fund: Fund) -> None:
        fund.balance_fen += self.sign * self.amount_fen
        setattr(fund, self.total, getattr(fund, self.total) + self.amount_fen)
        if fund.day_net is not None:  # what moved on each business date, for as-of balances
            day = self.business_date.isoformat()
            fund.day_net[day] = fund.day_net.get(day, 0) + self.sign * self.amount_fen


class Transfer(Moved):
    """Money moved into or out of the ledger, or between a fund and its parent or child."""

    movement_id: UUID
    reference: str


def transfer_fields(movement_id: UUID, amount_fen: int, reference: str) -> dict[str, Any]:
    """The fields both sides of a transfer record."""
    reference = checked(reference, "the reference")
    return {"movement_id": movement_id, "amount_fen": amount_fen, "reference": reference}
