"""Referrals to government channels (转介): a household sent to 低保, 特困供养, 医疗救助, 廉租房 ...

A referral belongs to one case and is numbered within it (1, 2, ...): its id follows from the
case's id and its number (``referral_id``), so a case's referrals are found from the case alone.
The receiving body's answer is an outcome; a changed answer is a correction naming the outcome
it replaces; follow-ups note what happened meanwhile. Every date is on or after the referral's.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING, Any, ClassVar
from uuid import UUID, uuid5

from eventsourcing.domain import event

from domain.aggregate import Act, LedgerAggregate
from domain.errors import (
    CaseClosedError,
    InvalidReferralError,
    OutcomeNotCurrentError,
    ReferralDecidedError,
    ReferralWithdrawnError,
)
from domain.money import require_positive
from domain.text import NOTE_MAX, checked, checked_note
from domain.vocabulary import ReferralChannel, ReferralDecision, ReferralStatus

if TYPE_CHECKING:
    from domain.cases import Case

MAX_FOLLOW_UPS = 500  # per referral: a bound on one aggregate's length


def referral_id(case_id: UUID, number: int) -> UUID:
    """The id of a case's ``number``-th referral (numbers start at 1)."""
    return uuid5(case_id, f"referral {number}")


@dataclass(frozen=True)
class FollowUp:
    """A note on what happened to a referral, on a day."""

    follow_up_id: UUID
    on: date
    note: str
    actor: str


class OutcomeNoted(Act):
    """What an outcome says: the decision, what was granted, why; its business date is the
    day the receiving body decided."""

    outcome_id: UUID
    decision: str
    amount_fen: int | None
    service: str
    reason: str

    def apply(self, referral: Referral) -> None:
        referral.outcome_id = self.outcome_id
        referral.decision = self.decision
        referral.amount_fen = self.amount_fen
        referral.service = self.service
        referral.outcome_reason = self.reason
        referral.decided_on = self.business_date


