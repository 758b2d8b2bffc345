"""Rosters (花名册) and bank files on both stores: a dry run names each bad row and its reason
and saves nothing; an import pays the valid rows once, however often it runs; the bank file
lists the payments not reversed with name and card, its read recorded; the bank's return file
reverses each failed line once, with the bank's reason."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from uuid import UUID, uuid4

from domain.access import SYSTEM
from domain.application import Context, Ledger
from domain.bank_accounts import BankAccount, bank_account_id
from domain.cases import Person
from domain.data_access import PersonalDataRead
from domain.funds import Fund
from domain.id_numbers import make_id_number
from domain.payments import Payment
from domain.rosters import Roster, RowProblem, RowStatus, parse_roster
from domain.use_cases.bank_files import BANK_FILE_PURPOSE, ReturnStatus
from domain.vocabulary import AssistanceType, CentreLevel, ClosureReason, FundSource
from tests.unit.support import assessment

ADMIN = Context(SYSTEM)
PAID_ON = date(2026, 2, 1)
HEADERS = ["序号", "档案编号", "姓名", "帮扶类型", "金额（元）", "银行卡号"]


@dataclass
class World:
    """A district's fund (warmth visits, education aid) holding ¥2,000.00; three open households
    (the third filed with a bank card), one closed, one in the other district."""

    fund: UUID
    cases: list[UUID]
    closed: UUID
    elsewhere: UUID


def a_case(ledger: Ledger, centre: UUID, n: int, card: str = "") -> UUID:
    person = Person(f"王{n}", make_id_number("220104", date(1971, 2, 3), n), "", card)
    return ledger.register_case(ADMIN, centre, assessment(), person, date(2026, 1, 5)).result.id


def world(ledger: Ledger) -> World:
    city = ledger.create_centre(ADMIN, "长春市", CentreLevel.PREFECTURE, None).result.id
    a = ledger.create_centre(ADMIN, "朝阳区", CentreLevel.COUNTY, city).result.id
    b = ledger.create_centre(ADMIN, "南关区", CentreLevel.COUNTY, city).result.id
    kinds = [AssistanceType.WARMTH_VISIT, AssistanceType.EDUCATION_AID]
    fund = ledger.open_fund(ADMIN, a, "送温暖", FundSource.ACFTU_WARMTH_FUND, 2026, kinds)
    ledger.receive(ADMIN, fund.result.id, 2_000_00, "全总", "R-1", date(2026, 1, 2))
    cases = [a_case(ledger, a, 1), a_case(ledger, a, 2), a_case(ledger, a, 3, "6222000011112222")]
    closed = a_case(ledger, a, 4)
    ledger.close_case(ADMIN, closed, ClosureReason.DECEASED, "", date(2026, 1, 20))
    return World(fund.result.id, cases, closed, a_case(ledger, b, 5))


def roster(w: World, name: str = "2026春节") -> Roster:
    """Three good rows (2, 3 and 12: ¥500 + ¥600 + ¥900 = the fund's ¥2,000) and a bad row
    of each kind; row 8 asks ¥1,000 when ¥900 is left after rows 2 and 3."""
    c1, c2, c3 = (str(c) for c in w.cases)
    table = [
        HEADERS,
        ["1", c1, "王1", "送温暖慰问", "500.00", "6222 0000 3333 4444"],
        ["2", c2, "王2", "warmth_visit", "600.00", ""],
        ["3", str(uuid4()), "无名", "送温暖慰问", "100.00", ""],
        ["4", str(w.closed), "王4", "送温暖慰问", "100.00", ""],
        ["5", c3, "王3", "助学", "10000.01", ""],
        ["6", c3, "王3", "生活救助", "100.00", ""],
        ["7", c3, "王3", "送温暖慰问", "1000.00", ""],
        ["8", c3, "王3", "送温暖慰问", "12.345", ""],
        ["9", "", "王3", "送温暖慰问", "100.00", ""],
        ["1", c3, "王3", "送温暖慰问", "100.00", ""],
        ["11", c3, "王3", "送温暖慰问", "900.00", ""],
        ["12", str(w.elsewhere), "王5", "送温暖慰问", "100.00", ""],
    ]
    return parse_roster(table, name, w.fund, PAID_ON)


REFUSED = {
    4: RowProblem.UNKNOWN_ARCHIVE,
    5: RowProblem.INACTIVE_CASE,
    6: RowProblem.OVER_STANDARD,  # education aid above the ¥10,000 cap of local policy
    7: RowProblem.FUND_PURPOSE,
    8: RowProblem.INSUFFICIENT_FUNDS,
    9: RowProblem.BAD_AMOUNT,
    10: RowProblem.MISSING_FIELD,
    11: RowProblem.DUPLICATE_KEY,
    13: RowProblem.OUTSIDE_FUND_TREE,
}


def head(ledger: Ledger) -> int:
    return ledger.recorder.max_notification_id() or 0


def test_a_dry_run_names_each_bad_row_and_its_reason_and_saves_nothing(ledger: Ledger) -> None:
    w = world(ledger)
    before = head(ledger)

    report = ledger.check_roster(ADMIN, roster(w))

    assert {r.row: r.problem for r in report.rows if r.status is RowStatus.REFUSED} == REFUSED
    assert [r.row for r in report.rows if r.status is RowStatus.VALID] == [2, 3, 12]
    assert report.amount_fen(RowStatus.VALID) == 2_000_00
    eight = next(r for r in report.rows if r.row == 8)
    assert eight.message.startswith("第8行：资金余额不足（the fund's balance runs out）")
    assert head(ledger) == before
    assert ledger.fund(SYSTEM, w.fund).balance_fen == 2_000_00


def test_an_import_pays_the_valid_rows_once_however_often_it_runs(ledger: Ledger) -> None:
    w = world(ledger)

    first = ledger.import_roster(ADMIN, roster(w))
    after_first = head(ledger)
    again = ledger.import_roster(ADMIN, roster(w))

    assert [r.row for r in first.rows if r.status is RowStatus.RECORDED] == [2, 3, 12]
    assert {r.row: r.problem for r in first.rows if r.status is RowStatus.REFUSED} == REFUSED
    assert ledger.fund(SYSTEM, w.fund).balance_fen == 0  # 2,000.00 - 500 - 600 - 900
    assert [r.row for r in again.rows if r.status is RowStatus.SKIPPED] == [2, 3, 12]
    assert {r.problem for r in again.rows if r.status is RowStatus.SKIPPED} == {
        RowProblem.ALREADY_PAID
    }
    assert head(ledger) == after_first
    paid = ledger.payment(SYSTEM, first.rows[0].payment_id)  # type: ignore[arg-type]
    assert (paid.case_id, paid.amount_fen, paid.roster_key) == (w.cases[0], 500_00, "2026春节#1")
    account = ledger._find(BankAccount, bank_account_id(w.cases[0]))
    assert account is not None and account.masked == "****4444"


def test_the_bank_file_lists_payments_not_reversed_with_name_and_card_and_records_the_read(
    ledger: Ledger,
) -> None:
    w = world(ledger)
    report = ledger.import_roster(ADMIN, roster(w))
    paid = {r.row: r.payment_id for r in report.rows if r.status is RowStatus.RECORDED}
    ledger.reverse_payment(ADMIN, paid[3], "重复发放", PAID_ON)  # type: ignore[arg-type]
    before = head(ledger)

    found = ledger.bank_file(SYSTEM, w.fund, PAID_ON, PAID_ON)

    # row 2: the card the roster gave; row 12: the card the household was filed with
    assert [(x.payee, x.bank_card, x.amount_fen) for x in found.lines] == [
        ("王1", "6222000033334444", 500_00),
        ("王3", "6222000011112222", 900_00),
    ]
    assert [x.payment_id for x in found.lines] == [paid[2], paid[12]]
    assert found.left_out == [(paid[3], "已冲正 reversed")]
    reads = [
        e
        for n in ledger.notification_log.select(before + 1, 10)
        if isinstance(e := ledger.mapper.to_domain_event(n), PersonalDataRead.Recorded)
    ]
    assert [(e.case_ids, e.purpose) for e in reads] == [  # type: ignore[attr-defined]
        ([w.cases[0], w.cases[2]], BANK_FILE_PURPOSE)
    ]
    ledger.erase_personal_data(SYSTEM, w.cases[0], "申请删除")  # the card goes with the key
    after = ledger.bank_file(SYSTEM, w.fund)
    assert [x.payment_id for x in after.lines] == [paid[12]]
    assert (paid[2], "个人信息已销毁 personal data erased") in after.left_out


def test_a_return_file_reverses_exactly_its_failed_lines_once_with_the_banks_reason(
    ledger: Ledger,
) -> None:
    w = world(ledger)
    report = ledger.import_roster(ADMIN, roster(w))
    paid = {r.row: str(r.payment_id) for r in report.rows if r.status is RowStatus.RECORDED}
    returned = [
        ["业务参考号", "处理结果", "失败原因"],
        [paid[2], "失败", "户名不符"],
        [paid[3], "成功", ""],
        [paid[12], "退票", "账户已销户"],
    ]

    first = ledger.import_bank_returns(ADMIN, returned, PAID_ON)
    again = ledger.import_bank_returns(ADMIN, returned, PAID_ON)

    assert [r.status for r in first] == [
        ReturnStatus.REVERSED,
        ReturnStatus.PAID,
        ReturnStatus.REVERSED,
    ]
    assert [r.status for r in again] == [
        ReturnStatus.ALREADY_REVERSED,
        ReturnStatus.PAID,
        ReturnStatus.ALREADY_REVERSED,
    ]
    reasons = [ledger.payment(SYSTEM, UUID(paid[n])).reversal_reason for n in (2, 3, 12)]
    assert reasons == ["银行退票 bank return: 户名不符", None, "银行退票 bank return: 账户已销户"]
    fund = ledger._find(Fund, w.fund)
    assert fund is not None and fund.balance_fen == 500_00 + 900_00  # back from rows 2 and 12
    assert ledger._find(Payment, UUID(paid[3])) is not None


def test_a_household_given_two_cards_in_one_roster_keeps_the_later_and_both_are_on_record(
    ledger: Ledger,
) -> None:
    w = world(ledger)
    c1 = str(w.cases[0])
    table = [HEADERS, ["1", c1, "王1", "助学", "100.00", "6222000011111111"]]
    table.append(["2", c1, "王一", "送温暖慰问", "100.00", "6222000022222222"])

    report = ledger.import_roster(ADMIN, parse_roster(table, "两张卡", w.fund, PAID_ON))

    assert [r.status for r in report.rows] == [RowStatus.RECORDED, RowStatus.RECORDED]
    account = ledger._find(BankAccount, bank_account_id(w.cases[0]))
    assert account is not None and (account.masked, account.version) == ("****2222", 2)
    lines = ledger.bank_file(SYSTEM, w.fund).lines
    assert [(x.payee, x.bank_card) for x in lines] == [("王一", "6222000022222222")] * 2
