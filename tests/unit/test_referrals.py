"""A referral (转介) is answered once, corrected by a new event naming the answer it replaces,
followed up or withdrawn; no date of it comes before the referral itself."""

from __future__ import annotations

from datetime import date
from uuid import uuid4

import pytest

from domain.cases import Case
from domain.errors import (
    CaseClosedError,
    InvalidReferralError,
    OutcomeNotCurrentError,
    ReferralDecidedError,
    ReferralWithdrawnError,
)
from domain.referrals import Referral, refer, referral_id
from domain.vocabulary import ClosureReason, ReferralChannel, ReferralDecision, ReferralStatus
from tests.unit.support import assessment

FILED, REFERRED, LATER = date(2026, 1, 5), date(2026, 1, 10), date(2026, 2, 1)
ACCEPTED, REFUSED = ReferralDecision.ACCEPTED, ReferralDecision.REFUSED
PARTLY = ReferralDecision.PARTLY_ACCEPTED


def a_case() -> Case:
    centre = uuid4()
    return Case.register(uuid4(), [uuid4(), centre], assessment(), "sealed", "ref", "cw", FILED)


def a_referral(case: Case | None = None) -> Referral:
    case = case or a_case()
    return refer(case, 1, ReferralChannel.DIBAO, " 朝阳区民政局 ", "", "cw", REFERRED)


def test_a_referral_is_the_cases_numbered_one_and_carries_the_cases_centre() -> None:
    case = a_case()

    made = refer(case, 2, ReferralChannel.LOW_RENT_HOUSING, "住建局", "材料已交", "cw", REFERRED)

    assert made.id == referral_id(case.id, 2) != referral_id(case.id, 1)
    assert (made.case_id, made.number, made.centre_path) == (case.id, 2, case.centre_path)
    assert (made.channel, made.referred_on, made.status) == (
        "low_rent_housing",
        REFERRED,
        ReferralStatus.OPEN,
    )


def test_a_closed_case_is_not_referred_and_nor_is_one_before_its_filing() -> None:
    case = a_case()

    with pytest.raises(InvalidReferralError, match="before the case was filed"):
        refer(case, 1, ReferralChannel.DIBAO, "民政局", "", "cw", date(2026, 1, 4))
    case.close(ClosureReason.RETIRED, "", "cw", LATER)
    with pytest.raises(CaseClosedError):
        refer(case, 1, ReferralChannel.DIBAO, "民政局", "", "cw", LATER)


def test_an_acceptance_names_what_was_granted_and_a_refusal_grants_nothing_and_says_why() -> None:
    referral = a_referral()

    with pytest.raises(InvalidReferralError, match="amount or the service"):
        referral.record_outcome(uuid4(), ACCEPTED, None, "", "", "cw", LATER)
    with pytest.raises(InvalidReferralError, match="grants nothing"):
        referral.record_outcome(uuid4(), REFUSED, 790_00, "", "不符合条件", "cw", LATER)
    with pytest.raises(InvalidReferralError, match="needs its reason"):
        referral.record_outcome(uuid4(), REFUSED, None, "", " ", "cw", LATER)

    assert referral.status is ReferralStatus.OPEN


def test_an_answer_is_recorded_once_and_dated_no_earlier_than_the_referral() -> None:
    referral = a_referral()
    with pytest.raises(InvalidReferralError, match="before the referral"):
        referral.record_outcome(uuid4(), ACCEPTED, 790_00, "", "", "cw", date(2026, 1, 9))
    first = uuid4()

    referral.record_outcome(first, ACCEPTED, 790_00, "", "", "cw", REFERRED)

    assert (referral.status, referral.amount_fen, referral.decided_on) == (
        ReferralStatus.DECIDED,
        790_00,
        REFERRED,
    )
    with pytest.raises(ReferralDecidedError, match=str(first)):
        referral.record_outcome(uuid4(), REFUSED, None, "", "重复", "cw", LATER)


def test_a_correction_names_the_current_answer_and_replaces_it() -> None:
    referral = a_referral()
    first, second = uuid4(), uuid4()
    with pytest.raises(OutcomeNotCurrentError, match="it has none"):
        referral.correct_outcome(uuid4(), second, ACCEPTED, 1, "", "", "cw", LATER)
    referral.record_outcome(first, ACCEPTED, 790_00, "", "", "cw", LATER)

    with pytest.raises(OutcomeNotCurrentError):
        referral.correct_outcome(uuid4(), second, ACCEPTED, 1, "", "", "cw", LATER)
    referral.correct_outcome(first, second, PARTLY, 400_00, "", "", "cw", LATER)

    assert (referral.outcome_id, referral.decision, referral.amount_fen) == (
        second,
        "partly_accepted",
        400_00,
    )
    corrected = referral.collect_events()[-1]
    assert isinstance(corrected, Referral.OutcomeCorrected) and corrected.corrects == first


def test_a_withdrawn_referral_is_not_answered_nor_followed_up_and_an_answered_one_stays() -> None:
    withdrawn, answered = a_referral(), a_referral()
    withdrawn.follow_up(uuid4(), "电话询问", "cw", LATER)
    withdrawn.withdraw("本人放弃申请", "cw", LATER)
    answered.record_outcome(uuid4(), REFUSED, None, "", "收入超标", "cw", LATER)

    with pytest.raises(ReferralWithdrawnError):
        withdrawn.record_outcome(uuid4(), ACCEPTED, 1, "", "", "cw", LATER)
    with pytest.raises(ReferralWithdrawnError):
        withdrawn.follow_up(uuid4(), "再次询问", "cw", LATER)
    with pytest.raises(ReferralDecidedError):
        answered.withdraw("放弃", "cw", LATER)
    assert (withdrawn.status, len(withdrawn.follow_ups)) == (ReferralStatus.WITHDRAWN, 1)
