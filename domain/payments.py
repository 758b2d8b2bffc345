"""Subsidy payments (帮扶支出) from a fund to a household, and their reversal (冲正)."""

from __future__ import annotations

from datetime import date
from typing import ClassVar
from uuid import UUID

from eventsourcing.domain import event

from domain.aggregate import LedgerAggregate
from domain.errors import AlreadyReversedError
from domain.text import checked


class Payment(LedgerAggregate):
    """A payment is never edited: a reversal is a new event that names it."""

    # events made by the @event methods below, declared here for type checkers
    Made: ClassVar[type[LedgerAggregate.Event]]
    Reversed: ClassVar[type[LedgerAggregate.Event]]

    @event("Made")
    def __init__(
        self,
        id: UUID,
        fund_id: UUID,
        case_id: UUID,
        centre_id: UUID,
        centre_path: list[UUID],
        assistance_type: str,
        amount_fen: int,
        reference: str,
        actor: str,
        business_date: date,
    ) -> None:
        self.fund_id = fund_id
        self.case_id = case_id
        self.centre_id = centre_id
        self.centre_path = list(centre_path)
        self.assistance_type = assistance_type
        self.amount_fen = amount_fen
        self.reference = reference
        self.paid_on = business_date
        self.reversal_id: UUID | None = None
        self.reversal_reason: str | None = None

    @property
    def is_reversed(self) -> bool:
        return self.reversal_id is not None

    def reverse(self, reversal_id: UUID, reason: str, actor: str, business_date: date) -> None:
        """Reverse the payment once, with a reason."""
        reason = checked(reason, "the reason for a reversal", required=True)
        if self.is_reversed:
            raise AlreadyReversedError(
                f"payment {self.id} was already reversed ({self.reversal_id})"
            )
        self._reversed(
            reversal_id=reversal_id, reason=reason, actor=actor, business_date=business_date
        )

    @event("Reversed")
    def _reversed(self, reversal_id: UUID, reason: str, actor: str, business_date: date) -> None:
        self.reversal_id = reversal_id
        self.reversal_reason = reason
