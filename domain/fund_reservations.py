"""What a fund may spend: its available balance (the balance less what is reserved for payment
requests awaiting approval, 预留) and its balance on every past business date, which no debit
dated then may drive below zero (no backdated overdraft, 不得倒签透支).

The events' fields and what they change are here; ``Fund`` declares the events in its body
(their names are stored) and takes these commands and guards from ``Reservations``."""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING, Any, ClassVar
from uuid import UUID

from domain.aggregate import Act
from domain.errors import (
    BackdatedOverdraftError,
    InsufficientFundsError,
    InvalidInputError,
    PurposeNotAllowedError,
)
from domain.money import require_positive, yuan
from domain.text import checked
from domain.vocabulary import AssistanceType

if TYPE_CHECKING:
    from domain.funds import Fund


class Reservation(Act):
    """Money held for a payment request until it is approved, rejected, voided or expires."""

    request_id: UUID
    case_id: UUID
    assistance_type: str
    amount_fen: int

    def apply(self, fund: Fund) -> None:
        fund.reservations[str(self.request_id)] = self.amount_fen
        fund.reserved_fen += self.amount_fen


class ReservationRelease(Act):
    """A reservation given back to the available balance, with the reason."""

    request_id: UUID
    amount_fen: int
    reason: str

    def apply(self, fund: Fund) -> None:
        fund.reserved_fen -= fund.reservations.pop(str(self.request_id), 0)


class Reservations:
    """A fund's available balance, its balances by business date, and its reservations."""

    Reserved: ClassVar[type[Reservation]]
    ReservationReleased: ClassVar[type[ReservationRelease]]
    if TYPE_CHECKING:  # the fund's own state and methods, as Fund defines them
        id: UUID
        name: str
        balance_fen: int
        reserved_fen: int
        reservations: dict[str, int]
        day_net: dict[str, int] | None
        purpose_values: list[str]

        @property
        def purposes(self) -> list[AssistanceType]: ...

        def _trigger(
            self, event: type[Act], actor: str, business_date: date, **f: object
        ) -> None: ...

    @staticmethod
    def upcast_v1_v2(state: dict[str, Any]) -> None:
        """A snapshot from before reservations: none were possible; the movements per date
        are unknown until the fund is replayed from its events (the ledger does that)."""
        state["reserved_fen"] = 0
        state["reservations"] = {}
        state["day_net"] = None

    @property
    def available_fen(self) -> int:
        """The balance less what is reserved for requests awaiting approval."""
        return self.balance_fen - self.reserved_fen

    @property
    def replay_without_snapshot(self) -> bool:
        """Loaded from a snapshot that predates the movements per business date."""
        return self.day_net is None

    def _require_balance(self, amount_fen: int, on: date, spending: UUID | None = None) -> None:
        """Enough available money today, and no balance as of ``on`` or any later business date
        driven below zero (a backdated payment may not overdraw the fund's past)."""
        require_positive(amount_fen)
        own = self.reservations.get(str(spending), 0) if spending else 0
        if amount_fen > self.available_fen + own:
            raise InsufficientFundsError(self.id, self.available_fen + own, amount_fen)
        lowest = self._lowest_balance_from(on)
        if amount_fen > lowest:
            raise BackdatedOverdraftError(
                f"fund {self.name!r} held {yuan(lowest)} yuan on a date from "
                f"{on.isoformat()} on; a payment of {yuan(amount_fen)} dated then would "
                "drive its balance on that date below zero (不得倒签透支)"
            )

    def _lowest_balance_from(self, on: date) -> int:
        """The lowest end-of-day balance on ``on`` and every later business date recorded."""
        if self.day_net is None:
            raise RuntimeError("a fund from an old snapshot must be replayed from its events")
        day = on.isoformat()
        before = sum(net for moved_on, net in self.day_net.items() if moved_on <= day)
        running, lowest = before, before  # the balance as of ``on`` itself, then each later one
        for moved_on in sorted(d for d in self.day_net if d > day):
            running += self.day_net[moved_on]
            lowest = min(lowest, running)
        return lowest

    def _require_purpose(self, assistance_type: AssistanceType) -> None:
        if assistance_type.value not in self.purpose_values:
            raise PurposeNotAllowedError(
                f"fund {self.name!r} is earmarked for "
                f"{', '.join(f'{p.value} ({p.zh})' for p in self.purposes)}; it may not pay "
                f"{assistance_type.value} ({assistance_type.zh})"
            )

    def reserve(
        self,
        request_id: UUID,
        case_id: UUID,
        assistance_type: AssistanceType,
        amount_fen: int,
        actor: str,
        business_date: date,
    ) -> None:
        """Hold money for a payment request until it is approved, rejected, voided or expires:
        the balance stays, the available balance drops (预留)."""
        self._require_purpose(assistance_type)
        require_positive(amount_fen)
        if str(request_id) in self.reservations:
            raise InvalidInputError(f"request {request_id} already holds a reservation")
        if amount_fen > self.available_fen:
            raise InsufficientFundsError(self.id, self.available_fen, amount_fen)
        self._trigger(
            self.Reserved,
            actor,
            business_date,
            request_id=request_id,
            case_id=case_id,
            assistance_type=assistance_type.value,
            amount_fen=amount_fen,
        )

    def release(self, request_id: UUID, reason: str, actor: str, business_date: date) -> None:
        """Give a request's reservation back to the available balance."""
        reason = checked(reason, "the reason", required=True)
        amount_fen = self.reservations.get(str(request_id))
        if amount_fen is None:
            raise InvalidInputError(f"request {request_id} holds no reservation on this fund")
        self._trigger(
            self.ReservationReleased,
            actor,
            business_date,
            request_id=request_id,
            amount_fen=amount_fen,
            reason=reason,
        )
