"""Hardship archives (困难职工档案), one per household: assessment, visits, assistance, closure."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from typing import Any, ClassVar
from uuid import UUID

from eventsourcing.domain import event

from domain.aggregate import LedgerAggregate
from domain.errors import (
    CaseClosedError,
    CaseNotClosedError,
    InvalidHouseholdError,
)
from domain.id_numbers import normalise_id_number
from domain.money import MAX_FUND_TOTAL_FEN, MAX_MOVEMENT_FEN, require_positive
from domain.text import NOTE_MAX, checked, checked_note
from domain.vocabulary import (
    CampaignKind,
    CaseStatus,
    Category,
    Cause,
    ClosureReason,
    HouseholdFlag,
    VisitKind,
)

_PHONE = re.compile(r"^\+?(?=(?:[^0-9]*[0-9]){5})[0-9\- ]{5,20}$")
_CARD = re.compile(r"^[0-9]{12,19}$")
MAX_HOUSEHOLD_SIZE = 30
MAX_MONTHLY_INCOME_FEN = 100_000_000  # ¥1,000,000 a month per head is no hardship case


@dataclass(frozen=True)
class Assessment:
    """What an assessment finds: category, causes, household size, income per head, flags."""

    category: Category
    primary_cause: Cause
    secondary_causes: tuple[Cause, ...]
    household_size: int
    income_fen: int
    flags: tuple[HouseholdFlag, ...]

    def __post_init__(self) -> None:
        if len(self.secondary_causes) > 3:
            raise InvalidHouseholdError("at most three secondary causes may be given")
        if len(set(self.secondary_causes)) != len(self.secondary_causes):
            raise InvalidHouseholdError("a secondary cause is given twice")
        if self.primary_cause in self.secondary_causes:
            raise InvalidHouseholdError("the primary cause cannot also be a secondary cause")
        if not 1 <= self.household_size <= MAX_HOUSEHOLD_SIZE:
            raise InvalidHouseholdError(
                f"household size must be between 1 and {MAX_HOUSEHOLD_SIZE}, "
                f"not {self.household_size}"
            )
        if not 0 <= self.income_fen <= MAX_MONTHLY_INCOME_FEN:
            raise InvalidHouseholdError("per-capita monthly income is out of range")

    def as_event_fields(self) -> dict[str, Any]:
        return {
            "category": self.category.value,
            "primary_cause": self.primary_cause.value,
            "secondary_causes": [c.value for c in self.secondary_causes],
            "household_size": self.household_size,
            "income_fen": self.income_fen,
            "flags": sorted({f.value for f in self.flags}),
        }


@dataclass(frozen=True)
class Person:
    """The worker's personal details: confidential, and stored only sealed (domain/privacy.py)."""

    name: str
    id_number: str
    phone: str
    bank_card: str = ""
    family_members: tuple[dict[str, str], ...] = ()
    health: str = ""

    @classmethod
    def checked(
        cls,
        name: str,
        id_number: str,
        phone: str,
        bank_card: str = "",
        family_members: tuple[dict[str, str], ...] = (),
        health: str = "",
    ) -> Person:
        name = checked(name, "the worker's name", max_length=100)
        if not name:
            raise InvalidHouseholdError("the worker's name is required")
        phone = checked(phone, "the telephone number", max_length=40)
        if phone and not _PHONE.match(phone):
            raise InvalidHouseholdError(f"{phone!r} is not a telephone number")
        bank_card = checked(bank_card, "the bank card number", max_length=40).replace(" ", "")
        if bank_card and not _CARD.match(bank_card):
            raise InvalidHouseholdError("a bank card number has 12 to 19 digits")
        if len(family_members) > MAX_HOUSEHOLD_SIZE:
            raise InvalidHouseholdError(f"at most {MAX_HOUSEHOLD_SIZE} family members")
        members = tuple(
            {
                "name": checked(m.get("name", ""), "a family member's name", max_length=100),
                "relation": checked(m.get("relation", ""), "a family relation", max_length=40),
                "id_number": normalise_id_number(m["id_number"]) if m.get("id_number") else "",
            }
            for m in family_members
        )
        return cls(
            name,
            normalise_id_number(checked(id_number, "the ID number", max_length=40)),
            phone,
            bank_card,
            members,
            checked(health, "the health notes", max_length=NOTE_MAX, multiline=True),
        )

    def as_dict(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "id_number": self.id_number,
            "phone": self.phone,
            "bank_card": self.bank_card,
            "family_members": list(self.family_members),
            "health": self.health,
        }


