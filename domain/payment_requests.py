"""Payment requests (支付申请): maker-checker with a reservation on the fund.

A request reserves its amount on the fund (available balance drops, booked balance does not)
until a checker who is not its maker decides it: approved, a Payment naming the request spends
the reservation; rejected, voided or expired, the reservation is released. Every request needs a
checker, however small (a payment with no checker is the plain ``pay`` use case). Where the
checker sits follows from the policy in force at the case's centre on the request's day
(``escalation``); a request may be approved through ``valid_until`` (REQUEST_EXPIRY_DAYS on).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from typing import TYPE_CHECKING, ClassVar
from uuid import UUID

from eventsourcing.domain import event

from domain.access import Actor, Permission
from domain.aggregate import Act, LedgerAggregate
from domain.errors import (
    ApprovalLevelError,
    CaseClosedError,
    InvalidInputError,
    PaymentOutsideCaseError,
    RequestDecidedError,
    RequestExpiredError,
    RequestStillValidError,
    SelfApprovalError,
)
from domain.money import yuan
from domain.policy_parameters import Label
from domain.text import checked
from domain.vocabulary import AssistanceType, CentreLevel

if TYPE_CHECKING:
    from domain.cases import Case
    from domain.funds import Fund


class RequestStatus(Label):
    """Where a payment request stands."""

    PENDING = "pending", "待审批"
    APPROVED = "approved", "已批准"
    REJECTED = "rejected", "已驳回"
    VOIDED = "voided", "已作废"
    EXPIRED = "expired", "已过期"


class ApprovalLevel(Label):
    """Why a request's checker sits where it does: the case's centre, its parent, the province."""

    CENTRE = "centre", "本级中心审批"
    PARENT = "parent", "上级中心审批"
    PROVINCE = "province", "省级审批"


@dataclass(frozen=True)
class Thresholds:
    """The policy in force at the case's centre on the request's day (fen; None: no limit)."""

    approval_above_fen: int | None
    parent_above_fen: int | None
    province_above_fen: int | None
    expiry_days: int


_PROVINCIAL = (CentreLevel.NATIONAL, CentreLevel.PROVINCE)  # the province level or above


def escalation(
    amount_fen: int,
    thresholds: Thresholds,
    case_path: Sequence[UUID],
    case_levels: Sequence[CentreLevel],
    fund_path: Sequence[UUID],
) -> tuple[ApprovalLevel, list[UUID]]:
    """The level a request escalates to, and the path from the root to the centre whose
    approvers (or their superiors) may decide it: [] when only a user of the whole tree may
    (the case's centre is the root, or no centre of its path is at the province level)."""
    level, depth = ApprovalLevel.CENTRE, len(case_path)  # depth: how many centres of the path
    if thresholds.parent_above_fen is not None and amount_fen > thresholds.parent_above_fen:
        level, depth = ApprovalLevel.PARENT, len(case_path) - 1
    if thresholds.province_above_fen is not None and amount_fen > thresholds.province_above_fen:
        provincial = [n + 1 for n, lvl in enumerate(case_levels) if lvl in _PROVINCIAL]
        level, depth = ApprovalLevel.PROVINCE, min(depth, max(provincial, default=0))
    depth = min(depth, len(fund_path))  # the fund's centre is on the case's path
    return level, list(case_path[:depth])


class RequestDecided(Act):
    """A request's end: the status it reaches, who decided and why (if a reason is asked)."""

    status: ClassVar[RequestStatus]
    reason: str

    def apply(self, request: PaymentRequest) -> None:
        request.status_value = self.status.value
        request.decided_by, request.decided_on = self.actor, self.business_date
        request.reason = self.reason


class PaymentRequest(LedgerAggregate):
    """A request for one payment, pending until approved, rejected, voided or expired."""

    class Approved(RequestDecided):
        """批准: the checker approved; the payment ``payment_id`` spent the reservation."""

        status = RequestStatus.APPROVED
        payment_id: UUID

        def apply(self, request: PaymentRequest) -> None:
            super().apply(request)
            request.payment_id = self.payment_id

    class Rejected(RequestDecided):
        """驳回: the checker refused it, saying why; the reservation is released."""

        status = RequestStatus.REJECTED

    class Voided(RequestDecided):
        """作废: the maker (or a checker) withdrew it, saying why; the reservation is released."""

        status = RequestStatus.VOIDED

    class Expired(RequestDecided):
        """过期: no one decided it in time; the reservation is released."""

        status = RequestStatus.EXPIRED

    Requested: ClassVar[type[LedgerAggregate.Event]]  # made by @event on __init__ below

    @event("Requested")
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
        level: str,
        approver_path: list[UUID],
        valid_until: date,
        approval_above_fen: int | None,
        parent_above_fen: int | None,
        province_above_fen: int | None,
        actor: str,
        business_date: date,
    ) -> None:
        self.fund_id, self.case_id = fund_id, case_id
        self.centre_id, self.centre_path = centre_id, list(centre_path)
        self.assistance_type, self.reference = assistance_type, reference
        self.amount_fen = amount_fen
        self.level_value, self.approver_path = level, list(approver_path)
        self.valid_until = valid_until
        self.thresholds = (approval_above_fen, parent_above_fen, province_above_fen)
        self.requested_by, self.requested_on = actor, business_date
        self.status_value = RequestStatus.PENDING.value
        self.decided_by: str | None = None
        self.decided_on: date | None = None
        self.reason = ""
        self.payment_id: UUID | None = None

    @property
    def status(self) -> RequestStatus:
        return RequestStatus(self.status_value)

    @property
    def level(self) -> ApprovalLevel:
        return ApprovalLevel(self.level_value)

    def is_overdue(self, on: date) -> bool:
        return on > self.valid_until

    # --- guards --------------------------------------------------------------------------------
    def _require_pending(self, zh: str, en: str, day: date) -> None:
        """The request is pending, and ``day`` is not before it."""
        if self.status is not RequestStatus.PENDING:
            raise RequestDecidedError(
                f"支付申请已{self.status.zh}，不能{zh} (payment request {self.id} is "
                f"{self.status.value} already; it cannot {en})"
            )
        if day < self.requested_on:
            raise InvalidInputError(
                f"日期早于申请日期 (the date {day.isoformat()} comes before the request itself, "
                f"{self.requested_on.isoformat()})"
            )

    def _require_level(self, actor: Actor) -> None:
        """The actor holds the right at the centre the request escalated to, or above."""
        actor.require(Permission.APPROVE_PAYMENTS)
        if actor.centre_id is None or actor.centre_id in self.approver_path:
            return
        where = f"centre {self.approver_path[-1]}" if self.approver_path else "the whole tree"
        raise ApprovalLevelError(
            f"¥{yuan(self.amount_fen)} 的支付申请须由{self.level.zh} (a request of "
            f"{yuan(self.amount_fen)} yuan is decided at the {self.level.value} level, by a "
            f"user of {where} or above; {actor.name!r} acts below it)"
        )

    def require_checker(self, actor: Actor) -> None:
        """Refuse anyone who may not decide the request: its maker, or a user without the
        right or below the level it escalated to."""
        if actor.name == self.requested_by:
            raise SelfApprovalError(
                f"申请人不能审批自己的支付申请 (user {actor.name!r} made payment request "
                f"{self.id}; its checker must be someone else)"
            )
        self._require_level(actor)

    # --- commands ------------------------------------------------------------------------------
    def approve(self, checker: Actor, payment_id: UUID, day: date, today: date) -> None:
        """Approve the request on ``day``: refused after ``valid_until`` (by the business
        date or by the day it is recorded, ``today``)."""
        self._require_pending("批准", "be approved", day)
        self.require_checker(checker)
        if self.is_overdue(max(day, today)):
            raise RequestExpiredError(
                f"支付申请已过审批期限 (payment request {self.id} could be approved until "
                f"{self.valid_until.isoformat()}; make a new request)"
            )
        self._trigger(self.Approved, checker.name, day, reason="", payment_id=payment_id)

    def reject(self, checker: Actor, reason: str, day: date) -> None:
        """Refuse the request, saying why."""
        self._require_pending("驳回", "be rejected", day)
        self.require_checker(checker)
        reason = checked(reason, "the reason for the rejection", required=True)
        self._trigger(self.Rejected, checker.name, day, reason=reason)

    def void(self, actor: Actor, reason: str, day: date) -> None:
        """Withdraw the request: its maker, or a user who may check it, saying why."""
        self._require_pending("作废", "be voided", day)
        if actor.name != self.requested_by:
            self._require_level(actor)
        reason = checked(reason, "the reason for voiding", required=True)
        self._trigger(self.Voided, actor.name, day, reason=reason)

    def expire(self, actor: str, day: date) -> None:
        """Record that the request ran out on ``day``, after ``valid_until``."""
        self._require_pending("过期", "expire", day)
        if not self.is_overdue(day):
            raise RequestStillValidError(
                f"支付申请尚未过期 (payment request {self.id} may be approved until "
                f"{self.valid_until.isoformat()})"
            )
        why = f"过期 (not decided by {self.valid_until.isoformat()})"
        self._trigger(self.Expired, actor, day, reason=why)


