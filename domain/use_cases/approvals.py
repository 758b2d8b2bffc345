"""Maker-checker (支付审批): request a payment (the fund reserves it), approve it (the money
moves), reject or void it, expire the overdue ones (each reservation released); read one.

Finance staff who may record money at the fund's centre make a request; a checker who is not
its maker and holds APPROVE_PAYMENTS at the centre the request escalated to (or above) decides
it. Every step is its own atomic write of the request and its fund (and, approved, the case and
the payment), in the name of the user who took it."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import date
from uuid import UUID, uuid4

from domain.access import Actor, Permission
from domain.cases import Case
from domain.centres import Centre
from domain.errors import (
    CentreNotFoundError,
    FundNotFoundError,
    PaymentRequestNotFoundError,
    RequestDecidedError,
    RequestStillValidError,
)
from domain.funds import Fund
from domain.payment_requests import PaymentRequest, Thresholds, request_payment
from domain.payments import PaymentLinks
from domain.policy_parameters import Parameter
from domain.results import Created
from domain.use_cases.money import MoneyUseCases
from domain.use_cases.policy import PolicyUseCases
from domain.vocabulary import AssistanceType
from domain.writes import Change, Context, Outcome


class ApprovalUseCases(MoneyUseCases, PolicyUseCases):
    """Payment requests and their checkers. Each write answers the request's id, except an
    approval, which answers the payment's."""

    def request_payment(
        self,
        ctx: Context,
        fund_id: UUID,
        case_id: UUID,
        assistance_type: AssistanceType,
        amount_fen: int,
        reference: str = "",
        business_date: date | None = None,
    ) -> Outcome[Created]:
        """Ask for a payment to a case of the fund's tree: the fund reserves the amount, and
        the request waits for its checker (at the level the policy in force escalates it to)."""
        day, request_id = self._day(business_date), uuid4()

        def change() -> Change[Created]:
            fund = self.fund(ctx.actor, fund_id, Permission.RECORD_MONEY)
            case = self._case_in_tree(fund, case_id)
            levels = [self._get(Centre, c, CentreNotFoundError).level for c in case.centre_path]
            request = request_payment(
                request_id,
                fund,
                case,
                AssistanceType(assistance_type),
                amount_fen,
                reference,
                self._thresholds(case, AssistanceType(assistance_type), day),
                levels,
                ctx.actor.name,
                day,
            )
            return Change(Created(request.id), [request, fund])

        return self._write(ctx, change, fund_id, case_id)

    def _thresholds(self, case: Case, kind: AssistanceType, day: date) -> Thresholds:
        """The approval policy in force at the case's centre on the request's day."""
        path = [str(c) for c in case.centre_path]
        book = self.policy_book(case.centre_path)

        def value(param: Parameter, subject: str | None = None) -> int | None:
            return book.value(param, subject, path, day)

        return Thresholds(
            approval_above_fen=value(Parameter.APPROVAL_ABOVE),
            parent_above_fen=value(Parameter.ESCALATE_TO_PARENT_ABOVE),
            province_above_fen=value(Parameter.ESCALATE_TO_PROVINCE_ABOVE, kind.value),
            expiry_days=value(Parameter.REQUEST_EXPIRY_DAYS) or 30,  # its built-in default
        )

    def approve_payment_request(
        self, ctx: Context, request_id: UUID, business_date: date | None = None
    ) -> Outcome[Created]:
        """Approve a pending request that has not run out: the payment is made from the
        reservation, naming the request; answers the payment's id."""
        day = self._day(business_date)

        def change() -> Change[Created]:
            request = self._get(PaymentRequest, request_id, PaymentRequestNotFoundError)
            request.require_checker(ctx.actor)  # a clear refusal before anything is loaded
            fund = self._get(Fund, request.fund_id, FundNotFoundError)
            payment_id = uuid4()
            request.approve(ctx.actor, payment_id, day, self.today())
            paid = self._payment(
                ctx,
                fund,
                request.case_id,
                AssistanceType(request.assistance_type),
                request.amount_fen,
                request.reference,
                day,
                payment_id=payment_id,
                links=PaymentLinks(request_id=request.id),
            )
            return Change(paid.result, [request, *paid.aggregates])

        return self._write(ctx, change, request_id)

    def reject_payment_request(
        self, ctx: Context, request_id: UUID, reason: str, business_date: date | None = None
    ) -> Outcome[Created]:
        """Refuse a pending request, saying why; its reservation is released."""

        def reject(request: PaymentRequest, day: date) -> None:
            request.reject(ctx.actor, reason, day)

        return self._end(ctx, request_id, self._day(business_date), reject)

    def void_payment_request(
        self, ctx: Context, request_id: UUID, reason: str, business_date: date | None = None
    ) -> Outcome[Created]:
        """Withdraw a pending request (its maker, or a user who may check it), saying why;
        its reservation is released."""

        def void(request: PaymentRequest, day: date) -> None:
            request.void(ctx.actor, reason, day)

        return self._end(ctx, request_id, self._day(business_date), void)

    def expire_payment_requests(self, ctx: Context, request_ids: Iterable[UUID]) -> list[UUID]:
        """Record as expired today each of the requests (the overdue ones, as a view lists
        them) still pending and past its last day, each in its own write, releasing its
        reservation; answers those it expired (one decided meanwhile is passed over)."""

        def expire(request: PaymentRequest, day: date) -> None:
            ctx.actor.require(Permission.APPROVE_PAYMENTS, request.centre_path)
            request.expire(ctx.actor.name, day)

        expired = []
        for request_id in request_ids:
            try:
                self._end(ctx, request_id, self.today(), expire)
            except (RequestDecidedError, RequestStillValidError):
                continue
            expired.append(request_id)
        return expired

    def _end(
        self,
        ctx: Context,
        request_id: UUID,
        day: date,
        act: Callable[[PaymentRequest, date], None],
    ) -> Outcome[Created]:
        """End a pending request on ``day`` by ``act`` (which checks who may) and release its
        reservation on the fund, in one write; answers the request's id."""

        def change() -> Change[Created]:
            request = self._get(PaymentRequest, request_id, PaymentRequestNotFoundError)
            fund = self._get(Fund, request.fund_id, FundNotFoundError)
            act(request, day)
            fund.release(request.id, request.reason, ctx.actor.name, day)
            return Change(Created(request.id), [request, fund])

        return self._write(ctx, change, request_id)

    # --- reads -----------------------------------------------------------------------------------
    def payment_request(self, actor: Actor, request_id: UUID) -> PaymentRequest:
        """The request, once the actor may read at its case's centre (as it was requested)."""
        request = self._get(PaymentRequest, request_id, PaymentRequestNotFoundError)
        actor.require(Permission.READ, request.centre_path)
        return request
