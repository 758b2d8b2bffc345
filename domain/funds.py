"""Funds (资金): money held by a centre for a source, year and earmark, moved only by transfers."""

from __future__ import annotations

from datetime import date
from typing import ClassVar
from uuid import NAMESPACE_URL, UUID, uuid4, uuid5

from eventsourcing.domain import event

from domain.aggregate import LedgerAggregate
from domain.errors import InvalidInputError, NoParentFundError
from domain.fund_moves import Moved, Transfer, transfer_fields
from domain.fund_reservations import Reservation, ReservationRelease, Reservations
from domain.money import MAX_FUND_TOTAL_FEN, require_positive
from domain.payments import PaymentReversalNoted, reversal_noted
from domain.text import checked
from domain.vocabulary import AssistanceType, FundSource

_CHILD_FUNDS = uuid5(NAMESPACE_URL, "https://bangfu.example/child-funds")


def child_fund_id(parent_fund_id: UUID, centre_id: UUID) -> UUID:
    """The one fund a child centre holds for money allocated from a given parent fund."""
    return uuid5(_CHILD_FUNDS, f"{parent_fund_id}/{centre_id}")


class Fund(Reservations, LedgerAggregate):
    """A fund's balance never goes below zero, on any business date; every change of it is an
    event naming its cause. Money reserved for payment requests awaiting approval is still in the
    balance but not available (available = balance - reserved)."""

    class_version = 2  # v2: reservations and the net movement per business date (upcast_v1_v2)

    class Received(Transfer):  # 拨入: an appropriation from a payer outside the ledger
        sign = +1
        total = "received_fen"
        payer: str

    class AllocatedOut(Transfer):  # 下拨: money sent down to a child centre's fund
        sign = -1
        total = "allocated_out_fen"
        to_fund_id: UUID
        to_centre_id: UUID

    class AllocatedIn(Transfer):  # the child fund's side of an allocation
        sign = +1
        total = "allocated_in_fen"
        from_fund_id: UUID

    class Returned(Transfer):  # 退回/上缴: to the parent fund, or from a top fund to its payer
        sign = -1
        total = "returned_fen"
        to_fund_id: UUID | None

    class ReturnReceived(Transfer):  # the parent fund's side of a return
        sign = +1
        total = "returns_received_fen"
        from_fund_id: UUID

    class Disbursed(Moved):  # 帮扶支出: a payment to a household
        sign = -1
        total = "disbursed_fen"
        payment_id: UUID
        case_id: UUID
        assistance_type: str
        reference: str
        request_id: UUID | None = None  # the approved request whose reservation it spends

        def apply(self, fund: Fund) -> None:
            super().apply(fund)
            if self.request_id is not None:
                fund.reserved_fen -= fund.reservations.pop(str(self.request_id), 0)

    class DisbursementReversed(PaymentReversalNoted, Moved):  # 冲正: the payment comes back
        sign = +1
        total = "reversed_fen"

    class Reserved(Reservation):  # 预留: held for a payment request awaiting approval (审批中)
        pass

    class ReservationReleased(ReservationRelease):  # 释放预留: rejected, voided or expired
        pass

    Opened: ClassVar[type[LedgerAggregate.Event]]  # made by @event on __init__ below

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
        self.received_fen = self.allocated_in_fen = self.allocated_out_fen = 0
        self.returned_fen = self.returns_received_fen = 0
        self.disbursed_fen = self.reversed_fen = 0
        self.reserved_fen = 0
        self.reservations: dict[str, int] = {}
        self.day_net: dict[str, int] | None = {}

    @property
    def source(self) -> FundSource:
        return FundSource(self.source_value)

    @property
    def purposes(self) -> list[AssistanceType]:
        return [AssistanceType(p) for p in self.purpose_values]

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

    # --- guards ------------------------------------------------------------------------------
    def _require_room(self, amount_fen: int) -> None:
        """Every running total stays far inside what the books' columns hold."""
        require_positive(amount_fen)
        ins = max(self.received_fen, self.allocated_in_fen, self.returns_received_fen)
        outs = max(self.allocated_out_fen, self.returned_fen, self.disbursed_fen)
        if max(ins, outs, self.reversed_fen) + amount_fen > MAX_FUND_TOTAL_FEN:
            raise InvalidInputError(
                f"fund {self.name!r} has moved as much money as one fund may record; "
                "open a new fund"
            )

    # --- commands: each checks its rules, then records its event ------------------------------
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
        moved = transfer_fields(movement_id, amount_fen, reference)
        self._trigger(self.Received, actor, business_date, payer=payer, **moved)

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
        self._require_balance(amount_fen, business_date)
        self._require_room(amount_fen)
        child._require_room(amount_fen)
        moved = transfer_fields(movement_id, amount_fen, reference)
        to = {"to_fund_id": child.id, "to_centre_id": child.centre_id}
        self._trigger(self.AllocatedOut, actor, business_date, **to, **moved)
        child._trigger(child.AllocatedIn, actor, business_date, from_fund_id=self.id, **moved)

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
        self._require_balance(amount_fen, business_date)
        self._require_room(amount_fen)
        moved = transfer_fields(movement_id, amount_fen, reference)
        if (parent.id if parent else None) != self.parent_fund_id:
            raise NoParentFundError(
                "money returns only to the fund's own parent fund "
                "(or, from a top fund, to its payer)"
            )
        self._trigger(self.Returned, actor, business_date, to_fund_id=self.parent_fund_id, **moved)
        if parent is not None:
            parent._require_room(amount_fen)
            parent._trigger(
                parent.ReturnReceived, actor, business_date, from_fund_id=self.id, **moved
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
        request_id: UUID | None = None,
    ) -> None:
        """Pay a household from this fund, within its earmark and its balance; a payment that
        settles an approved request spends that request's reservation."""
        self._require_purpose(assistance_type)
        if request_id is not None and self.reservations.get(str(request_id)) != amount_fen:
            raise InvalidInputError(
                f"fund {self.name!r} holds no reservation of that amount for request {request_id}"
            )
        self._require_balance(amount_fen, business_date, spending=request_id)
        self._require_room(amount_fen)
        self._trigger(
            self.Disbursed,
            actor,
            business_date,
            payment_id=payment_id,
            case_id=case_id,
            assistance_type=assistance_type.value,
            amount_fen=amount_fen,
            reference=checked(reference, "the reference"),
            request_id=request_id,
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
        noted = reversal_noted(payment_id, reversal_id, amount_fen, reason)
        self._trigger(self.DisbursementReversed, actor, business_date, **noted)
