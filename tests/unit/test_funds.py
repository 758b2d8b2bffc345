"""A fund's rules: earmark, balance never below zero, transfers recorded on both sides."""

from __future__ import annotations

from datetime import date
from uuid import uuid4

import pytest

from domain.errors import InsufficientFundsError, NoParentFundError, PurposeNotAllowedError
from domain.funds import Fund, child_fund_id
from domain.vocabulary import AssistanceType, FundSource

DAY = date(2026, 1, 5)
CITY, DISTRICT = uuid4(), uuid4()


def fund(
    balance_fen: int = 0, purposes: tuple[AssistanceType, ...] = (AssistanceType.LIVING_RELIEF,)
) -> Fund:
    opened = Fund.open(
        [CITY], "中央财政专项", FundSource.CENTRAL_SPECIAL_FUND, 2026, list(purposes), "a", DAY
    )
    if balance_fen:
        opened.receive(uuid4(), balance_fen, "财政部", "R-1", "a", DAY)
    return opened


def test_a_payment_within_the_earmark_and_balance_lowers_the_balance() -> None:
    f = fund(1_000_00)

    f.disburse(uuid4(), uuid4(), AssistanceType.LIVING_RELIEF, 300_00, "P", "a", DAY)

    assert (f.balance_fen, f.disbursed_fen) == (700_00, 300_00)


def test_disbursement_is_refused_when_the_fund_is_earmarked_for_another_purpose() -> None:
    f = fund(1_000_00)
    pending = len(f.collect_events())

    with pytest.raises(PurposeNotAllowedError, match="education_aid"):
        f.disburse(uuid4(), uuid4(), AssistanceType.EDUCATION_AID, 100, "P", "a", DAY)

    assert f.balance_fen == 1_000_00 and f.collect_events() == [] and pending == 2


def test_a_payment_larger_than_the_balance_is_refused() -> None:
    f = fund(100_00)

    with pytest.raises(InsufficientFundsError):
        f.disburse(uuid4(), uuid4(), AssistanceType.LIVING_RELIEF, 100_01, "P", "a", DAY)

    assert f.balance_fen == 100_00


def test_an_allocation_moves_money_to_a_child_fund_with_a_known_id() -> None:
    parent = fund(1_000_00)
    child = Fund.open(
        [CITY, DISTRICT],
        parent.name,
        parent.source,
        2026,
        parent.purposes,
        "a",
        DAY,
        parent_fund_id=parent.id,
    )

    parent.allocate_to(child, uuid4(), 400_00, "XB", "a", DAY)

    assert child.id == child_fund_id(parent.id, DISTRICT)
    assert (parent.balance_fen, child.balance_fen) == (600_00, 400_00)
    assert [type(e).__name__ for e in child.collect_events()] == ["Opened", "AllocatedIn"]
    with pytest.raises(InsufficientFundsError):
        parent.allocate_to(child, uuid4(), 600_01, "XB", "a", DAY)


def test_returns_go_to_the_parent_fund_or_out_to_the_payer() -> None:
    parent = fund(1_000_00)
    child = Fund.open(
        [CITY, DISTRICT],
        parent.name,
        parent.source,
        2026,
        parent.purposes,
        "a",
        DAY,
        parent_fund_id=parent.id,
    )
    parent.allocate_to(child, uuid4(), 400_00, "XB", "a", DAY)

    child.return_up(parent, uuid4(), 100_00, "退回", "a", DAY)
    parent.return_up(None, uuid4(), 50_00, "退回财政", "a", DAY)

    assert (child.balance_fen, parent.balance_fen) == (300_00, 650_00)
    assert (parent.returns_received_fen, parent.returned_fen) == (100_00, 50_00)
    with pytest.raises(NoParentFundError):
        child.return_up(None, uuid4(), 1, "x", "a", DAY)


def test_a_reversal_credits_the_fund() -> None:
    f = fund(1_000_00)
    payment = uuid4()
    f.disburse(payment, uuid4(), AssistanceType.LIVING_RELIEF, 300_00, "P", "a", DAY)

    f.take_back(payment, uuid4(), 300_00, "错付", "a", DAY)

    assert (f.balance_fen, f.reversed_fen) == (1_000_00, 300_00)
