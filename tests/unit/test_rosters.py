"""A roster's rows read on their own (花名册), its standards, and a household's bank account: no
store."""

from __future__ import annotations

from datetime import date
from uuid import uuid4

import pytest

from domain.bank_accounts import BankAccount, card_number
from domain.errors import InvalidInputError
from domain.payment_standards import standard
from domain.policy import PolicyBook
from domain.rosters import RowProblem, RowStatus, parse_roster, roster_payment_id
from domain.vocabulary import AssistanceType, Category

FUND, CASE = uuid4(), uuid4()


def test_a_row_is_read_from_chinese_or_english_headers_with_the_rosters_fund_and_key() -> None:
    by_zh = parse_roster(
        [["序号", "档案编号", "帮扶类型", "金额（元）", "银行卡号"],
         ["A-7", str(CASE), "送温暖慰问", "1,000.50", "6222-0000-1111-2222"]],
        "春节", FUND, date(2026, 2, 1),
    )  # fmt: skip
    by_en = parse_roster(
        [["Case ID", "Assistance Type", "AMOUNT (yuan)"], ["", "", ""],
         [str(CASE), "education_aid", "300"]],
        "金秋", FUND, None,
    )  # fmt: skip

    row = by_zh.rows[0]
    assert (row.roster_key, row.amount_fen, row.bank_card) == (
        "春节#A-7",
        100_050,
        "6222000011112222",
    )
    assert (row.fund_id, row.assistance_type) == (FUND, AssistanceType.WARMTH_VISIT)
    assert row.payment_id == roster_payment_id("春节#A-7")
    assert (by_en.rows[0].row, by_en.rows[0].roster_key) == (3, "金秋#3")  # its row number


def test_rows_refused_on_their_own_are_reported_with_their_row_number_and_reason() -> None:
    table = [
        ["序号", "档案编号", "帮扶类型", "金额（元）", "银行卡号", "业务日期"],
        ["1", str(CASE), "送温暖慰问", "-5", "", ""],
        ["2", "", "送温暖慰问", "5", "", ""],
        ["3", "not-an-id", "送温暖慰问", "5", "", ""],
        ["4", str(CASE), "慰问金", "5", "", ""],
        ["5", str(CASE), "送温暖慰问", "5", "1234", ""],
        ["6", str(CASE), "送温暖慰问", "5", "", "2026-13-01"],
        ["2", str(CASE), "送温暖慰问", "5", "", ""],
    ]

    found = parse_roster(table, "r", FUND, None)

    assert found.rows == []
    assert [(r.row, r.problem) for r in found.refused] == [
        (2, RowProblem.BAD_AMOUNT),
        (3, RowProblem.MISSING_FIELD),
        (4, RowProblem.BAD_VALUE),
        (5, RowProblem.BAD_VALUE),
        (6, RowProblem.BAD_VALUE),
        (7, RowProblem.BAD_VALUE),
        (8, RowProblem.DUPLICATE_KEY),
    ]
    assert {r.status for r in found.refused} == {RowStatus.REFUSED}
    assert (
        found.refused[1].message
        == "第3行：缺少必填项（a required field is empty）：档案编号 (case id)"
    )


def test_a_roster_without_a_required_column_or_a_fund_is_refused() -> None:
    with pytest.raises(InvalidInputError, match="金额（元） \\(amount \\(yuan\\)\\)"):
        parse_roster([["档案编号", "帮扶类型"], [str(CASE), "助学"]], "r", FUND, None)

    no_fund = parse_roster(
        [["档案编号", "帮扶类型", "金额"], [str(CASE), "助学", "1"]], "r", None, None
    )

    assert no_fund.refused[0].problem is RowProblem.MISSING_FIELD
    assert "资金编号" in no_fund.refused[0].detail


def test_the_standards_come_from_local_policy_per_payment_or_per_year() -> None:
    book, path, day = PolicyBook([]), ["c"], date(2026, 2, 1)  # the defaults only

    education = standard(book, AssistanceType.EDUCATION_AID, Category.DEEP_HARDSHIP, path, day)
    living = standard(book, AssistanceType.LIVING_RELIEF, Category.RELATIVE_HARDSHIP, path, day)
    accident = standard(book, AssistanceType.TEMPORARY_RELIEF, Category.ACCIDENT_INDUCED, path, day)
    warmth = standard(book, AssistanceType.WARMTH_VISIT, Category.DEEP_HARDSHIP, path, day)

    assert education == (10_000_00, False)
    assert living == (8 * 790_00, True)  # 8 months of the 2025 低保 line, ¥790
    assert accident == (10_000_00, True)
    assert warmth == (None, False)


def test_a_bank_account_keeps_the_card_sealed_and_records_only_another_card() -> None:
    sealed = ("ciphertext", "ref-1", "****2222")
    account = BankAccount.record(CASE, [FUND], sealed, "花名册 r#1", "fin", date(2026, 2, 1))

    same = account.replace(
        ("other ciphertext", "ref-1", "****2222"), "r#2", "fin", date(2026, 3, 1)
    )
    other = account.replace(("new", "ref-2", "****3333"), "r#3", "fin", date(2026, 3, 1))

    assert (same, other) == (False, True)
    assert (account.masked, account.account_sealed, account.version) == ("****3333", "new", 2)
    with pytest.raises(InvalidInputError):
        card_number("6222 0000")
