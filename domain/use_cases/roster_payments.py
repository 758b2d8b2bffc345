"""Paying a roster's rows that passed their checks: many rows from one fund in one write (one
transaction, one extension of the hash chain), each with the payment id its row key gives, and
the household's bank card recorded (sealed) where the row names one.

The rows were tried on the chunk's own copies of its fund and households (domain/use_cases/
rosters.py), and those copies, with the new payments and bank accounts, already hold the events
that pay the rows: the write saves them as they stand. The store refuses that write if another
writer changed any of them since they were read (their versions), and so does the write itself
if a command in the same batch touched one; then every row is decided again on the state as
saved, in one write, or one by one should that write be refused as a whole."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from uuid import UUID

from eventsourcing.domain import Aggregate

from domain.access import Permission
from domain.bank_accounts import BankAccount
from domain.cases import Case
from domain.errors import (
    BackdatedOverdraftError,
    BangfuError,
    CaseClosedError,
    InsufficientFundsError,
    PurposeNotAllowedError,
)
from domain.funds import Fund
from domain.group_commit import Job
from domain.payments import Payment, PaymentLinks
from domain.results import Created
from domain.rosters import RosterRow, RowProblem, RowReport, RowStatus
from domain.use_cases.money import MoneyUseCases
from domain.writes import Change, Context

_PROBLEMS: list[tuple[type[BangfuError], RowProblem]] = [
    (PurposeNotAllowedError, RowProblem.FUND_PURPOSE),
    (InsufficientFundsError, RowProblem.INSUFFICIENT_FUNDS),
    (BackdatedOverdraftError, RowProblem.INSUFFICIENT_FUNDS),
    (CaseClosedError, RowProblem.INACTIVE_CASE),
]


def problem_of(error: BangfuError) -> RowProblem:
    """The roster's word for a refusal by the ledger's rules."""
    return next((p for kind, p in _PROBLEMS if isinstance(error, kind)), RowProblem.REFUSED)


def reference_of(row: RosterRow) -> str:
    """The payment's reference (凭证/摘要): the row's note, else the roster and row."""
    return row.note or f"花名册 {row.roster_key}"


def row_report(
    row: RosterRow,
    status: RowStatus,
    problem: RowProblem | None = None,
    detail: str = "",
    payment_id: UUID | None = None,
) -> RowReport:
    """What became of a row; a row recorded or paid before names its payment."""
    if payment_id is None and status in (RowStatus.RECORDED, RowStatus.SKIPPED):
        payment_id = row.payment_id
    key = row.roster_key.rsplit("#", 1)[-1]
    return RowReport(row.row, key, status, problem, detail, row.case_id, row.amount_fen, payment_id)


class RowRefusedError(Exception):
    """A row not paid, and why (caught by the roster's run, never shown as an error)."""

    def __init__(
        self,
        row: RosterRow,
        problem: RowProblem,
        detail: str = "",
        status: RowStatus = RowStatus.REFUSED,
        payment_id: UUID | None = None,
    ) -> None:
        super().__init__(detail)
        self.report = row_report(row, status, problem, detail, payment_id)


@dataclass
class Passed:
    """A row that passed its checks: its business date, whether its household has no bank
    account yet, and its card sealed as (ciphertext, keyed hash, masked tail), if it has one."""

    row: RosterRow
    day: date
    new_account: bool = False
    sealed: tuple[str, str, str] | None = None


@dataclass
class Trial:
    """A chunk's copies of its fund and households, and its new payments and bank accounts, as
    the rows that passed left them (their events pending)."""

    fund: Fund | None = None
    cases: dict[UUID, Case] = field(default_factory=dict)
    accounts: dict[UUID, BankAccount] = field(default_factory=dict)
    payments: list[Payment] = field(default_factory=list)

    def aggregates(self) -> list[Aggregate]:
        """What the write saves: the fund, then the households, payments and accounts."""
        changed = [a for a in (*self.cases.values(), *self.accounts.values()) if a.pending_events]
        return [a for a in (self.fund, *changed, *self.payments) if a is not None]

    def discard(self) -> None:
        """Forget the events (a dry run): the copies keep their state."""
        for aggregate in self.aggregates():
            aggregate.collect_events()


class RosterPayments(MoneyUseCases):
    """The writes of a roster import."""

    def _record_rows(
        self, ctx: Context, fund_id: UUID, passed: list[Passed], trial: Trial | None = None
    ) -> list[RowReport]:
        """Pay the rows in one write (the trial's copies as they stand, if they still may be
        saved); if that write is refused, each row in a write of its own."""
        absent = {p.row.payment_id for p in passed}
        absent |= {p.row.account_id for p in passed if p.new_account}
        try:
            return self._pay_rows(ctx, fund_id, passed, frozenset(absent), trial)
        except BangfuError:
            pass
        reports = []
        for p in passed:
            try:
                reports += self._pay_rows(ctx, fund_id, [p], frozenset())
            except BangfuError as e:
                reports.append(row_report(p.row, RowStatus.REFUSED, problem_of(e), e.detail))
        return reports

    def _pay_rows(
        self,
        ctx: Context,
        fund_id: UUID,
        passed: list[Passed],
        absent: frozenset[UUID],
        trial: Trial | None = None,
    ) -> list[RowReport]:
        """One write paying the rows (``absent``: ids the rows' checks found in no store, so
        that deciding the write looks none of them up; after a lost race, it looks again):
        the trial's copies as they stand, the first time and if no other command of the batch
        touched them; else every row decided again on the state as saved."""
        reports: list[RowReport] = []
        tries = 0

        def change() -> Change[Created]:
            nonlocal tries
            tries += 1
            reports.clear()
            if trial is not None and tries == 1 and self._may_save(trial):
                reports.extend(row_report(p.row, RowStatus.RECORDED) for p in passed)
                return Change(Created(fund_id), trial.aggregates())
            fund = self.fund(ctx.actor, fund_id, Permission.RECORD_MONEY)
            touched: dict[UUID, Aggregate] = {fund.id: fund}
            for p in passed:
                row = p.row
                if self._find(Payment, row.payment_id) is not None:  # paid since it was tried
                    reports.append(row_report(row, RowStatus.SKIPPED, RowProblem.ALREADY_PAID))
                    continue
                made = self._payment(
                    ctx, fund, row.case_id, row.assistance_type, row.amount_fen,
                    reference_of(row), p.day, payment_id=row.payment_id,
                    links=PaymentLinks(roster_key=row.roster_key),
                )  # fmt: skip
                touched |= {a.id: a for a in made.aggregates}
                if p.sealed is not None:
                    made_now = touched.get(row.account_id)  # by a row above
                    account = self._record_account(ctx, row, p, made_now)
                    touched[account.id] = account
                reports.append(row_report(row, RowStatus.RECORDED))
            return Change(Created(fund.id), list(touched.values()))

        self.committer.submit(Job(lambda: self._decide(ctx, change), absent))
        return list(reports)

    def _may_save(self, trial: Trial) -> bool:
        """Whether the trial's copies may be saved as they stand in the batch being decided:
        none of them touched by another command of the batch (that one was decided first)."""
        working = getattr(self._local, "working", None)
        held = working.aggregates if working is not None else {}
        return not any(a.id in held for a in trial.aggregates())

    def _record_account(
        self, ctx: Context, row: RosterRow, p: Passed, made_now: Aggregate | None
    ) -> BankAccount:
        """The household's account with the row's card on record (the same card: no change)."""
        assert p.sealed is not None
        found = made_now or self._find(BankAccount, row.account_id)
        source = f"花名册 roster {row.roster_key}"
        if not isinstance(found, BankAccount):
            case = self._find(Case, row.case_id)
            assert case is not None  # paid just before
            path, actor = case.centre_path, ctx.actor.name
            return BankAccount.record(case.id, path, p.sealed, source, actor, p.day)
        found.replace(p.sealed, source, ctx.actor.name, p.day)
        return found