class Referral(LedgerAggregate):
    """One referral of a household to a government channel, and what came of it."""

    class OutcomeRecorded(OutcomeNoted):
        """The receiving body's answer: accepted, partly accepted or refused."""

    class OutcomeCorrected(OutcomeNoted):
        """A corrected answer; ``corrects`` names the outcome it replaces (which stays)."""

        corrects: UUID

        def apply(self, referral: Referral) -> None:
            super().apply(referral)
            referral.corrections += 1

    class FollowedUp(Act):
        """A follow-up (跟进): a call, a visit to the office, papers handed in."""

        follow_up_id: UUID
        note: str

        def apply(self, referral: Referral) -> None:
            referral.follow_ups.append(
                FollowUp(self.follow_up_id, self.business_date, self.note, self.actor)
            )

    class Withdrawn(Act):
        """The referral was withdrawn before an answer (the household declined, moved ...)."""

        reason: str

        def apply(self, referral: Referral) -> None:
            referral.withdrawn_on = self.business_date
            referral.withdrawal_reason = self.reason

    Made: ClassVar[type[LedgerAggregate.Event]]  # made by @event on __init__ below

    @event("Made")
    def __init__(
        self,
        id: UUID,
        case_id: UUID,
        number: int,
        centre_id: UUID,
        centre_path: list[UUID],
        channel: str,
        receiving_body: str,
        note: str,
        actor: str,
        business_date: date,
    ) -> None:
        self.case_id, self.number = case_id, number
        self.centre_id, self.centre_path = centre_id, list(centre_path)
        self.channel, self.receiving_body, self.note = channel, receiving_body, note
        self.referred_on, self.referred_by = business_date, actor
        self.outcome_id: UUID | None = None
        self.decision: str | None = None
        self.amount_fen: int | None = None
        self.service = self.outcome_reason = ""
        self.decided_on: date | None = None
        self.corrections = 0
        self.follow_ups: list[FollowUp] = []
        self.withdrawn_on: date | None = None
        self.withdrawal_reason = ""

    @property
    def status(self) -> ReferralStatus:
        if self.withdrawn_on is not None:
            return ReferralStatus.WITHDRAWN
        return ReferralStatus.OPEN if self.outcome_id is None else ReferralStatus.DECIDED

    def _require_on_or_after_referral(self, day: date, what: str) -> None:
        if day < self.referred_on:
            raise InvalidReferralError(
                f"{what} on {day.isoformat()} comes before the referral itself "
                f"({self.referred_on.isoformat()})"
            )

    def _require_not_withdrawn(self, doing: str) -> None:
        if self.withdrawn_on is not None:
            raise ReferralWithdrawnError(
                f"referral {self.id} was withdrawn on {self.withdrawn_on.isoformat()}; "
                f"it cannot {doing}"
            )

    # --- commands ----------------------------------------------------------------------------
    def record_outcome(
        self,
        outcome_id: UUID,
        decision: ReferralDecision,
        amount_fen: int | None,
        service: str,
        reason: str,
        actor: str,
        business_date: date,
    ) -> None:
        """Record the receiving body's answer, once (a change is ``correct_outcome``)."""
        self._require_not_withdrawn("take an outcome")
        if self.outcome_id is not None:
            raise ReferralDecidedError(
                f"referral {self.id} has its outcome already ({self.outcome_id}); "
                "to change it, record a correction that names that outcome"
            )
        fields = _outcome(decision, amount_fen, service, reason)
        self._require_on_or_after_referral(business_date, "the decision")
        self._trigger(self.OutcomeRecorded, actor, business_date, outcome_id=outcome_id, **fields)

    def correct_outcome(
        self,
        corrects: UUID,
        outcome_id: UUID,
        decision: ReferralDecision,
        amount_fen: int | None,
        service: str,
        reason: str,
        actor: str,
        business_date: date,
    ) -> None:
        """Replace the current outcome by a corrected one; the corrected one stays on record."""
        self._require_not_withdrawn("take an outcome")
        if self.outcome_id is None or corrects != self.outcome_id:
            current = f"its outcome is {self.outcome_id}" if self.outcome_id else "it has none"
            raise OutcomeNotCurrentError(
                f"the correction names outcome {corrects}, but {current}: a correction "
                "replaces the referral's current outcome"
            )
        fields = _outcome(decision, amount_fen, service, reason)
        self._require_on_or_after_referral(business_date, "the decision")
        self._trigger(
            self.OutcomeCorrected,
            actor,
            business_date,
            outcome_id=outcome_id,
            corrects=corrects,
            **fields,
        )

    def follow_up(self, follow_up_id: UUID, note: str, actor: str, business_date: date) -> None:
        """Note a follow-up of the referral, on or after its day."""
        self._require_not_withdrawn("be followed up")
        note = checked(note, "the follow-up's note", max_length=NOTE_MAX, multiline=True)
        if not note:
            raise InvalidReferralError("a follow-up says what happened: its note is required")
        if len(self.follow_ups) >= MAX_FOLLOW_UPS:
            raise InvalidReferralError(f"a referral holds at most {MAX_FOLLOW_UPS} follow-ups")
        self._require_on_or_after_referral(business_date, "the follow-up")
        self._trigger(self.FollowedUp, actor, business_date, follow_up_id=follow_up_id, note=note)

    def withdraw(self, reason: str, actor: str, business_date: date) -> None:
        """Withdraw the referral before any answer, with a reason."""
        self._require_not_withdrawn("be withdrawn again")
        if self.outcome_id is not None:
            raise ReferralDecidedError(
                f"referral {self.id} was answered already ({self.outcome_id}); "
                "an answered referral is not withdrawn"
            )
        reason = checked(reason, "the reason for the withdrawal", required=True)
        self._require_on_or_after_referral(business_date, "the withdrawal")
        self._trigger(self.Withdrawn, actor, business_date, reason=reason)


def _outcome(
    decision: ReferralDecision, amount_fen: int | None, service: str, reason: str
) -> dict[str, Any]:
    """The fields of an outcome, checked: a refusal grants nothing and says why; an
    acceptance names the amount or the service granted."""
    decision = ReferralDecision(decision)
    service = checked(service, "the service granted")
    reason = checked(reason, "the reason")
    if amount_fen is not None:
        require_positive(amount_fen)
    if decision is ReferralDecision.REFUSED:
        if amount_fen is not None or service:
            raise InvalidReferralError("a refusal grants nothing: leave amount and service out")
        if not reason:
            raise InvalidReferralError("a refusal needs its reason")
    elif amount_fen is None and not service:
        raise InvalidReferralError(
            f"an outcome '{decision.value}' names the amount or the service granted"
        )
    return {
        "decision": decision.value,
        "amount_fen": amount_fen,
        "service": service,
        "reason": reason,
    }


def refer(
    case: Case,
    number: int,
    channel: ReferralChannel,
    receiving_body: str,
    note: str,
    actor: str,
    business_date: date,
) -> Referral:
    """Refer an open case's household to a government channel, on or after its filing."""
    if not case.is_open:
        raise CaseClosedError(
            f"case {case.id} was closed ({case.closure_reason}); it cannot be referred"
        )
    if business_date < case.filed_on:
        raise InvalidReferralError(
            f"the referral on {business_date.isoformat()} comes before the case was filed "
            f"({case.filed_on.isoformat()})"
        )
    return Referral(
        id=referral_id(case.id, number),
        case_id=case.id,
        number=number,
        centre_id=case.centre_id,
        centre_path=case.centre_path,
        channel=ReferralChannel(channel).value,
        receiving_body=checked(receiving_body, "the receiving body", required=True),
        note=checked_note(note),
        actor=actor,
        business_date=business_date,
    )
