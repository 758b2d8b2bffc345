"""A payment request (支付申请) reserves its amount on the fund and waits for a checker who is
not its maker, at the level its amount escalates to; rejected, voided or expired, it is done."""

from __future__ import annotations

from datetime import date, timedelta
from uuid import UUID, uuid4

import pytest

from domain.access import Actor
from domain.cases import Case
from domain.errors import (
    ApprovalLevelError,
    CaseClosedError,
    ForbiddenError,
    InsufficientFundsError,
    PaymentOutsideCaseError,
    RequestDecidedError,
    RequestExpiredError,
    RequestStillValidError,
    SelfApprovalError,
)
from domain.funds import Fund
from domain.payment_requests import (
    ApprovalLevel,
    PaymentRequest,
    RequestStatus,
    Thresholds,
    escalation,
    request_payment,
)
from domain.vocabulary import AssistanceType, CentreLevel, ClosureReason, FundSource, Role
from tests.unit.support import assessment

FILED, DAY = date(2026, 1, 5), date(2026, 3, 1)
PROVINCE, CITY, DISTRICT, STREET = uuid4(), uuid4(), uuid4(), uuid4()
PATH = [PROVINCE, CITY, DISTRICT, STREET]
LEVELS = [CentreLevel.PROVINCE, CentreLevel.PREFECTURE, CentreLevel.COUNTY, CentreLevel.STREET]
MEDICAL, LIVING = AssistanceType.MEDICAL_RELIEF, AssistanceType.LIVING_RELIEF
# the defaults: approval above ¥1,000, the parent above ¥10,000, the province above ¥20,000
MEDICAL_POLICY = Thresholds(1_000_00, 10_000_00, 20_000_00, 30)
LIVING_POLICY = Thresholds(1_000_00, 10_000_00, None, 30)

MAKER = Actor("street-maker", Role.FINANCE, STREET)
STREET_CHECKER = Actor("street-checker", Role.FINANCE, STREET)
DISTRICT_CHECKER = Actor("district-checker", Role.FINANCE, DISTRICT)
PROVINCE_CHECKER = Actor("province-checker", Role.FINANCE, PROVINCE)


def street_fund(balance_fen: int) -> Fund:
    fund = Fund.open(PATH, "医疗救助资金", FundSource.CENTRAL_SPECIAL_FUND, 2026,
                     [MEDICAL, LIVING], "finance", FILED)  # fmt: skip
    fund.receive(uuid4(), balance_fen, "财政部", "拨款-1", "finance", FILED)
    return fund


def street_case() -> Case:
    return Case.register(uuid4(), PATH, assessment(), "sealed", "ref", "cw", FILED)


def a_request(
    fund: Fund, amount_fen: int, kind: AssistanceType = MEDICAL, case: Case | None = None
) -> PaymentRequest:
    policy = MEDICAL_POLICY if kind is MEDICAL else LIVING_POLICY
    return request_payment(
        uuid4(), fund, case or street_case(), kind, amount_fen, "住院", policy, LEVELS,
        MAKER.name, DAY,
    )  # fmt: skip


def approvers(
    amount_fen: int,
    policy: Thresholds = MEDICAL_POLICY,
    case_path: list[UUID] = PATH,
    fund_path: list[UUID] = PATH,
    levels: list[CentreLevel] = LEVELS,
) -> tuple[ApprovalLevel, list[UUID]]:
    return escalation(amount_fen, policy, case_path, levels, fund_path)


def test_a_request_escalates_to_the_parent_and_for_medical_relief_to_the_province() -> None:
    assert approvers(1_000_00) == (ApprovalLevel.CENTRE, PATH)  # at or below the threshold too
    assert approvers(10_000_00) == (ApprovalLevel.CENTRE, PATH)
    assert approvers(10_000_01) == (ApprovalLevel.PARENT, [PROVINCE, CITY, DISTRICT])
    assert approvers(25_000_00) == (ApprovalLevel.PROVINCE, [PROVINCE])
    assert approvers(25_000_00, LIVING_POLICY) == (ApprovalLevel.PARENT, PATH[:3])


def test_the_checker_sits_no_lower_than_the_funds_centre_nor_in_a_tree_lacking_the_level() -> None:
    assert approvers(500_00, fund_path=[PROVINCE, CITY]) == (ApprovalLevel.CENTRE, [PROVINCE, CITY])
    city_tree = (PATH[1:], PATH[1:], LEVELS[1:])  # a tree whose root is the city
    assert approvers(25_000_00, MEDICAL_POLICY, *city_tree) == (ApprovalLevel.PROVINCE, [])
    at_root = ([CITY], [CITY], [CentreLevel.PREFECTURE])  # a case at the root has no parent
    assert approvers(15_000_00, MEDICAL_POLICY, *at_root) == (ApprovalLevel.PARENT, [])


