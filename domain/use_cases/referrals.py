"""Referrals to government channels (转介): make one, record its outcome or a correction, follow
it up, withdraw it; read one; a case's events include its referrals'. Who may touch a referral
is decided at its case's current centre: a transfer (转档) moves the referrals' scope with it."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import date
from uuid import UUID, uuid4

from eventsourcing.domain import AggregateEvent

from domain.access import Actor, Permission
from domain.cases import Case
from domain.errors import CaseNotFoundError, ReferralNotFoundError
from domain.referrals import Referral, refer, referral_id
from domain.results import CaseEntry, Created
from domain.use_cases.cases import CaseUseCases
from domain.vocabulary import ReferralChannel, ReferralDecision
from domain.writes import Change, Context, Outcome, R


class ReferralUseCases(CaseUseCases):
    """The caseworkers' referrals. A case's timeline (``case_events``) shows its referrals'
    events beside its own, in the order they were recorded."""

    def make_referral(
        self,
        ctx: Context,
        case_id: UUID,
        channel: ReferralChannel,
        receiving_body: str,
        note: str = "",
        business_date: date | None = None,
    ) -> Outcome[CaseEntry]:
        """Refer an open case in the actor's subtree; answers the referral's id and the case's."""
        day = self._day(business_date)

        def change() -> Change[CaseEntry]:
            case = self._managed_case(ctx, case_id)
            number = self._next_referral_number(case.id)
            referral = refer(case, number, channel, receiving_body, note, ctx.actor.name, day)
            return Change(CaseEntry(referral.id, case.id), [referral])

        return self._write(ctx, change, case_id)

    def record_referral_outcome(
        self,
        ctx: Context,
        referral_id: UUID,
        decision: ReferralDecision,
        amount_fen: int | None = None,
        service: str = "",
        reason: str = "",
        business_date: date | None = None,
        corrects: UUID | None = None,
    ) -> Outcome[CaseEntry]:
        """The receiving body's answer, or (``corrects``) a correction of the current one;
        answers the outcome's id and the case's."""
        granted = (decision, amount_fen, service, reason)

        def answer(referral: Referral, day: date) -> CaseEntry:
            outcome_id = uuid4()
            if corrects is None:
                referral.record_outcome(outcome_id, *granted, ctx.actor.name, day)
            else:
                referral.correct_outcome(corrects, outcome_id, *granted, ctx.actor.name, day)
            return CaseEntry(outcome_id, referral.case_id)

        return self._on_referral(ctx, referral_id, business_date, answer)

    def follow_up_referral(
        self, ctx: Context, referral_id: UUID, note: str, business_date: date | None = None
    ) -> Outcome[CaseEntry]:
        """Note a follow-up; answers the follow-up's id and the case's."""

        def follow_up(referral: Referral, day: date) -> CaseEntry:
            follow_up_id = uuid4()
            referral.follow_up(follow_up_id, note, ctx.actor.name, day)
            return CaseEntry(follow_up_id, referral.case_id)

        return self._on_referral(ctx, referral_id, business_date, follow_up)

    def withdraw_referral(
        self, ctx: Context, referral_id: UUID, reason: str, business_date: date | None = None
    ) -> Outcome[Created]:
        """Withdraw a referral that has no answer yet; answers the referral's id."""

        def withdraw(referral: Referral, day: date) -> Created:
            referral.withdraw(reason, ctx.actor.name, day)
            return Created(referral.id)

        return self._on_referral(ctx, referral_id, business_date, withdraw)

    def _on_referral(
        self,
        ctx: Context,
        referral_id: UUID,
        business_date: date | None,
        act: Callable[[Referral, date], R],
    ) -> Outcome[R]:
        """A caseworker's write on one referral of their subtree, on the business date given
        (checked before the write queues; today if none): ``act`` records it and names what
        the write answers; the referral is saved alone."""
        day = self._day(business_date)

        def change() -> Change[R]:
            referral = self.referral(ctx.actor, referral_id, Permission.MANAGE_CASES)
            return Change(act(referral, day), [referral])

        return self._write(ctx, change, referral_id)

    def _next_referral_number(self, case_id: UUID) -> int:
        """The first number no referral of the case has (through the batch's working set, so
        two referrals of one case in one batch get two numbers; a race lost to another process
        is decided again)."""
        number = 1
        while self._find(Referral, referral_id(case_id, number)) is not None:
            number += 1
        return number

    # --- reads -----------------------------------------------------------------------------------
    def referral(
        self, actor: Actor, referral_id: UUID, may: Permission = Permission.READ
    ) -> Referral:
        """The referral, once the actor holds ``may`` (reading, unless told) at its case's
        current centre (the centre it was made at stays on the referral, as history)."""
        referral = self._get(Referral, referral_id, ReferralNotFoundError)
        case = self._get(Case, referral.case_id, CaseNotFoundError)
        actor.require(may, case.centre_path)
        return referral

    def referral_streams(self, case_id: UUID) -> Iterator[list[AggregateEvent]]:
        """The events of each referral of the case, by number, read from the store."""
        number = 1
        while events := list(self.stream(referral_id(case_id, number))):
            yield events
            number += 1

    def case_events(self, actor: Actor, case_id: UUID) -> Iterator[AggregateEvent]:
        """The case's events and its referrals', in the order they were recorded (the case's
        own first where two were recorded at the same instant)."""
        own = list(super().case_events(actor, case_id))
        theirs = [e for events in self.referral_streams(case_id) for e in events]
        return iter(sorted(own + theirs, key=lambda e: e.timestamp))
