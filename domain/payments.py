"""Subsidy payments (帮扶支出) from a fund to a household, and their reversal (冲正)."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from datetime import date
from typing import TYPE_CHECKING, Any, ClassVar
from uuid import UUID

from eventsourcing.domain import event

from domain.aggregate import Act, LedgerAggregate
from domain.errors import AlreadyReversedError
from domain.text import checked

if TYPE_CHECKING:  # the aggregates a payment moves between (they import this module)
    from domain.cases import Case
    from domain.funds import Fund
    from domain.vocabulary import AssistanceType


class PaymentReversalNoted(Act):
    """How the fund that paid and the household paid each note a payment's reversal."""

    payment_id: UUID
    reversal_id: UUID
    amount_fen: int
    reason: str


def reversal_noted(
    payment_id: UUID, reversal_id: UUID, amount_fen: int, reason: str
) -> dict[str, Any]:
    """The fields of a PaymentReversalNoted event, its reason checked."""
    return {
        "payment_id": payment_id,
        "reversal_id": reversal_id,
        "amount_fen": amount_fen,
        "reason": checked(reason, "the reason", required=True),
    }


@dataclass(frozen=True)
class PaymentLinks:
    """What a payment answers besides its fund and case (each None when it answers none)."""

    request_id: UUID | None = None  # the payment request it settles (maker-checker)
    campaign_id: UUID | None = None  # the campaign it belongs to (两节送温暖 ...)
    schedule_id: UUID | None = None  # the recurring schedule (定期生活补助) ...
    schedule_month: str | None = None  # ... and its month, "2026-12"
    roster_key: str | None = None  # the roster row (花名册) that asked for it
    goods: str | None = None  # goods given in kind, valued at the amount


NO_LINKS = PaymentLinks()


class Payment(LedgerAggregate):
    """A payment is never edited: a reversal is a new event that names it."""

    class Reversed(Act):
        """冲正: the payment is undone, with a reason; it stays on record."""

        reversal_id: UUID
        reason: str

        def apply(self, payment: Payment) -> None:
            payment.reversal_id = self.reversal_id
            payment.reversal_reason = self.reason

    Made: ClassVar[type[LedgerAggregate.Event]]  # made by @event on __init__ below

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
        request_id: UUID | None = None,
        campaign_id: UUID | None = None,
        schedule_id: UUID | None = None,
        schedule_month: str | None = None,
        roster_key: str | None = None,
        goods: str | None = None,
    ) -> None:
        self.centre_path = list(centre_path)
        self.request_id, self.campaign_id = request_id, campaign_id
        self.schedule_id, self.schedule_month = schedule_id, schedule_month
        self.roster_key, self.goods = roster_key, goods
        self.fund_id, self.case_id, self.centre_id = fund_id, case_id, centre_id
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
        self._trigger(self.Reversed, actor, business_date, reversal_id=reversal_id, reason=reason)


def pay(
    fund: Fund,
    case: Case,
    payment_id: UUID,
    kind: AssistanceType,
    amount_fen: int,
    reference: str,
    actor: str,
    business_date: date,
    links: PaymentLinks = NO_LINKS,
) -> Payment:
    """One payment from a fund to a household: the case is credited, the fund debited (each
    refusing what its rules forbid), and the payment recorded; the three are saved together."""
    if links.goods is not None:
        links = PaymentLinks(**{**asdict(links), "goods": checked(links.goods, "the goods given")})
    case.receive_assistance(payment_id, fund.id, kind.value, amount_fen, actor, business_date)
    fund.disburse(
        payment_id,
        case.id,
        kind,
        amount_fen,
        reference,
        actor,
        business_date,
        request_id=links.request_id,
    )
    return Payment(
        id=payment_id,
        fund_id=fund.id,
        case_id=case.id,
        centre_id=case.centre_id,
        centre_path=case.centre_path,
        assistance_type=kind.value,
        amount_fen=amount_fen,
        reference=reference,
        actor=actor,
        business_date=business_date,
        **asdict(links),
    )
