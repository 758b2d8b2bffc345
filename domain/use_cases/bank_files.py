"""Bank files (银行代发): the payment file a centre sends its bank for payments made (payee,
card, amount, reference), its reading of personal data recorded; and the bank's return file
(回盘), whose failed lines become reversals (冲正) with the bank's reason, once each."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from uuid import UUID

from domain.access import Actor, Permission
from domain.bank_accounts import BankAccount, bank_account_id
from domain.cases import Case
from domain.data_access import PersonalDataRead
from domain.errors import (
    AlreadyReversedError,
    BangfuError,
    CaseNotFoundError,
    PaymentNotFoundError,
)
from domain.funds import Fund
from domain.payments import Payment
from domain.results import Created
from domain.rosters import RosterField, Worded, folded, table_rows
from domain.use_cases.money import MoneyUseCases
from domain.writes import Change, Context

BANK_FILE_PURPOSE = "bank payment file"
RETURN_FIELDS = (
    RosterField("reference", "业务参考号", "reference", True, ("参考号", "支付编号", "payment id")),
    RosterField("result", "处理结果", "result", True, ("结果", "status")),
    RosterField("reason", "失败原因", "reason", aliases=("原因", "备注", "note")),
)
"""The columns of a bank's return file: the reference the bank file gave, the result, why."""
_PAID = {folded(w) for w in ("成功", "已入账", "success", "succeeded", "ok", "paid")}
_FAILED = {folded(w) for w in ("失败", "退票", "退回", "failed", "failure", "returned", "rejected")}


@dataclass(frozen=True)
class BankLine:
    """One payment as the bank pays it (the reference is the payment's id)."""

    payment_id: UUID
    case_id: UUID
    payee: str
    bank_card: str
    amount_fen: int
    reference: str
    business_date: date


@dataclass(frozen=True)
class BankFile:
    """The lines for the bank, and the payments left out with the reason."""

    lines: list[BankLine]
    left_out: list[tuple[UUID, str]]


class ReturnStatus(Worded):
    """What became of a line of the bank's return file."""

    PAID = "paid", "已入账", "paid by the bank"
    REVERSED = "reversed", "已冲正（退票）", "reversed: the bank returned it"
    ALREADY_REVERSED = "already_reversed", "此前已冲正", "reversed before"
    REFUSED = "refused", "有误", "refused"


@dataclass(frozen=True)
class ReturnReport:
    """One line of a return file and what became of it."""

    row: int
    reference: str
    status: ReturnStatus
    detail: str = ""
    reversal_id: UUID | None = None


class BankFileUseCases(MoneyUseCases):
    """The bank file out, the return file in."""

    def bank_file(
        self,
        actor: Actor,
        fund_id: UUID,
        date_from: date | None = None,
        date_to: date | None = None,
        roster: str | None = None,
    ) -> BankFile:
        """The payments of a fund the user may pay from, dated in the period (and asked for by
        the roster named, if one is), with each household's name and card (its bank account's,
        else the one it was filed with); a reversed payment is left out. The read of their
        personal data is recorded before anything is opened."""
        self.fund(actor, fund_id, Permission.RECORD_MONEY)
        paid = [
            e.payment_id
            for e in self.stream(fund_id)
            if isinstance(e, Fund.Disbursed)
            and (date_from is None or e.business_date >= date_from)
            and (date_to is None or e.business_date <= date_to)
        ]
        payments, left_out = [], []
        for payment_id in paid:
            payment = self._get(Payment, payment_id, PaymentNotFoundError)
            if roster is not None and not (payment.roster_key or "").startswith(f"{roster}#"):
                continue
            if payment.is_reversed:
                left_out.append((payment_id, "已冲正 reversed"))
            else:
                payments.append(payment)
        cases = {p.case_id: self._get(Case, p.case_id, CaseNotFoundError) for p in payments}
        accounts = {
            case_id: account
            for case_id in cases
            if (account := self._find(BankAccount, bank_account_id(case_id))) is not None
        }
        self._record_read(actor, list(cases), BANK_FILE_PURPOSE)
        vault = self._vault()
        people = vault.open_many({case_id: c.person_sealed for case_id, c in cases.items()})
        cards = vault.open_many({case_id: a.account_sealed for case_id, a in accounts.items()})
        lines = []
        for p in payments:
            person, card = people.get(p.case_id), cards.get(p.case_id) or {}
            number = card.get("bank_card") or (person or {}).get("bank_card", "")
            if person is None:
                left_out.append((p.id, "个人信息已销毁 personal data erased"))
            elif not number:
                left_out.append((p.id, "无银行卡号 no bank card on record"))
            else:
                payee = card.get("holder") or person["name"]
                lines.append(
                    BankLine(p.id, p.case_id, payee, number, p.amount_fen, p.reference, p.paid_on)
                )
        return BankFile(lines, left_out)

    def _record_read(self, actor: Actor, case_ids: list[UUID], purpose: str) -> None:
        """Who read whose personal data, and why, committed before anything is opened."""
        if case_ids:
            self._write(Context(actor), lambda: self._read_by(actor, case_ids, purpose))

    def _read_by(self, actor: Actor, case_ids: list[UUID], purpose: str) -> Change[Created]:
        record = PersonalDataRead(case_ids, purpose, actor.name, self.today())
        return Change(Created(record.id), [record])

    def import_bank_returns(
        self, ctx: Context, table: Sequence[Sequence[str]], business_date: date | None = None
    ) -> list[ReturnReport]:
        """Each failed line reverses its payment with the bank's reason; a payment reversed
        before is left as it is (a return file imported twice reverses nothing again). Only a
        user who may record money anywhere reads the file; each line checks its own fund."""
        ctx.actor.require(Permission.RECORD_MONEY)
        day, actor_only = self._day(business_date), Context(ctx.actor)
        reports = []
        for number, line in table_rows(table, RETURN_FIELDS):
            reference, result = line["reference"], folded(line.get("result", ""))
            if result in _PAID:
                reports.append(ReturnReport(number, reference, ReturnStatus.PAID))
            elif result in _FAILED:
                reason = line.get("reason", "")[:150] or "未说明 no reason given"
                reports.append(self._returned(actor_only, number, reference, reason, day))
            else:
                detail = f"处理结果 {line.get('result', '')[:40]!r} 未知 unknown result"
                reports.append(ReturnReport(number, reference, ReturnStatus.REFUSED, detail))
        return reports

    def _returned(
        self, ctx: Context, number: int, reference: str, reason: str, day: date
    ) -> ReturnReport:
        """A line the bank could not pay: its payment reversed, unless it was before."""
        try:
            payment_id = UUID(reference)
        except ValueError:
            detail = f"业务参考号 {reference[:40]!r} 不是支付编号 not a payment id"
            return ReturnReport(number, reference, ReturnStatus.REFUSED, detail)
        try:
            done = self.reverse_payment(ctx, payment_id, f"银行退票 bank return: {reason}", day)
        except AlreadyReversedError as e:
            return ReturnReport(number, reference, ReturnStatus.ALREADY_REVERSED, e.detail)
        except BangfuError as e:
            return ReturnReport(number, reference, ReturnStatus.REFUSED, e.detail)
        return ReturnReport(number, reference, ReturnStatus.REVERSED, reason, done.result.id)
