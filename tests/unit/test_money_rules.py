"""The rules auditors check on a fund and a household: reservations, no backdated overdraft,
no payment outside the time a household was on the archive."""

from __future__ import annotations

from datetime import date
from uuid import uuid4

import pytest

from domain.cases import Case
from domain.errors import BackdatedOverdraftError, InsufficientFundsError, PaymentOutsideCaseError
from domain.funds import Fund
from domain.vocabulary import AssistanceType, ClosureReason, FundSource
from tests.unit.support import assessment

LIVING = AssistanceType.LIVING_RELIEF
JAN_10, JAN_20, FEB_1, MAR_1 = (
    date(2026, 1, 10),
    date(2026, 1, 20),
    date(2026, 2, 1),
    date(2026, 3, 1),
)


def fund_with(*receipts: tuple[int, date]) -> Fund:
    fund = Fund.open(
        [uuid4()], "生活救助", FundSource.CENTRAL_SPECIAL_FUND, 2026, [LIVING], "finance", JAN_10
    )
    for amount_fen, day in receipts:
        fund.receive(uuid4(), amount_fen, "财政", "拨款", "finance", day)
    return fund


def pay(fund: Fund, amount_fen: int, day: date) -> None:
    fund.disburse(uuid4(), uuid4(), LIVING, amount_fen, "凭证", "finance", day)


def test_a_reservation_lowers_the_available_balance_but_not_the_balance() -> None:
    fund = fund_with((1_000_00, JAN_10))
    request = uuid4()

    fund.reserve(request, uuid4(), LIVING, 300_00, "maker", JAN_20)

    assert (fund.balance_fen, fund.reserved_fen, fund.available_fen) == (1_000_00, 300_00, 700_00)
    with pytest.raises(InsufficientFundsError):
        pay(fund, 700_01, JAN_20)  # 700.01 > 700.00 available
    fund.disburse(uuid4(), uuid4(), LIVING, 300_00, "凭证", "checker", JAN_20, request_id=request)
    assert (fund.balance_fen, fund.reserved_fen, fund.available_fen) == (700_00, 0, 700_00)


def test_a_released_reservation_is_available_again() -> None:
    fund = fund_with((1_000_00, JAN_10))
    request = uuid4()
    fund.reserve(request, uuid4(), LIVING, 400_00, "maker", JAN_20)

    fund.release(request, "驳回", "checker", JAN_20)

    assert (fund.balance_fen, fund.available_fen) == (1_000_00, 1_000_00)


def test_a_backdated_payment_that_would_overdraw_an_earlier_date_is_refused() -> None:
    # ¥1,000 since 10 Jan, ¥5,000 more on 1 Feb: ¥6,000 today, but only ¥1,000 on 20 Jan
    fund = fund_with((1_000_00, JAN_10), (5_000_00, FEB_1))

    # dated 20 Jan, ¥3,000 would leave 20 Jan at -2,000 (today it would leave 3,000): refused
    with pytest.raises(BackdatedOverdraftError, match="倒签透支"):
        pay(fund, 3_000_00, JAN_20)
    # ¥1,000 dated 20 Jan leaves 20 Jan at 0 and today at 5,000
    pay(fund, 1_000_00, JAN_20)
    # ¥4,000 dated 1 Mar leaves ¥1,000 today, which 20 Jan (at 0) still cannot pay
    pay(fund, 4_000_00, MAR_1)
    with pytest.raises(BackdatedOverdraftError):
        pay(fund, 1_000_00, JAN_20)
    pay(fund, 1_000_00, FEB_1)  # on 1 Feb the fund held 5,000
    assert fund.balance_fen == 0


def test_a_payment_dated_before_money_arrived_is_refused_even_when_the_fund_holds_it_today() -> (
    None
):
    fund = fund_with((3_000_00, FEB_1))

    with pytest.raises(BackdatedOverdraftError):
        pay(fund, 1_000_00, JAN_20)  # on 20 Jan the fund held nothing
    pay(fund, 1_000_00, FEB_1)
    assert fund.balance_fen == 2_000_00


def registered_on(day: date) -> Case:
    return Case.register(uuid4(), [uuid4()], assessment(), "sealed", "ref", "caseworker", day)


def test_a_payment_dated_before_the_filing_is_refused() -> None:
    case = registered_on(FEB_1)

    with pytest.raises(PaymentOutsideCaseError, match="早于建档"):
        case.receive_assistance(uuid4(), uuid4(), LIVING.value, 100_00, "finance", JAN_20)
    case.receive_assistance(uuid4(), uuid4(), LIVING.value, 100_00, "finance", FEB_1)
    assert case.received_fen == 100_00


def test_a_payment_dated_inside_a_closed_span_is_refused_after_the_case_reopens() -> None:
    case = registered_on(JAN_10)
    case.close(ClosureReason.EXITED_INCOME_ABOVE_LINE, "", "caseworker", JAN_20)
    case.reopen("返困", "caseworker", MAR_1)

    with pytest.raises(PaymentOutsideCaseError, match="晚于结档"):
        case.receive_assistance(uuid4(), uuid4(), LIVING.value, 100_00, "finance", FEB_1)
    case.receive_assistance(uuid4(), uuid4(), LIVING.value, 100_00, "finance", MAR_1)
    assert case.received_fen == 100_00


def test_a_fund_snapshot_from_before_reservations_asks_to_be_replayed() -> None:
    state = {"balance_fen": 1}
    Fund.upcast_v1_v2(state)
    assert state == {"balance_fen": 1, "reserved_fen": 0, "reservations": {}, "day_net": None}