@dataclass(frozen=True)
class Goods:
    """Goods given in kind during a visit, with their value."""

    item: str
    value_fen: int


class Case(LedgerAggregate):
    """One household's archive; payments and visits are refused once it is closed."""

    # events made by the @event methods below, declared here for type checkers
    Registered: ClassVar[type[LedgerAggregate.Event]]
    Reassessed: ClassVar[type[LedgerAggregate.Event]]
    Visited: ClassVar[type[LedgerAggregate.Event]]
    AssistanceReceived: ClassVar[type[LedgerAggregate.Event]]
    AssistanceReversed: ClassVar[type[LedgerAggregate.Event]]
    Closed: ClassVar[type[LedgerAggregate.Event]]
    Reopened: ClassVar[type[LedgerAggregate.Event]]
    PersonalDataErased: ClassVar[type[LedgerAggregate.Event]]

    @event("Registered")
    def __init__(
        self,
        id: UUID,
        centre_id: UUID,
        centre_path: list[UUID],
        category: str,
        primary_cause: str,
        secondary_causes: list[str],
        household_size: int,
        income_fen: int,
        flags: list[str],
        person_sealed: str,
        person_ref: str,
        actor: str,
        business_date: date,
    ) -> None:
        self.centre_id = centre_id
        self.centre_path = list(centre_path)
        self.person_sealed = person_sealed  # ciphertext under the household's own key
        self.person_ref = person_ref  # a keyed hash of the ID number (一人一档 index)
        self.personal_data_erased = False
        self.status_value = CaseStatus.ACTIVE.value
        self.closure_reason: str | None = None
        self.filed_on = business_date
        self.received_fen = 0
        self.reversed_fen = 0
        self.visits = 0
        self.last_visit_on: date | None = None
        self._assess(category, primary_cause, secondary_causes, household_size, income_fen, flags)

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
    ) -> Case:
        """File a household in the archive (建档); its personal data arrives sealed."""
        return cls(
            id=case_id,
            centre_id=centre_path[-1],
            centre_path=centre_path,
            actor=actor,
            business_date=business_date,
            person_sealed=person_sealed,
            person_ref=person_ref,
            **assessment.as_event_fields(),
        )

    def _assess(
        self,
        category: str,
        primary_cause: str,
        secondary_causes: list[str],
        household_size: int,
        income_fen: int,
        flags: list[str],
    ) -> None:
        self.category = category
        self.primary_cause = primary_cause
        self.secondary_causes = list(secondary_causes)
        self.household_size = household_size
        self.income_fen = income_fen
        self.flags = list(flags)

    @property
    def status(self) -> CaseStatus:
        return CaseStatus(self.status_value)

    @property
    def is_open(self) -> bool:
        return self.status is CaseStatus.ACTIVE

    def _require_open(self, doing: str) -> None:
        if not self.is_open:
            raise CaseClosedError(
                f"case {self.id} was closed ({self.closure_reason}); it cannot {doing}"
            )

    # --- commands ----------------------------------------------------------------------------
    def reassess(
        self,
        reassessment_id: UUID,
        assessment: Assessment,
        note: str,
        actor: str,
        business_date: date,
    ) -> None:
        """Record an annual or ad-hoc review (动态管理)."""
        self._require_open("be reassessed")
        self._reassessed(
            reassessment_id=reassessment_id,
            note=checked_note(note),
            actor=actor,
            business_date=business_date,
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
        self._visited(
            visit_id=visit_id,
            visitors=[v for v in visitors if v],
            kind=kind.value,
            campaign=campaign.value if campaign else None,
            notes=checked_note(notes, "the visit's notes"),
            goods=[{"item": g.item.strip(), "value_fen": g.value_fen} for g in goods],
            actor=actor,
            business_date=business_date,
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
        if self.received_fen + amount_fen > MAX_FUND_TOTAL_FEN:
            raise InvalidHouseholdError("this archive has received as much as one may record")
        self._assistance_received(
            payment_id=payment_id,
            fund_id=fund_id,
            assistance_type=assistance_type,
            amount_fen=amount_fen,
            actor=actor,
            business_date=business_date,
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
        self._assistance_reversed(
            payment_id=payment_id,
            reversal_id=reversal_id,
            amount_fen=amount_fen,
            reason=checked(reason, "the reason", required=True),
            actor=actor,
            business_date=business_date,
        )

    def close(self, reason: ClosureReason, note: str, actor: str, business_date: date) -> None:
        """Close the archive: exited (脱困/解困) or cancelled (退档, death, transfer...)."""
        self._require_open("be closed again")
        note = checked_note(note)
        self._closed(reason=reason.value, note=note, actor=actor, business_date=business_date)

    def reopen(self, note: str, actor: str, business_date: date) -> None:
        """Reopen a closed archive on relapse (返困)."""
        if self.is_open:
            raise CaseNotClosedError(f"case {self.id} is open; only a closed case is reopened")
        self._reopened(note=checked_note(note), actor=actor, business_date=business_date)

    def note_erasure(self, reason: str, actor: str, business_date: date) -> None:
        """Record that the household's key was destroyed (its personal data is unreadable)."""
        reason = checked(reason, "the reason for erasure", required=True)
        if not self.personal_data_erased:
            self._personal_data_erased(reason=reason, actor=actor, business_date=business_date)

    # --- mutators ----------------------------------------------------------------------------
    @event("PersonalDataErased")
    def _personal_data_erased(self, reason: str, actor: str, business_date: date) -> None:
        self.personal_data_erased = True

    @event("Reassessed")
    def _reassessed(
        self,
        reassessment_id: UUID,
        category: str,
        primary_cause: str,
        secondary_causes: list[str],
        household_size: int,
        income_fen: int,
        flags: list[str],
        note: str,
        actor: str,
        business_date: date,
    ) -> None:
        self._assess(category, primary_cause, secondary_causes, household_size, income_fen, flags)

    @event("Visited")
    def _visited(
        self,
        visit_id: UUID,
        visitors: list[str],
        kind: str,
        campaign: str | None,
        notes: str,
        goods: list[dict[str, Any]],
        actor: str,
        business_date: date,
    ) -> None:
        self.visits += 1
        if self.last_visit_on is None or business_date > self.last_visit_on:
            self.last_visit_on = business_date

    @event("AssistanceReceived")
    def _assistance_received(
        self,
        payment_id: UUID,
        fund_id: UUID,
        assistance_type: str,
        amount_fen: int,
        actor: str,
        business_date: date,
    ) -> None:
        self.received_fen += amount_fen

    @event("AssistanceReversed")
    def _assistance_reversed(
        self,
        payment_id: UUID,
        reversal_id: UUID,
        amount_fen: int,
        reason: str,
        actor: str,
        business_date: date,
    ) -> None:
        self.reversed_fen += amount_fen

    @event("Closed")
    def _closed(self, reason: str, note: str, actor: str, business_date: date) -> None:
        self.status_value = ClosureReason(reason).status.value
        self.closure_reason = reason

    @event("Reopened")
    def _reopened(self, note: str, actor: str, business_date: date) -> None:
        self.status_value = CaseStatus.ACTIVE.value
        self.closure_reason = None
