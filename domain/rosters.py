"""Payment rosters (花名册): the columns of a roster file, reading one (XLSX or CSV), the rules a
row must meet on its own, and the per-row report in Chinese with English beside it.

What a row must meet against the ledger's state (the archive exists and is open, the standard,
the fund's purpose and balance) is checked by the roster use cases (domain/use_cases/rosters.py)
with the same rules as a single payment. A row's key (the roster's name and the row's 序号, or
its row number) is the payment's idempotency key: the payment's id is derived from it, so a
roster imported twice, by anyone, pays each row once."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date
from enum import StrEnum
from functools import cached_property
from typing import Self
from uuid import NAMESPACE_URL, UUID, uuid5

from domain.bank_accounts import bank_account_id, card_number
from domain.errors import InvalidInputError
from domain.money import parse_yuan
from domain.text import checked
from domain.vocabulary import AssistanceType

MAX_ROWS = 200_000
_ROSTER_PAYMENTS = uuid5(NAMESPACE_URL, "https://bangfu.example/roster-payments")


class Worded(StrEnum):
    """A stored word with its Chinese and English labels."""

    _zh: str
    _en: str

    def __new__(cls, value: str, zh: str = "", en: str = "") -> Self:
        word = str.__new__(cls, value)
        word._value_, word._zh, word._en = value, zh, en
        return word

    @property
    def zh(self) -> str:
        return self._zh

    @property
    def en(self) -> str:
        return self._en


class RowProblem(Worded):
    """Why a row is not paid."""

    MISSING_FIELD = "missing_field", "缺少必填项", "a required field is empty"
    BAD_AMOUNT = "bad_amount", "金额不正确", "not an amount of yuan"
    BAD_VALUE = "bad_value", "格式不正确", "a value is not valid"
    DUPLICATE_KEY = "duplicate_key", "序号重复", "the row key appears twice in the roster"
    UNKNOWN_FUND = "unknown_fund", "资金不存在或无权使用", "no fund the user may pay from"
    UNKNOWN_ARCHIVE = "unknown_archive", "档案不存在", "no archive has this number"
    OUTSIDE_FUND_TREE = "outside_fund_tree", "不属本资金帮扶范围", "outside the fund's subtree"
    INACTIVE_CASE = "inactive_case", "档案非在档状态", "the archive is closed"
    OVER_STANDARD = "over_standard", "超过帮扶标准", "above the standard"
    FUND_PURPOSE = "fund_purpose", "不符合资金用途", "outside the fund's earmark"
    INSUFFICIENT_FUNDS = "insufficient_funds", "资金余额不足", "the fund's balance runs out"
    REFUSED = "refused", "不予支付", "refused by the ledger's rules"
    ALREADY_PAID = "already_paid", "已支付（重复导入）", "paid already (imported before)"


class RowStatus(Worded):
    """Where a row stands after a dry run or an import."""

    VALID = "valid", "可导入", "valid"
    RECORDED = "recorded", "已记录", "recorded"
    SKIPPED = "skipped", "已跳过", "skipped"
    REFUSED = "refused", "有误", "refused"


@dataclass(frozen=True)
class RosterField:
    """A column of a roster: its key, its Chinese and English headers, other names it has."""

    key: str
    zh: str
    en: str
    required: bool = False
    aliases: tuple[str, ...] = ()


FIELDS = (
    RosterField("key", "序号", "no.", aliases=("行号", "row key", "key")),
    RosterField("case_id", "档案编号", "case id", True, ("archive number", "case_id")),
    RosterField("name", "姓名", "name", aliases=("收款人姓名", "payee")),
    RosterField("fund_id", "资金编号", "fund id", aliases=("资金", "fund", "fund_id")),
    RosterField("assistance_type", "帮扶类型", "assistance type", True, ("assistance_type",)),
    RosterField("amount", "金额（元）", "amount (yuan)", True, ("金额", "amount")),
    RosterField("standard", "标准（元）", "standard (yuan)", aliases=("标准", "standard")),
    RosterField("bank_card", "银行卡号", "bank card", aliases=("卡号", "bank_card")),
    RosterField("business_date", "业务日期", "business date", aliases=("日期", "date")),
    RosterField("note", "备注", "note", aliases=("摘要", "reference")),
)
"""The columns of a roster, in the template's order (headers in Chinese or English)."""


