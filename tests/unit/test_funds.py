"""Fund movements: receipts, allocations down the tree, returns up, payments and reversals."""

from __future__ import annotations

from datetime import date
from uuid import UUID, uuid4

import pytest

from domain.errors import (
    BangfuError,
    InsufficientFundsError,
    InvalidInputError,
    NoParentFundError,
    PurposeNotAllowedError,
)
from domain.funds import Fund, child_fund_id
from domain.vocabulary import AssistanceType, FundSource

DAY = date(2026, 1, 20)
PROVINCE, CITY, DISTRICT = uuid4(), uuid4(), uuid4()
LIVING, MEDICAL, EDUCATION = (
    AssistanceType.LIVING_RELIEF,
    AssistanceType.MEDICAL_RELIEF,
    AssistanceType.EDUCATION_AID,
)


def top_fund(balance_fen: int = 0) -> Fund:
    """A city's central special fund earmarked for living and medical relief."""
    fund = Fund.open(
        [PROVINCE, CITY], "中央财政专项", FundSource.CENTRAL_SPECIAL_FUND, 2026, [LIVING, MEDICAL],
        "finance", DAY,
    )  # fmt: skip
    if balance_fen:
        fund.receive(uuid4(), balance_fen, "财政部", "拨款-1", "finance", DAY)
    return fund


def child_of(parent: Fund) -> Fund:
    return Fund.open(
        [*parent.centre_path, DISTRICT], parent.name, parent.source, parent.fiscal_year,
        parent.purposes, "finance", DAY, parent_fund_id=parent.id,
    )  # fmt: skip


def pay(fund: Fund, amount_fen: int, kind: AssistanceType = LIVING) -> UUID:
    payment_id = uuid4()
    fund.disburse(payment_id, uuid4(), kind, amount_fen, "凭证-1", "finance", DAY)
    return payment_id


def names(fund: Fund) -> list[str]:
    return [type(e).__name__ for e in fund.collect_events()]


def test_receiving_an_appropriation_raises_the_balance() -> None:
    fund = top_fund(1_000_00)

    fund.receive(uuid4(), 250_50, "省财政厅", "拨款-2", "finance", DAY)

    assert (fund.balance_fen, fund.received_fen) == (1_250_50, 1_250_50)
    assert names(fund) == ["Opened", "Received", "Received"]


def test_a_receipt_without_the_payers_name_is_refused() -> None:
    fund = top_fund()

    with pytest.raises(InvalidInputError, match="payer"):
        fund.receive(uuid4(), 100_00, "  ", "拨款-2", "finance", DAY)

    assert fund.balance_fen == 0


def test_a_payment_within_the_earmark_and_the_balance_lowers_the_balance() -> None:
    fund = top_fund(1_000_00)

    pay(fund, 300_00, MEDICAL)

    assert (fund.balance_fen, fund.disbursed_fen) == (700_00, 300_00)


def test_a_payment_of_the_whole_balance_leaves_the_fund_empty() -> None:
    fund = top_fund(1_000_00)

    pay(fund, 1_000_00)

    assert fund.balance_fen == 0


def test_disbursement_is_refused_when_the_fund_is_earmarked_for_another_purpose() -> None:
    fund = top_fund(1_000_00)
    fund.collect_events()

    with pytest.raises(PurposeNotAllowedError, match="education_aid"):
        pay(fund, 100_00, EDUCATION)

    assert fund.balance_fen == 1_000_00
    assert fund.collect_events() == []


def test_a_payment_larger_than_the_balance_is_refused_and_nothing_is_recorded() -> None:
    fund = top_fund(100_00)
    fund.collect_events()

    with pytest.raises(InsufficientFundsError) as refusal:
        pay(fund, 100_01)

    assert (refusal.value.balance_fen, refusal.value.amount_fen) == (100_00, 100_01)
    assert fund.balance_fen == 100_00
    assert fund.collect_events() == []


def test_an_allocation_moves_money_to_the_child_fund_and_both_sides_record_it() -> None:
    parent = top_fund(1_000_00)
    child = child_of(parent)
    parent.collect_events()
    movement = uuid4()

    parent.allocate_to(child, movement, 400_00, "下拨-1", "finance", DAY)

    assert (parent.balance_fen, parent.allocated_out_fen) == (600_00, 400_00)
    assert (child.balance_fen, child.allocated_in_fen) == (400_00, 400_00)
    [out] = parent.collect_events()
    [_, into] = child.collect_events()
    assert (type(out).__name__, type(into).__name__) == ("AllocatedOut", "AllocatedIn")
    assert out.movement_id == into.movement_id == movement  # type: ignore[attr-defined]


def test_an_allocation_larger_than_the_balance_is_refused_on_both_sides() -> None:
    parent = top_fund(100_00)
    child = child_of(parent)
    parent.collect_events()
    child.collect_events()

    with pytest.raises(InsufficientFundsError):
        parent.allocate_to(child, uuid4(), 100_01, "下拨-1", "finance", DAY)

    assert (parent.balance_fen, child.balance_fen) == (100_00, 0)
    assert parent.collect_events() == [] and child.collect_events() == []


def test_a_child_fund_gets_the_id_that_follows_from_its_parent_fund_and_centre() -> None:
    parent = top_fund()

    first, second = child_of(parent), child_of(parent)

    assert first.id == second.id == child_fund_id(parent.id, DISTRICT)
    assert first.parent_fund_id == parent.id and first.centre_id == DISTRICT
    assert top_fund().id != top_fund().id


