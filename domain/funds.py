"""Funds (资金): money held by a centre for a source, year and earmark, moved only by transfers."""

from __future__ import annotations

from datetime import date
from typing import ClassVar
from uuid import NAMESPACE_URL, UUID, uuid4, uuid5

from eventsourcing.domain import event

from domain.aggregate import LedgerAggregate
from domain.errors import (
    InsufficientFundsError,
    InvalidInputError,
    NoParentFundError,
    PurposeNotAllowedError,
)
from domain.money import MAX_FUND_TOTAL_FEN, require_positive
from domain.text import checked
from domain.vocabulary import AssistanceType, FundSource

_CHILD_FUNDS = uuid5(NAMESPACE_URL, "https://bangfu.example/child-funds")


def child_fund_id(parent_fund_id: UUID, centre_id: UUID) -> UUID:
    """The one fund a child centre holds for money allocated from a given parent fund."""
    return uuid5(_CHILD_FUNDS, f"{parent_fund_id}/{centre_id}")


class Fund(LedgerAggregate):
    """A fund's balance never goes below zero; every change of it is an event naming its cause."""

    # events made by the @event methods below, declared here for type checkers
    Opened: ClassVar[type[LedgerAggregate.Event]]
    Received: ClassVar[type[LedgerAggregate.Event]]
    AllocatedOut: ClassVar[type[LedgerAggregate.Event]]
    AllocatedIn: ClassVar[type[LedgerAggregate.Event]]
    Returned: ClassVar[type[LedgerAggregate.Event]]
    ReturnReceived: ClassVar[type[LedgerAggregate.Event]]
    Disbursed: ClassVar[type[LedgerAggregate.Event]]
    DisbursementReversed: ClassVar[type[LedgerAggregate.Event]]

    @staticmethod
    def create_id(parent_fund_id: UUID | None, centre_id: UUID) -> UUID:
        """A child fund's id follows from its parent fund and centre; a top fund's is random."""
        return child_fund_id(parent_fund_id, centre_id) if parent_fund_id else uuid4()

    @event("Opened")
    def __init__(
        self,
        centre_id: UUID,
        centre_path: list[UUID],
        name: str,
        source: str,
        fiscal_year: int,
        purposes: list[str],
        parent_fund_id: UUID | None,
        actor: str,
        business_date: date,
    ) -> None:
        self.centre_id = centre_id
        self.centre_path = list(centre_path)
        self.name = name
        self.source_value = source
        self.fiscal_year = fiscal_year
        self.purpose_values = list(purposes)
        self.parent_fund_id = parent_fund_id
        self.balance_fen = 0
        self.received_fen = 0
        self.allocated_in_fen = 0
        self.allocated_out_fen = 0
        self.returned_fen = 0
        self.returns_received_fen = 0
        self.disbursed_fen = 0
        self.reversed_fen = 0

    @classmethod
    def open(
        cls,
        centre_path: list[UUID],
        name: str,
        source: FundSource,
        fiscal_year: int,
        purposes: list[AssistanceType],
        actor: str,
        business_date: date,
        parent_fund_id: UUID | None = None,
    ) -> Fund:
        """Open a fund at the last centre of ``centre_path``, checking name, year and earmark."""
        name = checked(name, "a fund's name", required=True)
        if not 1949 <= fiscal_year <= 2200:
            raise InvalidInputError(f"{fiscal_year} is not a plausible fiscal year")
        if not purposes:
            raise InvalidInputError("a fund must be earmarked for at least one assistance type")
        return cls(
            centre_id=centre_path[-1],
            centre_path=centre_path,
            name=name,
            source=source.value,
            fiscal_year=fiscal_year,
            purposes=sorted({p.value for p in purposes}),
            parent_fund_id=parent_fund_id,
            actor=actor,
            business_date=business_date,
        )

    @property
    def source(self) -> FundSource:
        return FundSource(self.source_value)

    @property
    def purposes(self) -> list[AssistanceType]:
        return [AssistanceType(p) for p in self.purpose_values]

    # --- guards ------------------------------------------------------------------------------
    def _require_balance(self, amount_fen: int) -> None:
        require_positive(amount_fen)
        if amount_fen > self.balance_fen:
            raise InsufficientFundsError(self.id, self.balance_fen, amount_fen)

    def _require_room(self, amount_fen: int) -> None:
        """Every running total stays far inside what the books' columns hold."""
        require_positive(amount_fen)
        largest = max(
            self.received_fen,
            self.allocated_in_fen,
            self.allocated_out_fen,
            self.returned_fen,
            self.returns_received_fen,
            self.disbursed_fen,
            self.reversed_fen,
        )
        if largest + amount_fen > MAX_FUND_TOTAL_FEN:
            raise InvalidInputError(
                f"fund {self.name!r} has moved as much money as one fund may record; "
                "open a new fund"
            )

    # --- commands ----------------------------------------------------------------------------
    def receive(
        self,
        movement_id: UUID,
        amount_fen: int,
        payer: str,
        reference: str,
        actor: str,
        business_date: date,
    ) -> None:
        """Record an appropriation (拨入) from outside the ledger."""
        self._require_room(amount_fen)
        payer = checked(payer, "the payer's name", required=True)
        self._received(
            movement_id=movement_id,
            amount_fen=amount_fen,
            payer=payer,
            reference=checked(reference, "the reference"),
            actor=actor,
            business_date=business_date,
        )

    def allocate_to(
        self,
        child: Fund,
        movement_id: UUID,
        amount_fen: int,
        reference: str,
        actor: str,
        business_date: date,
    ) -> None:
        """Move money down to a child centre's fund (下拨); both sides are recorded."""
        self._require_balance(amount_fen)
        self._require_room(amount_fen)
        child._require_room(amount_fen)
        reference = checked(reference, "the reference")
        self._allocated_out(
            movement_id=movement_id,
            to_fund_id=child.id,
            to_centre_id=child.centre_id,
            amount_fen=amount_fen,
            reference=reference,
            actor=actor,
            business_date=business_date,
        )
        child._allocated_in(
            movement_id=movement_id,
            from_fund_id=self.id,
            amount_fen=amount_fen,
            reference=reference,
            actor=actor,
            business_date=business_date,
        )

    def return_up(
        self,
        parent: Fund | None,
        movement_id: UUID,
        amount_fen: int,
        reference: str,
        actor: str,
        business_date: date,
    ) -> None:
        """Return money to the parent fund (上缴), or to the payer when this fund has no parent."""
        self._require_balance(amount_fen)
        self._require_room(amount_fen)
        reference = checked(reference, "the reference")
        if (parent.id if parent else None) != self.parent_fund_id:
            raise NoParentFundError(
                "money returns only to the fund's own parent fund "
                "(or, from a top fund, to its payer)"
            )
        self._returned(
            movement_id=movement_id,
            to_fund_id=self.parent_fund_id,
            amount_fen=amount_fen,
            reference=reference,
            actor=actor,
            business_date=business_date,
        )
        if parent is not None:
            parent._require_room(amount_fen)
            parent._return_received(
                movement_id=movement_id,
                from_fund_id=self.id,
                amount_fen=amount_fen,
                reference=reference,
                actor=actor,
                business_date=business_date,
            )

    def disburse(
        self,
        payment_id: UUID,
        case_id: UUID,
        assistance_type: AssistanceType,
        amount_fen: int,
        reference: str,
        actor: str,
        business_date: date,
    ) -> None:
        """Pay a household from this fund, within its earmark and its balance."""
        if assistance_type.value not in self.purpose_values:
            raise PurposeNotAllowedError(
                f"fund {self.name!r} is earmarked for "
                f"{', '.join(f'{p.value} ({p.zh})' for p in self.purposes)}; it may not pay "
                f"{assistance_type.value} ({assistance_type.zh})"
            )
        self._require_balance(amount_fen)
        self._require_room(amount_fen)
        self._disbursed(
            payment_id=payment_id,
            case_id=case_id,
            assistance_type=assistance_type.value,
            amount_fen=amount_fen,
            reference=checked(reference, "the reference"),
            actor=actor,
            business_date=business_date,
        )

    def take_back(
        self,
        payment_id: UUID,
        reversal_id: UUID,
        amount_fen: int,
        reason: str,
        actor: str,
        business_date: date,
    ) -> None:
        """Credit the fund with a reversed payment (冲正); the payment itself stays on record."""
        require_positive(amount_fen)
        if amount_fen > self.disbursed_fen - self.reversed_fen:
            raise InvalidInputError("a reversal cannot return more than the fund paid out")
        self._disbursement_reversed(
            payment_id=payment_id,
            reversal_id=reversal_id,
            amount_fen=amount_fen,
            reason=checked(reason, "the reason", required=True),
            actor=actor,
            business_date=business_date,
        )

    # --- mutators: they only assign, and run again on every replay ---------------------------
    @event("Received")
    def _received(
        self,
        movement_id: UUID,
        amount_fen: int,
        payer: str,
        reference: str,
        actor: str,
        business_date: date,
    ) -> None:
        self.balance_fen += amount_fen
        self.received_fen += amount_fen

    @event("AllocatedOut")
    def _allocated_out(
        self,
        movement_id: UUID,
        to_fund_id: UUID,
        to_centre_id: UUID,
        amount_fen: int,
        reference: str,
        actor: str,
        business_date: date,
    ) -> None:
        self.balance_fen -= amount_fen
        self.allocated_out_fen += amount_fen

    @event("AllocatedIn")
    def _allocated_in(
        self,
        movement_id: UUID,
        from_fund_id: UUID,
        amount_fen: int,
        reference: str,
        actor: str,
        business_date: date,
    ) -> None:
        self.balance_fen += amount_fen
        self.allocated_in_fen += amount_fen

    @event("Returned")
    def _returned(
        self,
        movement_id: UUID,
        to_fund_id: UUID | None,
        amount_fen: int,
        reference: str,
        actor: str,
        business_date: date,
    ) -> None:
        self.balance_fen -= amount_fen
        self.returned_fen += amount_fen

    @event("ReturnReceived")
    def _return_received(
        self,
        movement_id: UUID,
        from_fund_id: UUID,
        amount_fen: int,
        reference: str,
        actor: str,
        business_date: date,
    ) -> None:
        self.balance_fen += amount_fen
        self.returns_received_fen += amount_fen

    @event("Disbursed")
    def _disbursed(
        self,
        payment_id: UUID,
        case_id: UUID,
        assistance_type: str,
        amount_fen: int,
        reference: str,
        actor: str,
        business_date: date,
    ) -> None:
        self.balance_fen -= amount_fen
        self.disbursed_fen += amount_fen

    @event("DisbursementReversed")
    def _disbursement_reversed(
        self,
        payment_id: UUID,
        reversal_id: UUID,
        amount_fen: int,
        reason: str,
        actor: str,
        business_date: date,
    ) -> None:
        self.balance_fen += amount_fen
        self.reversed_fen += amount_fen