def folded(header: str) -> str:
    """Text as compared: NFKC, case-folded, without spaces (全角/半角 alike)."""
    return "".join(unicodedata.normalize("NFKC", header).casefold().split())


_TYPES = {folded(t.value): t for t in AssistanceType} | {folded(t.zh): t for t in AssistanceType}


def roster_payment_id(roster_key: str) -> UUID:
    """The payment a roster row asks for: the same row key, the same payment."""
    return uuid5(_ROSTER_PAYMENTS, roster_key)


@dataclass(frozen=True)
class RosterRow:
    """One row that passed the checks a row can pass on its own."""

    row: int
    roster_key: str
    case_id: UUID
    assistance_type: AssistanceType
    amount_fen: int
    fund_id: UUID
    name: str = ""
    standard_fen: int | None = None
    bank_card: str = ""
    business_date: date | None = None
    note: str = ""

    @cached_property
    def payment_id(self) -> UUID:
        return roster_payment_id(self.roster_key)

    @cached_property
    def account_id(self) -> UUID:  # the household's bank account
        return bank_account_id(self.case_id)


@dataclass(frozen=True)
class RowReport:
    """What became of one row, with the reason when it was not paid."""

    row: int
    key: str
    status: RowStatus
    problem: RowProblem | None = None
    detail: str = ""
    case_id: UUID | None = None
    amount_fen: int | None = None
    payment_id: UUID | None = None

    @property
    def message(self) -> str:
        """第5行：档案不存在（no archive has this number）：detail"""
        if self.problem is None:
            return f"第{self.row}行：{self.status.zh}（{self.status.en}）"
        said = f"第{self.row}行：{self.problem.zh}（{self.problem.en}）"
        return f"{said}：{self.detail}" if self.detail else said


@dataclass
class Roster:
    """A roster as read: its name, the fund and day rows default to, its rows."""

    name: str
    fund_id: UUID | None
    business_date: date | None
    rows: list[RosterRow] = field(default_factory=list)
    refused: list[RowReport] = field(default_factory=list)  # rows refused on their own


@dataclass(frozen=True)
class RosterReport:
    """A dry run's or an import's answer: every row, by row number."""

    roster: str
    dry_run: bool
    rows: list[RowReport]

    def count(self, status: RowStatus) -> int:
        return sum(1 for r in self.rows if r.status is status)

    def amount_fen(self, status: RowStatus) -> int:
        return sum(r.amount_fen or 0 for r in self.rows if r.status is status)


# --- the rules of one row ------------------------------------------------------------------------
class RowError(Exception):
    """A row refused on its own: the problem and what is wrong (never leaves this module)."""

    def __init__(self, problem: RowProblem, detail: str) -> None:
        super().__init__(detail)
        self.problem, self.detail = problem, detail


def parse_roster(
    table: Sequence[Sequence[str]], name: str, fund_id: UUID | None, business_date: date | None
) -> Roster:
    """The rows of a roster table (first non-empty row: the headers), each checked on its own."""
    name = checked(name, "the roster's name", max_length=100, required=True)
    roster = Roster(name, fund_id, business_date)
    keys: set[str] = set()
    for number, values in table_rows(table, FIELDS):
        key = values.get("key", "")[:60] or str(number)
        try:
            checked(values.get("key", ""), "序号 the row key", max_length=60)
            if key in keys:
                raise RowError(RowProblem.DUPLICATE_KEY, f"序号 {key} 已出现 appears above")
            keys.add(key)
            roster.rows.append(_row(number, f"{name}#{key}", values, fund_id))
        except (RowError, InvalidInputError) as e:
            problem = e.problem if isinstance(e, RowError) else RowProblem.BAD_VALUE
            roster.refused.append(RowReport(number, key, RowStatus.REFUSED, problem, e.detail))
    return roster