def test_a_return_moves_money_back_to_the_parent_fund() -> None:
    parent = top_fund(1_000_00)
    child = child_of(parent)
    parent.allocate_to(child, uuid4(), 400_00, "下拨-1", "finance", DAY)

    child.return_up(parent, uuid4(), 150_00, "退回-1", "finance", DAY)

    assert (child.balance_fen, child.returned_fen) == (250_00, 150_00)
    assert (parent.balance_fen, parent.returns_received_fen) == (750_00, 150_00)
    assert names(child)[-1] == "Returned" and names(parent)[-1] == "ReturnReceived"


def test_a_top_fund_returns_money_out_of_the_ledger_to_its_payer() -> None:
    fund = top_fund(1_000_00)

    fund.return_up(None, uuid4(), 50_00, "上缴财政", "finance", DAY)

    assert (fund.balance_fen, fund.returned_fen) == (950_00, 50_00)


def test_a_return_needs_the_parent_fund_exactly_when_the_fund_has_one() -> None:
    parent = top_fund(1_000_00)
    child = child_of(parent)
    parent.allocate_to(child, uuid4(), 400_00, "下拨-1", "finance", DAY)

    with pytest.raises(NoParentFundError):
        child.return_up(None, uuid4(), 1_00, "退回", "finance", DAY)
    with pytest.raises(NoParentFundError):
        parent.return_up(child, uuid4(), 1_00, "退回", "finance", DAY)

    assert (parent.balance_fen, child.balance_fen) == (600_00, 400_00)


def test_a_return_larger_than_the_balance_is_refused() -> None:
    fund = top_fund(10_00)

    with pytest.raises(InsufficientFundsError):
        fund.return_up(None, uuid4(), 10_01, "上缴", "finance", DAY)

    assert fund.balance_fen == 10_00


def test_taking_back_a_reversed_payment_credits_the_fund() -> None:
    fund = top_fund(1_000_00)
    payment_id = pay(fund, 300_00)

    fund.take_back(payment_id, uuid4(), 300_00, "错付", "finance", DAY)

    assert (fund.balance_fen, fund.disbursed_fen, fund.reversed_fen) == (1_000_00, 300_00, 300_00)


@pytest.mark.parametrize(
    ("name", "year", "purposes"),
    [("  ", 2026, [LIVING]), ("资金", 1900, [LIVING]), ("资金", 2026, [])],
)
def test_a_fund_without_a_name_a_plausible_year_or_an_earmark_is_refused(
    name: str, year: int, purposes: list[AssistanceType]
) -> None:
    with pytest.raises(InvalidInputError):
        Fund.open([CITY], name, FundSource.SOCIAL_DONATION, year, purposes, "finance", DAY)


def test_replaying_a_funds_events_rebuilds_its_balance_and_totals() -> None:
    fund = top_fund(1_000_00)
    payment_id = pay(fund, 300_00)
    fund.take_back(payment_id, uuid4(), 300_00, "错付", "finance", DAY)
    fund.return_up(None, uuid4(), 100_00, "上缴", "finance", DAY)

    rebuilt = None
    for stored in fund.collect_events():
        rebuilt = stored.mutate(rebuilt)

    assert isinstance(rebuilt, Fund)
    assert (rebuilt.balance_fen, rebuilt.returned_fen, rebuilt.version) == (900_00, 100_00, 5)


def test_a_return_to_a_fund_other_than_the_parent_is_refused() -> None:
    parent, stranger = top_fund(1_000_00), top_fund()
    child = child_of(parent)
    parent.allocate_to(child, uuid4(), 400_00, "下拨-1", "finance", DAY)

    with pytest.raises(BangfuError):
        child.return_up(stranger, uuid4(), 100_00, "退回", "finance", DAY)

    assert stranger.balance_fen == 0


def test_a_negative_allocation_is_refused_and_no_fund_goes_below_zero() -> None:
    parent = top_fund(1_000_00)
    child = child_of(parent)

    with pytest.raises(InvalidInputError):
        parent.allocate_to(child, uuid4(), -500_00, "下拨-1", "finance", DAY)

    assert child.balance_fen == 0


@pytest.mark.parametrize("amount_fen", [0, -1])
def test_a_receipt_or_payment_of_zero_or_less_is_refused(amount_fen: int) -> None:
    fund = top_fund(1_000_00)

    with pytest.raises(InvalidInputError):
        fund.receive(uuid4(), amount_fen, "财政部", "R-2", "finance", DAY)
    with pytest.raises(InvalidInputError):
        fund.disburse(
            uuid4(), uuid4(), AssistanceType.LIVING_RELIEF, amount_fen, "P", "finance", DAY
        )

    assert fund.balance_fen == 1_000_00


def test_a_reversal_cannot_return_more_than_the_fund_paid_out() -> None:
    fund = top_fund(1_000_00)
    paid = uuid4()
    fund.disburse(paid, uuid4(), AssistanceType.LIVING_RELIEF, 300_00, "P", "finance", DAY)

    with pytest.raises(InvalidInputError):
        fund.take_back(paid, uuid4(), 300_01, "错付", "finance", DAY)

    assert fund.balance_fen == 700_00
