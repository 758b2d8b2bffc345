"""Referrals to government channels (转介): make, answer, follow up, withdraw; one referral;
the open list with ages; counts by channel and outcome."""

from __future__ import annotations

from typing import Annotated, Any
from uuid import UUID

from fastapi import APIRouter, Query

from api import columns
from api.deps import ActorDep, ContextDep, Day, LedgerDep, ReaderDep, SubtreeDep
from api.exports import Format, Lang, page, tabular
from api.responses.referrals import (
    FollowUpOut,
    OpenReferralPage,
    OutcomeOut,
    ReferralOut,
    ReferralStatisticsOut,
)
from api.routers import CREATED, listing
from api.rows import shown
from api.schemas import Created, FollowUpIn, ReferralIn, ReferralOutcomeIn, WithdrawalIn
from domain.errors import InvalidInputError
from domain.money import yuan
from domain.referrals import Referral
from domain.vocabulary import ReferralChannel, ReferralDecision
from projections import referrals

router = APIRouter(tags=["referrals 转介"])


@router.post("/cases/{case_id:uuid}/referrals", **CREATED)
def make_referral(case_id: UUID, body: ReferralIn, ctx: ContextDep, ledger: LedgerDep) -> Created:
    """Refer an open case's household to a government channel (caseworker); answers the
    referral's id and the case's."""
    outcome = ledger.make_referral(
        ctx, case_id, body.channel, body.receiving_body, body.note, body.business_date
    )
    return Created.of(outcome)


@router.post("/referrals/{referral_id:uuid}/outcome", **CREATED)
def record_outcome(
    referral_id: UUID, body: ReferralOutcomeIn, ctx: ContextDep, ledger: LedgerDep
) -> Created:
    """Record the receiving body's answer once; a later change names the answer it corrects
    (``corrects``). Answers the outcome's id."""
    outcome = ledger.record_referral_outcome(
        ctx,
        referral_id,
        body.decision,
        body.amount,
        body.service,
        body.reason,
        body.business_date,
        body.corrects,
    )
    return Created.of(outcome)


@router.post("/referrals/{referral_id:uuid}/follow-ups", **CREATED)
def follow_up(referral_id: UUID, body: FollowUpIn, ctx: ContextDep, ledger: LedgerDep) -> Created:
    """Note a follow-up of the referral (跟进)."""
    outcome = ledger.follow_up_referral(ctx, referral_id, body.note, body.business_date)
    return Created.of(outcome)


@router.post("/referrals/{referral_id:uuid}/withdrawal", **CREATED)
def withdraw(referral_id: UUID, body: WithdrawalIn, ctx: ContextDep, ledger: LedgerDep) -> Created:
    """Withdraw a referral that has no answer yet, with a reason."""
    outcome = ledger.withdraw_referral(ctx, referral_id, body.reason, body.business_date)
    return Created.of(outcome)


@router.get("/referrals/{referral_id:uuid}", response_model=ReferralOut)
def get_referral(referral_id: UUID, actor: ActorDep, ledger: LedgerDep) -> ReferralOut:
    """One referral as recorded, with its answer in force and its follow-ups."""
    return referral_out(ledger.referral(actor, referral_id))


def referral_out(r: Referral) -> ReferralOut:
    """The referral as recorded (api/rows.shown), with its labels, answer and follow-ups."""
    outcome = None
    if r.outcome_id is not None and r.decision is not None and r.decided_on is not None:
        decision = ReferralDecision(r.decision)
        outcome = OutcomeOut(
            id=r.outcome_id,
            decision=decision,
            decision_zh=decision.zh,
            amount=None if r.amount_fen is None else yuan(r.amount_fen),
            service=r.service,
            reason=r.outcome_reason,
            decided_on=r.decided_on,
            corrections=r.corrections,
        )
    follow_ups = [
        FollowUpOut(id=f.follow_up_id, on=f.on, note=f.note, actor=f.actor) for f in r.follow_ups
    ]
    return shown(
        ReferralOut,
        r,
        channel_zh=ReferralChannel(r.channel).zh,
        status_zh=r.status.zh,
        outcome=outcome,
        follow_ups=follow_ups,
    )


@router.get("/referrals", **listing(OpenReferralPage, "The open referrals"))
def open_referrals(
    read: ReaderDep,
    scope: SubtreeDep,
    open_only: Annotated[
        bool, Query(alias="open", description="only open referrals (the one list there is)")
    ] = True,
    as_of: Annotated[
        Day | None, Query(description="open on this day, aged to it (today if left out)")
    ] = None,
    limit: Annotated[int, Query(ge=1, le=1000)] = 50,
    after: UUID | None = None,
    format: Format = "json",
    lang: Lang = "en",
) -> Any:
    """The subtree's referrals still open on a day, oldest first, with their age in days."""
    if not open_only:
        raise InvalidInputError("only the open referrals are listed: leave `open` out or true")
    day = as_of or read.ledger.today()
    view = read.caught_up("referrals").referrals
    fetch = limit if format == "json" else 1_000_000
    rows = referrals.open_referrals(view, scope, day, fetch, str(after) if after else None)
    if format != "json":
        return tabular(rows, columns.OPEN_REFERRALS, format, lang, f"open-referrals-{day}")
    return {"as_of": day} | page(rows, limit, "id")


@router.get("/referrals/statistics", **listing(ReferralStatisticsOut, "Referral statistics"))
def statistics(
    read: ReaderDep,
    scope: SubtreeDep,
    date_from: Annotated[
        Day | None, Query(alias="from", description="referred on or after")
    ] = None,
    date_to: Annotated[Day | None, Query(alias="to", description="referred on or before")] = None,
    format: Format = "json",
    lang: Lang = "en",
) -> Any:
    """The subtree's referrals made in a period, per channel, counted by where each stands now
    (open, accepted, partly accepted, refused, withdrawn), with the amount granted."""
    if date_from and date_to and date_from > date_to:
        raise InvalidInputError(f"the period from {date_from} to {date_to} is empty")
    view = read.caught_up("referrals").referrals
    found = referrals.statistics(view, scope, referrals.Period(date_from, date_to))
    if format != "json":
        return tabular(
            found["rows"], columns.REFERRAL_STATISTICS, format, lang, "referral-statistics"
        )
    return {"centre_id": scope, "date_from": date_from, "date_to": date_to} | found
