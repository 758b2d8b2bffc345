"""Campaigns (两节送温暖, 金秋助学, 夏送清凉, 春风行动): open one, visit and pay its households,
record why one was not reached, close it; read one.

Who: finance staff open and close a campaign at their centre and pay from its funds; a
caseworker visits and records exceptions for the households they manage. The households not
reached when closing come from the read model's roster (projections/campaigns.py), which the
caller reads caught up to the log's head.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from dataclasses import replace
from datetime import date
from uuid import UUID, uuid4

from domain.access import Actor, Permission
from domain.campaign_terms import Excuse, Plan, campaign_payment_id
from domain.campaigns import Campaign, open_campaign
from domain.cases import Case, Goods
from domain.centres import Centre
from domain.errors import (
    CampaignNotFoundError,
    CaseNotFoundError,
    CentreNotFoundError,
    ForbiddenError,
)
from domain.payments import Payment, PaymentLinks
from domain.policy_parameters import Parameter, SchoolLevel
from domain.results import CaseEntry, Created
from domain.use_cases.cases import CaseUseCases
from domain.use_cases.money import MoneyUseCases
from domain.use_cases.policy import PolicyUseCases
from domain.vocabulary import AssistanceType, CampaignKind, VisitKind
from domain.writes import Change, Context, Outcome


class CampaignUseCases(MoneyUseCases, CaseUseCases, PolicyUseCases):
    """A centre's campaigns: each write one atomic save of what it touches."""

    def open_campaign(
        self,
        ctx: Context,
        centre_id: UUID,
        plan: Plan,
        fund_ids: Sequence[UUID],
        business_date: date | None = None,
    ) -> Outcome[Created]:
        """Open a campaign at a centre; for 金秋助学 the standards missing default to local
        policy in force at the centre on the first day (per school level), under the cap."""
        day = self._day(business_date)
        for bound in plan.window:
            self._day(bound)
        campaign_id = uuid4()

        def change() -> Change[Created]:
            centre = self._get(Centre, centre_id, CentreNotFoundError)
            ctx.actor.require(Permission.RECORD_MONEY, centre.path)
            funds = [self.fund(ctx.actor, f, Permission.RECORD_MONEY) for f in fund_ids]
            planned = self._with_standards(centre, plan)
            campaign = open_campaign(campaign_id, centre, planned, funds, ctx.actor.name, day)
            return Change(Created(campaign.id), [campaign])

        return self._write(ctx, change, centre_id, *fund_ids)

    def _with_standards(self, centre: Centre, plan: Plan) -> Plan:
        """The plan; for 金秋助学, each school level's standard from local policy where none is
        given, and the cap of education aid in force on the first day."""
        if CampaignKind(plan.kind) is not CampaignKind.GOLDEN_AUTUMN_EDUCATION:
            return plan
        book, on = self.policy_book(centre.path), plan.window[0]
        path = [str(c) for c in centre.path]
        cap = book.value(Parameter.EDUCATION_AID_CAP, None, path, on)
        fixed = dict(plan.standards)
        for level in SchoolLevel:
            found = book.value(Parameter.GOLDEN_AUTUMN_AMOUNT, level.value, path, on)
            if level.value not in fixed and found is not None:
                fixed[level.value] = min(found, cap) if cap is not None else found
        return replace(plan, standards=fixed, cap_fen=cap)

    def campaign_visit(
        self,
        ctx: Context,
        campaign_id: UUID,
        case_id: UUID,
        visitors: list[str],
        notes: str = "",
        goods: Sequence[Goods] = (),
        business_date: date | None = None,
    ) -> Outcome[CaseEntry]:
        """A visit (走访慰问) to a household of the campaign's subtree, within its window, while
        it is open; answers the visit's id and the case's."""
        day = self._day(business_date)

        def change() -> Change[CaseEntry]:
            campaign = self._get(Campaign, campaign_id, CampaignNotFoundError)
            case = self._managed_case(ctx, case_id)
            campaign.require_reach(case, day, "take visits")
            visit_id = uuid4()
            case.record_visit(
                visit_id, visitors, VisitKind.CAMPAIGN, campaign.kind, notes, list(goods),
                ctx.actor.name, day, campaign_id=campaign.id,
            )  # fmt: skip
            return Change(CaseEntry(visit_id, case.id), [case])

        return self._write(ctx, change, campaign_id, case_id)

    def campaign_payment(
        self,
        ctx: Context,
        campaign_id: UUID,
        case_id: UUID,
        fund_id: UUID,
        amount_fen: int | None = None,
        business_date: date | None = None,
        *,
        school_level: SchoolLevel | None = None,
        assistance_type: AssistanceType | None = None,
        goods: str | None = None,
        reference: str = "",
    ) -> Outcome[Created]:
        """Pay a household of the campaign (cash, or goods valued at the amount) from one of
        its funds, within its window and budget, at most its standard (the standard when no
        amount is given); answers the payment's id."""
        day = self._day(business_date)

        def change() -> Change[Created]:
            campaign = self._get(Campaign, campaign_id, CampaignNotFoundError)
            fund = self.fund(ctx.actor, fund_id, Permission.RECORD_MONEY)
            case = self._get(Case, case_id, CaseNotFoundError)
            kind = campaign.assistance_type(assistance_type)
            fen = campaign.amount_for(case, school_level, amount_fen)
            if not campaign.has_room(fen):
                self._credit_reversals(ctx.actor, campaign, day)
            payment_id = campaign_payment_id(campaign.id, campaign.payments + 1)
            campaign.charge(payment_id, case, fund.id, fen, ctx.actor.name, day)
            links = PaymentLinks(campaign_id=campaign.id, goods=goods)
            paid = self._payment(
                ctx, fund, case.id, kind, fen, reference or campaign.name, day,
                payment_id=payment_id, links=links,
            )  # fmt: skip
            paid.aggregates.append(campaign)
            return paid

        return self._write(ctx, change, campaign_id, fund_id, case_id)

    def _credit_reversals(self, actor: Actor, campaign: Campaign, day: date) -> None:
        """Give the campaign's reversed payments back to its budget (looked for only when the
        budget seems spent: a reversal is recorded on the payment, not on the campaign)."""
        for number in range(1, campaign.payments + 1):
            payment = self._find(Payment, campaign_payment_id(campaign.id, number))
            if payment is not None:
                campaign.credit_reversal(payment, actor.name, day)

    def note_campaign_exception(
        self,
        ctx: Context,
        campaign_id: UUID,
        case_id: UUID,
        excuse: Excuse,
        business_date: date | None = None,
    ) -> Outcome[CaseEntry]:
        """Record why a household of the campaign is not reached (refused help, moved away,
        unreachable ...); answers the campaign's id and the case's."""
        day = self._day(business_date)

        def change() -> Change[CaseEntry]:
            campaign = self._get(Campaign, campaign_id, CampaignNotFoundError)
            case = self._managed_case(ctx, case_id)
            campaign.note_exception(case, excuse, ctx.actor.name, day)
            return Change(CaseEntry(campaign.id, case.id), [campaign])

        return self._write(ctx, change, campaign_id, case_id)

    def close_campaign(
        self,
        ctx: Context,
        campaign_id: UUID,
        unreached: Collection[UUID],
        reasons: Mapping[UUID, Excuse] | None = None,
        note: str = "",
        business_date: date | None = None,
    ) -> Outcome[Created]:
        """Close a campaign: ``unreached`` are the roster's households neither visited nor
        paid (as the campaigns view has them); each needs a reason recorded before or given
        in ``reasons``, else the close is refused, naming how many lack one."""
        day = self._day(business_date)

        def change() -> Change[Created]:
            campaign = self.campaign(ctx.actor, campaign_id, Permission.RECORD_MONEY)
            campaign.close(list(unreached), reasons or {}, note, ctx.actor.name, day)
            return Change(Created(campaign.id), [campaign])

        return self._write(ctx, change, campaign_id)

    # --- reads -----------------------------------------------------------------------------------
    def campaign(
        self, actor: Actor, campaign_id: UUID, may: Permission = Permission.READ
    ) -> Campaign:
        """The campaign, once the actor holds ``may`` at its centre; a reader bound to a
        centre below it also reads it (their households are in its subtree)."""
        campaign = self._get(Campaign, campaign_id, CampaignNotFoundError)
        bound = actor.centre_id
        if may is Permission.READ and bound is not None and bound not in campaign.centre_path:
            actor.require(may)
            if campaign.centre_id not in self._get(Centre, bound, CentreNotFoundError).path:
                raise ForbiddenError(
                    f"user {actor.name!r} acts only within centre {actor.centre_id} and below"
                )
            return campaign
        actor.require(may, campaign.centre_path)
        return campaign
