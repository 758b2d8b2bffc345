"""A household's income book and the category a review computes: months, corrections, the
line on each side of a change, and overrides that need a reason."""

from __future__ import annotations

from datetime import date
from uuid import uuid4

import pytest

from domain.cases import Case
from domain.categorisation import Figures, category_for, decided
from domain.errors import (
    CaseClosedError,
    CategoryOverrideError,
    IncomeRecordNotCurrentError,
    InvalidIncomeError,
    MonthRecordedError,
)
from domain.incomes import IncomeBook, Incomes, Member, add_months, income_book
from domain.vocabulary import Category, ClosureReason
from tests.unit.support import assessment

DAY = date(2026, 3, 31)


def a_book() -> tuple[Case, IncomeBook]:
    case = Case.register(uuid4(), [uuid4()], assessment(), "sealed", "ref", "cw", DAY)
    return case, income_book(case, None, "cw", DAY)


def test_a_correction_replaces_the_months_record_and_the_corrected_one_stays() -> None:
    _, book = a_book()
    first, fixed = uuid4(), uuid4()
    book.record(first, "2026-03", Incomes(3, 2_400_00), "", "cw", DAY)

    book.correct(first, fixed, "2026-02", Incomes(3, 2_100_00), "月份录错", "cw", DAY)

    assert [(r.month, r.record_id) for r in book.in_force()] == [("2026-02", fixed)]
    assert first in book.records and book.records[fixed].corrects == first
    with pytest.raises(IncomeRecordNotCurrentError):
        book.correct(first, uuid4(), "2026-03", Incomes(3, 0), "", "cw", DAY)
    with pytest.raises(MonthRecordedError):
        book.record(uuid4(), "2026-02", Incomes(3, 0), "", "cw", DAY)


def test_a_month_is_recorded_once_earned_and_members_earn_no_more_than_the_household() -> None:
    case, book = a_book()

    with pytest.raises(InvalidIncomeError, match="once earned"):
        book.record(uuid4(), "2026-04", Incomes(3, 0), "", "cw", DAY)
    with pytest.raises(InvalidIncomeError, match="more than"):
        Incomes(3, 1_000_00, 0, (Member("配偶", 1_200_00, True),))
    case.close(ClosureReason.DECEASED, "", "cw", DAY)
    with pytest.raises(CaseClosedError):
        income_book(case, None, "cw", DAY)


def test_the_same_income_is_relative_hardship_under_790_and_deep_under_820() -> None:
    three_at_800 = Figures(household_size=3, income_fen=2_400_00)  # ¥800 a head

    assert category_for(three_at_800, 790_00) is Category.RELATIVE_HARDSHIP
    assert category_for(three_at_800, 820_00) is Category.DEEP_HARDSHIP
    assert decided(Category.DEEP_HARDSHIP, None, "") == (Category.DEEP_HARDSHIP, "")
    assert decided(Category.DEEP_HARDSHIP, Category.BORDERLINE, "在职") == (
        Category.BORDERLINE,
        "在职",
    )
    with pytest.raises(CategoryOverrideError):
        decided(Category.DEEP_HARDSHIP, Category.BORDERLINE, " ")


def test_a_month_later_is_the_same_day_or_the_last_of_a_shorter_month() -> None:
    assert add_months(date(2026, 1, 5), 12) == date(2027, 1, 5)
    assert add_months(date(2026, 1, 31), 1) == date(2026, 2, 28)
    assert add_months(date(2024, 2, 29), -12) == date(2023, 2, 28)
