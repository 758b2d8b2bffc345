"""Funds and payments: receipts, allocations down the tree, returns, payments and reversals."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from uuid import UUID, uuid4

from eventsourcing.domain import AggregateEvent

from domain.access import Actor, Permission
from domain.cases import Case
from domain.centres import Centre
from domain.errors import (
    CaseNotFoundError,
    CaseOutsideFundTreeError,
    CentreNotFoundError,
    FundNotFoundError,
    NotAChildCentreError,
    PaymentNotFoundError,
)
from domain.funds import Fund, child_fund_id
from domain.payments import Payment, pay
from domain.results import Allocation, Created, Movement, Reversal
from domain.vocabulary import (
    AssistanceType,
    FundSource,
)
from domain.writes import Change, Context, LedgerCore, Outcome


class MoneyUseCases(LedgerCore):
    """Every movement of money, each one atomic save of the aggregates it touches."""

    # --- funds ----------------------------------------------------------------------------------
    def open_fund(
        self,
        ctx: Context,
        centre_id: UUID,
        name: str,
        source: FundSource,
        fiscal_year: int,
        purposes: list[AssistanceType],
        business_date: date | None = None,
    ) -> Outcome[Created]:
        day = self._day(business_date)

        def change() -> Change[Created]:
            centre = self._get(Centre, centre_id, CentreNotFoundError)
            ctx.actor.require(Permission.RECORD_MONEY, centre.path)
            fund = Fund.open(
                centre.path,
                name,
                source,
                fiscal_year,
                purposes,
                ctx.actor.name,
                day,
            )
            return Change(Created(fund.id), [fund])

        return self._write(ctx, change, centre_id)

    def receive(
        self,
        ctx: Context,
        fund_id: UUID,
        amount_fen: int,
        payer: str,
        reference: str,
        business_date: date,
    ) -> Outcome[Movement]:
        business_date = self._day(business_date)

        def change() -> Change[Movement]:
            fund = self._money_fund(ctx, fund_id)
            movement_id = uuid4()
            fund.receive(movement_id, amount_fen, payer, reference, ctx.actor.name, business_date)
            return Change(Movement(movement_id, fund.id), [fund])

        return self._write(ctx, change, fund_id)

    def allocate(
        self,
        ctx: Context,
        fund_id: UUID,
        to_centre_id: UUID,
        amount_fen: int,
        reference: str,
        business_date: date,
    ) -> Outcome[Allocation]:
        business_date = self._day(business_date)

        def change() -> Change[Allocation]:
            fund = self._money_fund(ctx, fund_id)
            centre = self._child_centre(fund, to_centre_id)
            child = self._find(Fund, child_fund_id(fund.id, centre.id)) or Fund.open(
                centre.path,
                fund.name,
                fund.source,
                fund.fiscal_year,
                fund.purposes,
                ctx.actor.name,
                business_date,
                parent_fund_id=fund.id,
            )
            movement_id = uuid4()
            fund.allocate_to(
                child, movement_id, amount_fen, reference, ctx.actor.name, business_date
            )
            return Change(Allocation(child.id, movement_id), [fund, child])

        return self._write(ctx, change, fund_id, to_centre_id, child_fund_id(fund_id, to_centre_id))

    def return_funds(
        self, ctx: Context, fund_id: UUID, amount_fen: int, reference: str, business_date: date
    ) -> Outcome[Movement]:
        business_date = self._day(business_date)

        def change() -> Change[Movement]:
            fund = self._money_fund(ctx, fund_id)
            parent = (
                self._get(Fund, fund.parent_fund_id, FundNotFoundError)
                if fund.parent_fund_id
                else None
            )
            movement_id = uuid4()
            fund.return_up(
                parent, movement_id, amount_fen, reference, ctx.actor.name, business_date
            )
            return Change(
                Movement(movement_id, fund.id),
                [fund, parent] if parent else [fund],
            )

        return self._write(ctx, change, fund_id)

    def _child_centre(self, fund: Fund, centre_id: UUID) -> Centre:
        """A centre directly below the fund's: money moves down one level at a time."""
        centre = self._get(Centre, centre_id, CentreNotFoundError)
        if centre.parent_id != fund.centre_id:
            raise NotAChildCentreError(
                f"centre {centre.name!r} is not a direct child of the fund's centre; "
                "money moves down the tree one level at a time"
            )
        return centre

    def _case_in_tree(self, fund: Fund, case_id: UUID) -> Case:
        """A case at or below the fund's centre: a fund pays only households in its tree."""
        case = self._get(Case, case_id, CaseNotFoundError)
        if fund.centre_id not in case.centre_path:
            raise CaseOutsideFundTreeError(
                f"case {case.id} belongs to a centre outside the fund's centre and its "
                "subtree; a fund pays only households at or below its own centre"
            )
        return case

    def _money_fund(self, ctx: Context, fund_id: UUID) -> Fund:
        fund = self._get(Fund, fund_id, FundNotFoundError)
        ctx.actor.require(Permission.RECORD_MONEY, fund.centre_path)
        return fund

    def fund(self, actor: Actor, fund_id: UUID) -> Fund:
        fund = self._get(Fund, fund_id, FundNotFoundError)
        actor.require(Permission.READ, fund.centre_path)
        return fund

    def fund_events(self, actor: Actor, fund_id: UUID) -> Iterator[AggregateEvent]:
        self.fund(actor, fund_id)
        return self.stream(fund_id)

    # --- payments ------------------------------------------------------------------------------
    def pay(
        self,
        ctx: Context,
        fund_id: UUID,
        case_id: UUID,
        assistance_type: AssistanceType,
        amount_fen: int,
        reference: str,
        business_date: date,
    ) -> Outcome[Created]:
        business_date = self._day(business_date)

        def change() -> Change[Created]:
            fund = self._money_fund(ctx, fund_id)
            case = self._case_in_tree(fund, case_id)
            payment = pay(
                fund,
                case,
                uuid4(),
                assistance_type,
                amount_fen,
                reference,
                ctx.actor.name,
                business_date,
            )
            return Change(Created(payment.id), [fund, case, payment])

        return self._write(ctx, change, fund_id, case_id)

    def reverse_payment(
        self, ctx: Context, payment_id: UUID, reason: str, business_date: date | None = None
    ) -> Outcome[Reversal]:
        business_date = self._day(business_date)

        def change() -> Change[Reversal]:
            payment = self._get(Payment, payment_id, PaymentNotFoundError)
            fund = self._money_fund(ctx, payment.fund_id)
            case = self._get(Case, payment.case_id, CaseNotFoundError)
            reversal_id = uuid4()
            payment.reverse(reversal_id, reason, ctx.actor.name, business_date)
            fund.take_back(
                payment.id,
                reversal_id,
                payment.amount_fen,
                reason.strip(),
                ctx.actor.name,
                business_date,
            )
            case.note_reversal(
                payment.id,
                reversal_id,
                payment.amount_fen,
                reason.strip(),
                ctx.actor.name,
                business_date,
            )
            return Change(Reversal(reversal_id, payment.id), [payment, fund, case])

        return self._write(ctx, change, payment_id)

    def payment(self, actor: Actor, payment_id: UUID) -> Payment:
        payment = self._get(Payment, payment_id, PaymentNotFoundError)
        actor.require(Permission.READ, payment.centre_path)
        return payment