def test_a_request_lowers_the_available_balance_and_leaves_the_balance_as_it_was() -> None:
    fund = street_fund(1_000_00)

    request = a_request(fund, 300_00)
    a_request(fund, 300_00, LIVING)

    assert (fund.balance_fen, fund.reserved_fen, fund.available_fen) == (1_000_00, 600_00, 400_00)
    assert request.status is RequestStatus.PENDING and request.requested_by == MAKER.name
    assert request.valid_until == DAY + timedelta(days=30)  # 2026-03-31
    with pytest.raises(InsufficientFundsError):  # ¥400 is left to reserve, not ¥500
        a_request(fund, 500_00)
    assert fund.available_fen == 400_00


def test_a_closed_case_takes_no_request_and_nor_does_a_day_before_its_filing() -> None:
    fund, case = street_fund(1_000_00), street_case()
    with pytest.raises(PaymentOutsideCaseError):
        request_payment(uuid4(), fund, case, LIVING, 100_00, "", LIVING_POLICY, LEVELS,
                        "m", date(2026, 1, 4))  # fmt: skip
    case.close(ClosureReason.RETIRED, "", "cw", DAY)

    with pytest.raises(CaseClosedError):
        a_request(fund, 100_00, case=case)
    assert fund.reserved_fen == 0


def test_the_maker_may_not_check_their_own_request_nor_may_anyone_below_its_level() -> None:
    request = a_request(street_fund(30_000_00), 25_000_00)  # medical relief above ¥20,000

    with pytest.raises(SelfApprovalError):
        request.approve(MAKER, uuid4(), DAY, DAY)
    for below in (STREET_CHECKER, DISTRICT_CHECKER, Actor("city", Role.FINANCE, CITY)):
        with pytest.raises(ApprovalLevelError, match="province"):
            request.approve(below, uuid4(), DAY, DAY)
    with pytest.raises(ForbiddenError, match="may not approve"):
        request.approve(Actor("cw", Role.CASEWORKER, PROVINCE), uuid4(), DAY, DAY)
    payment_id = uuid4()
    request.approve(PROVINCE_CHECKER, payment_id, DAY, DAY)

    assert (request.status, request.payment_id) == (RequestStatus.APPROVED, payment_id)
    assert (request.decided_by, request.decided_on) == (PROVINCE_CHECKER.name, DAY)


def test_a_request_is_approved_through_its_last_valid_day_and_refused_after_it() -> None:
    last = DAY + timedelta(days=30)
    late = a_request(street_fund(1_000_00), 100_00)

    with pytest.raises(RequestExpiredError):  # dated in time but recorded too late
        late.approve(STREET_CHECKER, uuid4(), last, last + timedelta(days=1))
    with pytest.raises(RequestExpiredError):
        late.approve(STREET_CHECKER, uuid4(), last + timedelta(days=1), last)
    late.approve(STREET_CHECKER, uuid4(), last, last)

    assert late.status is RequestStatus.APPROVED


def test_a_decided_request_takes_no_other_decision_and_a_rejection_says_why() -> None:
    fund = street_fund(1_000_00)
    rejected, voided = a_request(fund, 100_00), a_request(fund, 100_00)

    with pytest.raises(Exception, match="reason"):
        rejected.reject(STREET_CHECKER, " ", DAY)
    rejected.reject(STREET_CHECKER, "材料不全", DAY)
    with pytest.raises(ApprovalLevelError):  # a stranger below the level voids nothing
        voided.void(Actor("other-street", Role.FINANCE, uuid4()), "重复", DAY)
    voided.void(MAKER, "重复申请", DAY)

    with pytest.raises(RequestDecidedError, match="rejected"):
        rejected.approve(STREET_CHECKER, uuid4(), DAY, DAY)
    with pytest.raises(RequestDecidedError, match="voided"):
        voided.reject(STREET_CHECKER, "迟了", DAY)
    assert [(r.status, r.decided_by, r.reason) for r in (rejected, voided)] == [
        (RequestStatus.REJECTED, STREET_CHECKER.name, "材料不全"),
        (RequestStatus.VOIDED, MAKER.name, "重复申请"),
    ]


def test_a_request_expires_only_after_its_last_valid_day() -> None:
    request = a_request(street_fund(1_000_00), 100_00)

    with pytest.raises(RequestStillValidError):
        request.expire("system", DAY + timedelta(days=30))
    request.expire("system", DAY + timedelta(days=31))

    assert (request.status, request.decided_by) == (RequestStatus.EXPIRED, "system")
    assert [type(e).__name__ for e in request.collect_events()] == ["Requested", "Expired"]
