"""Campaigns (两节送温暖, 金秋助学, 夏送清凉, 春风行动): a centre's round of visits and payments
to every archived household of its subtree (走访慰问不漏一户), within a window and a budget.

The campaign holds what it was opened with (kind, window, subtree, funds, budget, standards),
the reasons recorded for households it could not reach, and the budget its payments used: each
payment linked to it is charged here in the same save as the payment, so the budget is never
overspent, even by payments decided at once. A reversed payment gives its amount back when the
budget would otherwise run out (``credit_reversal``). Its roster (every active household of the
subtree at opening, and those filed while it runs) is the read model's (projections/campaigns.py).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date
from typing import TYPE_CHECKING, ClassVar
from uuid import UUID

from eventsourcing.domain import event

from domain.aggregate import Act, LedgerAggregate
from domain.campaign_terms import Excuse, Plan, paid_for
from domain.errors import (
    CampaignBudgetExceededError,
    CampaignClosedError,
    InvalidCampaignError,
    OutsideCampaignError,
    UnreachedWithoutReasonError,
)
from domain.money import require_positive, yuan
from domain.policy_parameters import SchoolLevel
from domain.text import checked, checked_note
from domain.vocabulary import AssistanceType, CampaignKind

if TYPE_CHECKING:
    from domain.cases import Case
    from domain.centres import Centre
    from domain.funds import Fund
    from domain.payments import Payment


class Campaign(LedgerAggregate):
    """One campaign at a centre, for the households of its subtree."""

    class ExceptionNoted(Act):
        """A household not reached (or not to be), with the reason: 谢绝, 迁离, 联系不上 ..."""

        case_id: UUID
        reason: str
        note: str

        def apply(self, campaign: Campaign) -> None:
            campaign.exceptions[str(self.case_id)] = self.reason
            campaign.exception_notes[str(self.case_id)] = self.note

    class Charged(Act):
        """A payment linked to the campaign, counted against its budget."""

        payment_id: UUID
        case_id: UUID
        fund_id: UUID
        amount_fen: int

        def apply(self, campaign: Campaign) -> None:
            campaign.payments += 1
            campaign.charged_fen += self.amount_fen

    class ReversalCredited(Act):
        """A reversed payment of the campaign gives its amount back to the budget."""

        payment_id: UUID
        amount_fen: int

        def apply(self, campaign: Campaign) -> None:
            campaign.credited[str(self.payment_id)] = self.amount_fen
            campaign.credited_fen += self.amount_fen

    class Closed(Act):
        """The campaign ends: no more linked visits or payments; each household not reached
        is listed with its reason (``case_id``, ``reason``, ``note``)."""

        note: str
        unreached: list[dict[str, str]]

        def apply(self, campaign: Campaign) -> None:
            campaign.closed_on = self.business_date
            for row in self.unreached:
                campaign.exceptions[row["case_id"]] = row["reason"]

    Opened: ClassVar[type[LedgerAggregate.Event]]  # made by @event on __init__ below

    @event("Opened")
    def __init__(
        self,
        id: UUID,
        centre_id: UUID,
        centre_path: list[UUID],
        kind: str,
        name: str,
        starts_on: date,
        ends_on: date,
        fund_ids: list[UUID],
        budget_fen: int,
        standards: dict[str, int],
        cap_fen: int | None,
        actor: str,
        business_date: date,
    ) -> None:
        self.centre_id, self.centre_path = centre_id, list(centre_path)
        self.kind_value, self.name = kind, name
        self.starts_on, self.ends_on = starts_on, ends_on
        self.fund_ids, self.budget_fen = list(fund_ids), budget_fen
        self.standards, self.cap_fen = dict(standards), cap_fen
        self.opened_on, self.opened_by = business_date, actor
        self.closed_on: date | None = None
        self.exceptions: dict[str, str] = {}  # case id -> reason
        self.exception_notes: dict[str, str] = {}  # case id -> the note beside its reason
        self.payments = self.charged_fen = self.credited_fen = 0
        self.credited: dict[str, int] = {}  # reversed payment id -> amount given back

    @property
    def kind(self) -> CampaignKind:
        return CampaignKind(self.kind_value)

    @property
    def is_open(self) -> bool:
        return self.closed_on is None

    @property
    def spent_fen(self) -> int:
        """The budget used as the campaign knows it: payments less reversals credited."""
        return self.charged_fen - self.credited_fen

    def has_room(self, amount_fen: int) -> bool:
        return self.spent_fen + amount_fen <= self.budget_fen

    # --- guards ----------------------------------------------------------------------------------
    def require_open(self, doing: str) -> None:
        if self.closed_on is not None:
            raise CampaignClosedError(
                f"campaign {self.name!r} was closed on {self.closed_on.isoformat()}; "
                f"it cannot {doing}"
            )

    def require_in_subtree(self, case: Case) -> None:
        if self.centre_id not in case.centre_path:
            raise OutsideCampaignError(
                f"case {case.id} is not in the subtree of the campaign's centre; "
                f"campaign {self.name!r} reaches only the households at or below it"
            )

    def require_reach(self, case: Case, day: date, doing: str) -> None:
        """An open campaign, a day within its window, a household of its subtree."""
        self.require_open(doing)
        if not self.starts_on <= day <= self.ends_on:
            raise OutsideCampaignError(
                f"{day.isoformat()} is outside the window of campaign {self.name!r} "
                f"({self.starts_on.isoformat()} to {self.ends_on.isoformat()})"
            )
        self.require_in_subtree(case)

    def assistance_type(self, asked: AssistanceType | None) -> AssistanceType:
        return paid_for(self.kind, asked)

    def amount_for(self, case: Case, school_level: SchoolLevel | None, asked: int | None) -> int:
        """The amount of a payment: the one asked, at most the standard for the household's
        category (for 金秋助学, the student's school level, and the cap); the standard when
        none is asked."""
        if self.kind is CampaignKind.GOLDEN_AUTUMN_EDUCATION:
            if school_level is None:
                raise InvalidCampaignError("金秋助学 pays a student: name the school level")
            subject = SchoolLevel(school_level).value
        else:
            subject = case.category
        standard = self.standards.get(subject)
        if asked is None:
            if standard is None:
                raise InvalidCampaignError(f"no standard is set for {subject}: name the amount")
            return standard
        require_positive(asked)
        for limit, what in ((standard, f"the standard for {subject}"), (self.cap_fen, "the cap")):
            if limit is not None and asked > limit:
                raise InvalidCampaignError(
                    f"¥{yuan(asked)} is above {what} of campaign {self.name!r} (¥{yuan(limit)})"
                )
        return asked

    # --- commands --------------------------------------------------------------------------------
    def charge(
        self, payment_id: UUID, case: Case, fund_id: UUID, amount_fen: int, actor: str, day: date
    ) -> None:
        """Count a payment to a household of the campaign against its budget."""
        self.require_reach(case, day, "take payments")
        if fund_id not in self.fund_ids:
            raise InvalidCampaignError(
                f"fund {fund_id} is not one that campaign {self.name!r} draws on"
            )
        if not self.has_room(amount_fen):
            raise CampaignBudgetExceededError(
                f"campaign {self.name!r} has ¥{yuan(self.budget_fen - self.spent_fen)} of its "
                f"budget ¥{yuan(self.budget_fen)} left, less than ¥{yuan(amount_fen)}"
            )
        fields = {"payment_id": payment_id, "case_id": case.id, "fund_id": fund_id}
        self._trigger(self.Charged, actor, day, amount_fen=amount_fen, **fields)

    def credit_reversal(self, payment: Payment, actor: str, day: date) -> None:
        """Give a reversed payment of this campaign back to its budget, once."""
        if payment.campaign_id != self.id or not payment.is_reversed:
            return
        if str(payment.id) not in self.credited:
            amount = payment.amount_fen
            self._trigger(
                self.ReversalCredited, actor, day, payment_id=payment.id, amount_fen=amount
            )

    def note_exception(self, case: Case, excuse: Excuse, actor: str, day: date) -> None:
        """Record why a household of the subtree is not reached (a later one replaces it)."""
        self.require_open("take exceptions")
        self.require_in_subtree(case)
        excuse = excuse.checked()
        self._trigger(
            self.ExceptionNoted, actor, day,
            case_id=case.id, reason=excuse.reason.value, note=excuse.note,
        )  # fmt: skip

    def close(
        self,
        unreached: Sequence[UUID],
        reasons: Mapping[UUID, Excuse],
        note: str,
        actor: str,
        day: date,
    ) -> None:
        """Close the campaign; every household not reached needs its reason, recorded before
        or given now (``reasons``; those for households reached are not kept)."""
        self.require_open("be closed again")
        if day < self.opened_on:
            raise InvalidCampaignError("a campaign closes on or after the day it opened")
        given = {case: excuse.checked() for case, excuse in reasons.items()}
        missing = [c for c in unreached if c not in given and str(c) not in self.exceptions]
        if missing:
            raise UnreachedWithoutReasonError(
                f"{len(missing)} household(s) not reached have no reason recorded "
                f"(first: {', '.join(str(c) for c in missing[:5])}); give a reason for each "
                "before closing the campaign (走访慰问不漏一户)"
            )
        rows = [
            {"case_id": str(c), "reason": given[c].reason.value, "note": given[c].note}
            if c in given
            else {
                "case_id": str(c),
                "reason": self.exceptions[str(c)],
                "note": self.exception_notes.get(str(c), ""),
            }
            for c in dict.fromkeys(unreached)
        ]
        self._trigger(self.Closed, actor, day, note=checked_note(note), unreached=rows)


def open_campaign(
    campaign_id: UUID, centre: Centre, plan: Plan, funds: Sequence[Fund], actor: str, day: date
) -> Campaign:
    """Open a campaign at a centre, drawing on funds at the centre or above it that may pay
    for the campaign's kind, once its plan holds together."""
    plan.check(centre, funds, day)
    return Campaign(
        id=campaign_id,
        centre_id=centre.id,
        centre_path=centre.path,
        kind=CampaignKind(plan.kind).value,
        name=checked(plan.name, "the campaign's name", required=True),
        starts_on=plan.window[0],
        ends_on=plan.window[1],
        fund_ids=[f.id for f in funds],
        budget_fen=plan.budget_fen,
        standards=dict(plan.standards),
        cap_fen=plan.cap_fen,
        actor=actor,
        business_date=day,
    )
