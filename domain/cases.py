"""Hardship archives (困难职工档案), one per household: assessment, visits, assistance, closure."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import Any
from uuid import UUID

from domain.aggregate import Act, LedgerAggregate
from domain.case_closures import CaseClosures, Closing, Reopening
from domain.case_dates import PaymentDates
from domain.errors import InvalidHouseholdError
from domain.household_changes import HouseholdChanges, MemberGoing, MemberJoining, Transfer

# the household's parts, re-exported: the use cases and the API import them from here
from domain.households import Assessment as Assessment
from domain.households import Goods as Goods
from domain.households import Person as Person
from domain.money import MAX_FUND_TOTAL_FEN, MAX_MOVEMENT_FEN, require_positive
from domain.payments import PaymentReversalNoted, reversal_noted
from domain.text import checked, checked_note
from domain.vocabulary import CampaignKind, CaseStatus, VisitKind


class Assessed(Act):
    """What an assessment records: a filing and each review carry it."""

    category: str
    primary_cause: str
    secondary_causes: list[str]
    household_size: int
    income_fen: int
    flags: list[str]

    def apply(self, case: Case) -> None:
        case._assessed(self)


class Case(PaymentDates, HouseholdChanges, CaseClosures, LedgerAggregate):
    """One household's archive; payments and visits are refused once it is closed, and a
    payment is never dated before the filing nor inside a time the archive was closed."""

    class_version = 2  # v2: the spans of business dates the archive was closed (upcast_v1_v2)

    class Registered(LedgerAggregate.Created, Assessed):  # 建档: the household is filed
        centre_id: UUID
        centre_path: list[UUID]
        person_sealed: str
        person_ref: str
        application_id: UUID | None = None  # the application filed (None: filed directly)
        member_refs: Sequence[str] = ()  # the members' index refs, by number from 1 ("": none)

    class Reassessed(Assessed):  # 复核: an annual or ad-hoc review (动态管理)
        reassessment_id: UUID
        note: str
        # a review's incomes, the line and the category they gave, any override and its reason
        # (domain/use_cases/review.py); None on a plain reassessment and on older events
        review: dict[str, Any] | None = None

    class Visited(Act):  # 走访: a home visit, with any goods given in kind
        visit_id: UUID
        visitors: list[str]
        kind: str
        campaign: str | None
        notes: str
        goods: list[dict[str, Any]]
        campaign_id: UUID | None = None  # the campaign visited for, when it has one

        def apply(self, case: Case) -> None:
            case.visits += 1
            if case.last_visit_on is None or self.business_date > case.last_visit_on:
                case.last_visit_on = self.business_date

    class AssistanceReceived(Act):  # the household's side of a payment
        payment_id: UUID
        fund_id: UUID
        assistance_type: str
        amount_fen: int

        def apply(self, case: Case) -> None:
            case.received_fen += self.amount_fen

    class AssistanceReversed(PaymentReversalNoted):  # the household's side of a reversal
        def apply(self, case: Case) -> None:
            case.reversed_fen += self.amount_fen

    class Closed(Closing):  # 结档
        pass

    class Reopened(Reopening):  # 返困 (class_version 2: docs/event-versioning.md)
        pass

    class MemberJoined(MemberJoining):  # 家庭成员增加
        pass

    class MemberLeft(MemberGoing):  # 家庭成员减少: the note says why
        pass

    class MemberDied(MemberGoing):  # 家庭成员死亡
        pass

    class Transferred(Transfer):  # 转档
        pass

    class PersonalDataErased(Act):  # the household's key was destroyed
        reason: str

        def apply(self, case: Case) -> None:
            case.personal_data_erased = True

    def __init__(
        self,
        centre_id: UUID,
        centre_path: list[UUID],
        person_sealed: str,
        person_ref: str,
        business_date: date,
        application_id: UUID | None = None,
        member_refs: Sequence[str] = (),
    ) -> None:
        self.centre_id = centre_id
        self.centre_path = list(centre_path)
        self.person_sealed = person_sealed  # ciphertext under the household's own key
        self.person_ref = person_ref  # a keyed hash of the ID number (一人一档 index)
        self.personal_data_erased = False
        self.status_value = CaseStatus.ACTIVE.value
        self.closure_reason: str | None = None
        self.filed_on = business_date
        self.closed_spans: list[list[date | None]] | None = []  # [closed on, reopened on]
        self.received_fen = self.reversed_fen = self.visits = 0
        self.last_visit_on: date | None = None
        self.application_id = application_id
        self.members = {str(n): ref for n, ref in enumerate(member_refs, start=1)}
        self.members_ever = len(member_refs)

    def _assessed(self, assessment: Assessed) -> None:  # Registered's, then each Reassessed's
        self.category = assessment.category
        self.primary_cause = assessment.primary_cause
        self.secondary_causes = list(assessment.secondary_causes)
        self.household_size = assessment.household_size
        self.income_fen = assessment.income_fen
        self.flags = list(assessment.flags)

    @classmethod
    def register(
        cls,
        case_id: UUID,
        centre_path: list[UUID],
        assessment: Assessment,
        person_sealed: str,
        person_ref: str,
        actor: str,
        business_date: date,
        application_id: UUID | None = None,
        member_refs: Sequence[str] = (),
    ) -> Case:
        """File a household in the archive (建档); its personal data arrives sealed."""
        return cls._create(
            cls.Registered,
            id=case_id,
            centre_id=centre_path[-1],
            centre_path=centre_path,
            actor=actor,
            business_date=business_date,
            person_sealed=person_sealed,
            person_ref=person_ref,
            **assessment.as_event_fields(),
            application_id=application_id,
            member_refs=list(member_refs),
        )

    # --- commands ----------------------------------------------------------------------------
    def reassess(
        self,
        reassessment_id: UUID,
        assessment: Assessment,
        note: str,
        actor: str,
        business_date: date,
        review: dict[str, Any] | None = None,
    ) -> None:
        """Record an annual or ad-hoc review (动态管理), with a review's figures if given."""
        self._require_open("be reassessed")
        self._trigger(
            self.Reassessed,
            actor,
            business_date,
            reassessment_id=reassessment_id,
            note=checked_note(note),
            review=review,
            **assessment.as_event_fields(),
        )

    def record_visit(
        self,
        visit_id: UUID,
        visitors: list[str],
        kind: VisitKind,
        campaign: CampaignKind | None,
        notes: str,
        goods: list[Goods],
        actor: str,
        business_date: date,
        campaign_id: UUID | None = None,
    ) -> None:
        """Record a home visit (走访), with any goods given in kind."""
        self._require_open("be visited")
        visitors = [checked(v, "a visitor's name") for v in visitors]
        if not [v for v in visitors if v]:
            raise InvalidHouseholdError("a visit needs at least one visitor's name")
        if len(visitors) > 50 or len(goods) > 100:
            raise InvalidHouseholdError("a visit names at most 50 visitors and 100 goods")
        if kind is VisitKind.CAMPAIGN and campaign is None:
            raise InvalidHouseholdError("a campaign visit must name its campaign")
        if kind is VisitKind.ROUTINE and campaign is not None:
            raise InvalidHouseholdError("a routine visit names no campaign")
        if any(
            not 0 <= g.value_fen <= MAX_MOVEMENT_FEN or not checked(g.item, "an item given")
            for g in goods
        ):
            raise InvalidHouseholdError("goods need a description and a value of zero or more")
        self._trigger(
            self.Visited,
            actor,
            business_date,
            visit_id=visit_id,
            visitors=[v for v in visitors if v],
            kind=kind.value,
            campaign=campaign.value if campaign else None,
            notes=checked_note(notes, "the visit's notes"),
            goods=[{"item": g.item.strip(), "value_fen": g.value_fen} for g in goods],
            campaign_id=campaign_id,
        )

    def receive_assistance(
        self,
        payment_id: UUID,
        fund_id: UUID,
        assistance_type: str,
        amount_fen: int,
        actor: str,
        business_date: date,
    ) -> None:
        """Note a payment made to the household; a closed archive takes none."""
        require_positive(amount_fen)
        self._require_open("receive payments")
        self._require_payable_on(business_date)
        if self.received_fen + amount_fen > MAX_FUND_TOTAL_FEN:
            raise InvalidHouseholdError("this archive has received as much as one may record")
        paid = {"payment_id": payment_id, "fund_id": fund_id, "amount_fen": amount_fen}
        self._trigger(
            self.AssistanceReceived, actor, business_date, assistance_type=assistance_type, **paid
        )

    def note_reversal(
        self,
        payment_id: UUID,
        reversal_id: UUID,
        amount_fen: int,
        reason: str,
        actor: str,
        business_date: date,
    ) -> None:
        """Show that an earlier payment was reversed (the payment itself stays on record)."""
        noted = reversal_noted(payment_id, reversal_id, amount_fen, reason)
        self._trigger(self.AssistanceReversed, actor, business_date, **noted)

    def note_erasure(self, reason: str, actor: str, business_date: date) -> None:
        """Record that the household's key was destroyed (its personal data is unreadable)."""
        reason = checked(reason, "the reason for erasure", required=True)
        if not self.personal_data_erased:
            self._trigger(self.PersonalDataErased, actor, business_date, reason=reason)