def columns_of(headers: Sequence[str], fields: Sequence[RosterField]) -> dict[str, int]:
    """Which column holds each field (headers in Chinese or English, any width or case);
    InvalidInputError naming the required fields that have no column."""
    known = {folded(n): f.key for f in fields for n in (f.zh, f.en, *f.aliases)}
    columns: dict[str, int] = {}
    for i, header in enumerate(headers):
        key = known.get(folded(header))
        if key is not None and key not in columns:
            columns[key] = i
    missing = [f"{f.zh} ({f.en})" for f in fields if f.required and f.key not in columns]
    if missing:
        raise InvalidInputError(
            f"the file has no column {', '.join(missing)} (缺少必需的列); "
            "see the template for the headers"
        )
    return columns


def table_rows(
    table: Sequence[Sequence[str]], fields: Sequence[RosterField]
) -> Iterator[tuple[int, dict[str, str]]]:
    """Each non-empty row below the headers (the first non-empty row), by its row number, as
    its fields' trimmed text."""
    lines = [(n, cells) for n, r in enumerate(table, 1) if any(cells := [c.strip() for c in r])]
    if not lines:
        raise InvalidInputError("the file is empty (文件为空)")
    if len(lines) > MAX_ROWS + 1:
        raise InvalidInputError(f"a file has at most {MAX_ROWS} rows")
    columns = columns_of(lines[0][1], fields)
    for number, cells in lines[1:]:
        yield number, {k: cells[i] if i < len(cells) else "" for k, i in columns.items()}


def _row(number: int, roster_key: str, v: dict[str, str], fund_id: UUID | None) -> RosterRow:
    empty = [f"{f.zh} ({f.en})" for f in FIELDS if f.required and not v.get(f.key)]
    if fund_id is None and not v.get("fund_id"):
        empty.append("资金编号 (fund id), or the roster's fund")
    if empty:
        raise RowError(RowProblem.MISSING_FIELD, ", ".join(empty))
    kind = _TYPES.get(folded(v["assistance_type"]))
    if kind is None:
        raise RowError(RowProblem.BAD_VALUE, f"帮扶类型 {v['assistance_type'][:40]!r} 未知 unknown")
    fund = _uuid(v["fund_id"], "资金编号 fund id") if v.get("fund_id") else fund_id
    assert fund is not None  # the roster's, when the row names none
    return RosterRow(
        row=number,
        roster_key=roster_key,
        case_id=_uuid(v["case_id"], "档案编号 archive number"),
        assistance_type=kind,
        amount_fen=_fen(v["amount"], "金额 amount"),
        fund_id=fund,
        name=checked(v.get("name", ""), "姓名 the name", max_length=100),
        standard_fen=_fen(v["standard"], "标准 standard") if v.get("standard") else None,
        bank_card=card_number(v["bank_card"]) if v.get("bank_card") else "",
        business_date=_day(v["business_date"]) if v.get("business_date") else None,
        note=checked(v.get("note", ""), "备注 the note"),
    )


def _uuid(text: str, what: str) -> UUID:
    try:
        return UUID(text)
    except ValueError:
        raise RowError(RowProblem.BAD_VALUE, f"{what} {text[:40]!r} 格式不正确 malformed") from None


def _fen(text: str, what: str) -> int:
    try:
        return parse_yuan(text.replace(",", ""))
    except InvalidInputError as e:
        raise RowError(RowProblem.BAD_AMOUNT, f"{what}: {e.detail}") from None


def _day(text: str) -> date:
    try:
        return date.fromisoformat(re.sub(r"[/.]", "-", text[:10]))
    except ValueError:
        detail = f"业务日期 {text[:20]!r} 不是日期 not a date"
        raise RowError(RowProblem.BAD_VALUE, detail) from None
