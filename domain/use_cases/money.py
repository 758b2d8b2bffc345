"""Funds and payments: receipts, allocations down the tree, returns, payments and reversals."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import date
from uuid import UUID, uuid4

from eventsourcing.domain import AggregateEvent

from domain.access import Actor, Permission
from domain.cases import Case
from domain.centres import Centre
from domain.errors import (
    ApprovalRequiredError,
    CaseNotFoundError,
    CaseOutsideFundTreeError,
    CentreNotFoundError,
    FundNotFoundError,
    NotAChildCentreError,
    PaymentNotFoundError,
)
from domain.funds import Fund, child_fund_id
from domain.money import yuan
from domain.payments import NO_LINKS, Payment, PaymentLinks, pay
from domain.policy_parameters import Parameter
from domain.results import Allocation, Created, Movement, Payer, Reversal
from domain.use_cases.policy import PolicyUseCases
from domain.vocabulary import (
    AssistanceType,
    FundSource,
)
from domain.writes import Change, Context, Outcome, R


class MoneyUseCases(PolicyUseCases):
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
        def change(fund: Fund, day: date) -> Change[Movement]:
            movement_id = uuid4()
            fund.receive(movement_id, amount_fen, payer, reference, ctx.actor.name, day)
            return Change(Movement(movement_id, fund.id), [fund])

        return self._on_fund(ctx, fund_id, business_date, change)

    def allocate(
        self,
        ctx: Context,
        fund_id: UUID,
        to_centre_id: UUID,
        amount_fen: int,
        reference: str,
        business_date: date,
    ) -> Outcome[Allocation]:
        def change(fund: Fund, day: date) -> Change[Allocation]:
            centre = self._child_centre(fund, to_centre_id)
            child = self._find(Fund, child_fund_id(fund.id, centre.id)) or Fund.open(
                centre.path,
                fund.name,
                fund.source,
                fund.fiscal_year,
                fund.purposes,
                ctx.actor.name,
                day,
                parent_fund_id=fund.id,
            )
            movement_id = uuid4()
            fund.allocate_to(child, movement_id, amount_fen, reference, ctx.actor.name, day)
            return Change(Allocation(child.id, movement_id), [fund, child])

        child_id = child_fund_id(fund_id, to_centre_id)
        return self._on_fund(ctx, fund_id, business_date, change, to_centre_id, child_id)

    def return_funds(
        self, ctx: Context, fund_id: UUID, amount_fen: int, reference: str, business_date: date
    ) -> Outcome[Movement]:
        def change(fund: Fund, day: date) -> Change[Movement]:
            parent = (
                self._get(Fund, fund.parent_fund_id, FundNotFoundError)
                if fund.parent_fund_id
                else None
            )
            movement_id = uuid4()
            fund.return_up(parent, movement_id, amount_fen, reference, ctx.actor.name, day)
            return Change(Movement(movement_id, fund.id), [fund, parent] if parent else [fund])

        return self._on_fund(ctx, fund_id, business_date, change)

    def _on_fund(
        self,
        ctx: Context,
        fund_id: UUID,
        business_date: date | None,
        act: Callable[[Fund, date], Change[R]],
        *touches: UUID,
    ) -> Outcome[R]:
        """A write that moves a fund's money, by a user who may record money at the fund's
        centre, on the business date given (checked before the write queues; today if none);
        ``touches``: the other aggregates it may change, loaded ahead."""
        day = self._day(business_date)

        def change() -> Change[R]:
            return act(self.fund(ctx.actor, fund_id, Permission.RECORD_MONEY), day)

        return self._write(ctx, change, fund_id, *touches)

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

    def fund(self, actor: Actor, fund_id: UUID, may: Permission = Permission.READ) -> Fund:
        """The fund, once the actor holds ``may`` (reading, unless told) at its centre."""
        fund = self._get(Fund, fund_id, FundNotFoundError)
        actor.require(may, fund.centre_path)
        return fund

    def payer(self, fund_id: UUID) -> Payer | None:
        """Which fund and centre a payment came from, by name, for the timeline of a case the
        reader may see (names of funds and centres are not personal data)."""
        fund = self._find(Fund, fund_id)
        centre = self._find(Centre, fund.centre_id) if fund else None
        if fund is None or centre is None:
            return None
        return Payer(fund.id, fund.name, centre.id, centre.name)

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
        links: PaymentLinks = NO_LINKS,
    ) -> Outcome[Created]:
        def change(fund: Fund, day: date) -> Change[Created]:
            done = self._payment(
                ctx, fund, case_id, assistance_type, amount_fen, reference, day, links=links
            )  # every rule of a payment first (a refusal undoes the command's changes) ...
            if links == NO_LINKS:  # ... then: paid by one person only up to the threshold
                self._require_no_checker(self._case_in_tree(fund, case_id), amount_fen, day)
            return done

        return self._on_fund(ctx, fund_id, business_date, change, case_id)

    def _require_no_checker(self, case: Case, amount_fen: int, day: date) -> None:
        """A payment above APPROVAL_ABOVE in force at the household's centre that day goes through
        a payment request and its checker (审批), never straight from one person's hands."""
        above = self.policy_value(case.centre_id, Parameter.APPROVAL_ABOVE, None, day)
        if above is not None and amount_fen > above:
            raise ApprovalRequiredError(
                f"支付超过{yuan(above)}元须审批: a payment above {yuan(above)} yuan needs a "
                "checker; file a payment request (POST /payment-requests) for another to approve"
            )

    def _payment(
        self,
        ctx: Context,
        fund: Fund,
        case_id: UUID,
        kind: AssistanceType,
        amount_fen: int,
        reference: str,
        day: date,
        *,
        payment_id: UUID | None = None,
        links: PaymentLinks = NO_LINKS,
    ) -> Change[Created]:
        """One payment from a fund already loaded (inside a write's change): the case in the
        fund's tree is credited, the fund debited, the payment recorded, every rule checked."""
        case = self._case_in_tree(fund, case_id)
        payment = pay(
            fund,
            case,
            payment_id or uuid4(),
            kind,
            amount_fen,
            reference,
            ctx.actor.name,
            day,
            links,
        )
        return Change(Created(payment.id), [fund, case, payment])

    def reverse_payment(
        self, ctx: Context, payment_id: UUID, reason: str, business_date: date | None = None
    ) -> Outcome[Reversal]:
        business_date = self._day(business_date)

        def change() -> Change[Reversal]:
            payment = self._get(Payment, payment_id, PaymentNotFoundError)
            fund = self.fund(ctx.actor, payment.fund_id, Permission.RECORD_MONEY)
            case = self._get(Case, payment.case_id, CaseNotFoundError)
            reversal_id = uuid4()
            payment.reverse(reversal_id, reason, ctx.actor.name, business_date)
            # the fund that paid and the household paid each note the reversal, alike
            noted = (payment.id, reversal_id, payment.amount_fen, reason.strip())
            fund.take_back(*noted, ctx.actor.name, business_date)
            case.note_reversal(*noted, ctx.actor.name, business_date)
            return Change(Reversal(reversal_id, payment.id), [payment, fund, case])

        return self._write(ctx, change, payment_id)

    def payment(self, actor: Actor, payment_id: UUID) -> Payment:
        payment = self._get(Payment, payment_id, PaymentNotFoundError)
        actor.require(Permission.READ, payment.centre_path)
        return payment