def request_payment(
    request_id: UUID,
    fund: Fund,
    case: Case,
    kind: AssistanceType,
    amount_fen: int,
    reference: str,
    thresholds: Thresholds,
    case_levels: Sequence[CentreLevel],
    actor: str,
    day: date,
) -> PaymentRequest:
    """A request to pay an open case from a fund of its tree; the fund reserves the amount
    (refusing a wrong purpose or more than its available balance)."""
    if not case.is_open:
        raise CaseClosedError(f"case {case.id} is closed; no payment is requested for it")
    if day < case.filed_on:
        raise PaymentOutsideCaseError(
            f"支付日期不得早于建档日期 (case {case.id} was filed on {case.filed_on.isoformat()}, "
            f"after {day.isoformat()})"
        )
    level, approvers = escalation(
        amount_fen, thresholds, case.centre_path, case_levels, fund.centre_path
    )
    fund.reserve(request_id, case.id, kind, amount_fen, actor, day)
    return PaymentRequest(
        id=request_id,
        fund_id=fund.id,
        case_id=case.id,
        centre_id=case.centre_id,
        centre_path=case.centre_path,
        assistance_type=kind.value,
        amount_fen=amount_fen,
        reference=checked(reference, "the reference"),
        level=level.value,
        approver_path=approvers,
        valid_until=day + timedelta(days=thresholds.expiry_days),
        approval_above_fen=thresholds.approval_above_fen,
        parent_above_fen=thresholds.parent_above_fen,
        province_above_fen=thresholds.province_above_fen,
        actor=actor,
        business_date=day,
    )
