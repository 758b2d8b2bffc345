"""Rosters (花名册): a dry run that reports every row, and an import that pays each valid row
once, many rows from one fund in one write.

A chunk of rows (from one fund) is read from the store ahead of its turn, all at once
(domain/use_cases/roster_reads.py). Each row is then tried with the very rules of a payment on
the chunk's own copies of its fund and households, so a dry run reports what an import would
refuse, cumulatively: a fund's balance runs out across the rows before it. An import then saves
the copies as the rows that passed left them, a chunk in one write; should the store refuse that
write (another writer changed the fund or a household meanwhile), the chunk's rows are decided
again on the state as saved, and paid one by one should that be refused as a whole, each refusal
reported on its row (domain/use_cases/roster_payments.py).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from copy import deepcopy
from datetime import date
from uuid import UUID

from domain.access import Permission
from domain.bank_accounts import BankAccount
from domain.cases import Case
from domain.clock import use_clock
from domain.errors import BangfuError, ForbiddenError
from domain.funds import Fund
from domain.payment_standards import over_standard, standard
from domain.payments import PaymentLinks, pay
from domain.rosters import Roster, RosterReport, RosterRow, RowProblem, RowStatus
from domain.use_cases.roster_payments import (
    Passed,
    RosterPayments,
    RowRefusedError,
    Trial,
    problem_of,
    reference_of,
    row_report,
)
from domain.use_cases.roster_reads import Found, RosterReads, RosterRun
from domain.writes import Context

Progress = Callable[[int], None]
"""Told how many more rows are done."""


class RosterUseCases(RosterPayments, RosterReads):
    """Rosters in: a dry run and an import, every row reported with its fate."""

    roster_chunk = 1000  # rows of one fund paid in one write

    def check_roster(
        self, ctx: Context, roster: Roster, progress: Progress | None = None
    ) -> RosterReport:
        """The dry run: every row's fate as an import would decide it now; nothing is saved."""
        return self._run_roster(ctx, roster, True, progress)

    def import_roster(
        self, ctx: Context, roster: Roster, progress: Progress | None = None
    ) -> RosterReport:
        """Pay every valid row once (a row paid before is skipped); every row reported."""
        return self._run_roster(ctx, roster, False, progress)

    def _run_roster(
        self, ctx: Context, roster: Roster, dry_run: bool, progress: Progress | None
    ) -> RosterReport:
        if roster.fund_id is not None:  # the roster's own fund: refused as a whole if not allowed
            self.fund(ctx.actor, roster.fund_id, Permission.RECORD_MONEY)
        run = RosterRun(Context(ctx.actor))
        reports = list(roster.refused)
        chunks = list(self._chunks(roster.rows))
        with ThreadPoolExecutor(self.roster_readers, "roster") as pool:
            ahead = [self._read_ahead(pool, run, rows, not dry_run) for _, rows in chunks[:1]]
            for n, (fund_id, rows) in enumerate(chunks):
                if n + 1 < len(chunks):  # read the next rows while this chunk is paid
                    ahead.append(self._read_ahead(pool, run, chunks[n + 1][1], not dry_run))
                found = [f for part in ahead.pop(0) for f in part.result()]
                trial, passed = Trial(), []
                with use_clock(self.clock):
                    for row, f in zip(rows, found, strict=True):
                        try:
                            passed.append(self._check_row(run, roster, row, f, trial))
                        except RowRefusedError as refused:
                            reports.append(refused.report)
                if dry_run:
                    reports += [row_report(p.row, RowStatus.VALID) for p in passed]
                    trial.discard()
                elif passed:
                    reports += self._record_rows(run.actor_only, fund_id, passed, trial)
                    run.funds.pop(fund_id, None)  # the next rows are tried on the fund as saved
                    run.written |= {p.row.case_id for p in passed}
                    run.written |= {p.row.account_id for p in passed}
                if progress is not None:
                    progress(len(rows))
        return RosterReport(roster.name, dry_run, sorted(reports, key=lambda r: r.row))

    def _chunks(self, rows: list[RosterRow]) -> Iterator[tuple[UUID, list[RosterRow]]]:
        """Runs of consecutive rows paid from one fund, at most ``roster_chunk`` long."""
        chunk: list[RosterRow] = []
        for row in rows:
            if chunk and (len(chunk) >= self.roster_chunk or row.fund_id != chunk[0].fund_id):
                yield chunk[0].fund_id, chunk
                chunk = []
            chunk.append(row)
        if chunk:
            yield chunk[0].fund_id, chunk

    # --- each row tried on the chunk's copies ----------------------------------------------------
    def _check_row(
        self, run: RosterRun, roster: Roster, row: RosterRow, found: Found, trial: Trial
    ) -> Passed:
        fund = trial.fund = self._fund_to_try(run, row)
        day = self._row_day(row, roster)
        if found.paid:
            detail = f"payment {row.payment_id}"
            raise RowRefusedError(row, RowProblem.ALREADY_PAID, detail, RowStatus.SKIPPED)
        case = trial.cases.get(row.case_id) or self._latest(run, Case, row.case_id, found.case)
        if case is None:
            raise RowRefusedError(row, RowProblem.UNKNOWN_ARCHIVE, str(row.case_id))
        if fund.centre_id not in case.centre_path:
            raise RowRefusedError(row, RowProblem.OUTSIDE_FUND_TREE, f"fund {fund.name!r}")
        if not case.is_open:
            detail = f"{case.status.value} ({case.status.zh})"
            raise RowRefusedError(row, RowProblem.INACTIVE_CASE, detail)
        if row.bank_card and case.personal_data_erased:
            detail = "个人信息已销毁，不能登记银行卡 personal data erased: no card can be recorded"
            raise RowRefusedError(row, RowProblem.REFUSED, detail)
        counted = self._check_standard(run, case, row, day)
        marked = len(case.pending_events)
        before = deepcopy(case) if marked else None  # a household's second row in the chunk
        try:
            payment = pay(
                fund, case, row.payment_id, row.assistance_type, row.amount_fen,
                reference_of(row), run.actor_only.actor.name, day,
                PaymentLinks(roster_key=row.roster_key),
            )  # fmt: skip
        except BangfuError as e:  # the fund refused after the household noted the payment
            if len(case.pending_events) > marked:
                trial.cases[case.id] = before if before is not None else self._load_case(case.id)
            raise RowRefusedError(row, problem_of(e), e.detail) from None
        trial.cases[case.id] = case
        trial.payments.append(payment)
        if counted is not None:
            run.year_totals[counted[0]] = counted[1]
        account_id = row.account_id
        account = trial.accounts.get(account_id) or self._latest(
            run, BankAccount, account_id, found.account
        )
        passed = Passed(row, day, row.bank_card != "" and account is None, found.sealed)
        if found.card_ref is not None:
            self._try_account(run, trial, passed, case, account, found.card_ref)
        return passed

    def _try_account(
        self,
        run: RosterRun,
        trial: Trial,
        p: Passed,
        case: Case,
        account: BankAccount | None,
        card_ref: str,
    ) -> None:
        """The household's bank account with the row's card on record (the same: no change)."""
        if account is not None and account.account_ref == card_ref:
            return
        if p.sealed is None:  # the card on record when read, changed by a row above since
            p.sealed = self._sealed(p.row, card_ref)
        source, actor = f"花名册 roster {p.row.roster_key}", run.actor_only.actor.name
        if account is None:
            path = case.centre_path
            account = BankAccount.record(case.id, path, p.sealed, source, actor, p.day)
        else:
            account.replace(p.sealed, source, actor, p.day)
        trial.accounts[account.id] = account

    def _load_case(self, case_id: UUID) -> Case:
        found = self._load(case_id)
        assert isinstance(found, Case)  # it was read before
        return found

    def _fund_to_try(self, run: RosterRun, row: RosterRow) -> Fund:
        """A copy of the row's fund as last saved, once the user may pay from it."""
        if row.fund_id not in run.funds:
            found = self.committed.get(row.fund_id) or self._load(row.fund_id)
            fund = found if isinstance(found, Fund) else None
            try:
                if fund is not None:
                    run.actor_only.actor.require(Permission.RECORD_MONEY, fund.centre_path)
            except ForbiddenError:
                fund = None
            run.funds[row.fund_id] = fund
        fund = run.funds[row.fund_id]
        if fund is None:
            raise RowRefusedError(row, RowProblem.UNKNOWN_FUND, str(row.fund_id))
        return fund

    def _row_day(self, row: RosterRow, roster: Roster) -> date:
        try:
            return self._day(row.business_date or roster.business_date)
        except BangfuError as e:
            raise RowRefusedError(row, RowProblem.BAD_VALUE, e.detail) from None

    def _check_standard(
        self, run: RosterRun, case: Case, row: RosterRow, day: date
    ) -> tuple[tuple[UUID, str, int], int] | None:
        """Within the row's own standard and the one local policy sets for the kind (a year's
        standard counts the household's rows of the kind before it in the roster): the year's
        total to keep once the row passes, if it counts towards one."""
        if row.standard_fen is not None and row.amount_fen > row.standard_fen:
            detail = over_standard(row.amount_fen, row.standard_fen, False)
            raise RowRefusedError(row, RowProblem.OVER_STANDARD, detail)
        path = tuple(case.centre_path)
        if path not in run.books:  # the household was transferred since it was read
            run.books[path] = self.policy_book(path)
        where = [str(c) for c in path]
        cap, yearly = standard(run.books[path], row.assistance_type, case.category, where, day)
        if cap is None:
            return None
        key = (case.id, row.assistance_type.value, day.year)
        total = row.amount_fen + (run.year_totals.get(key, 0) if yearly else 0)
        if total > cap:
            raise RowRefusedError(row, RowProblem.OVER_STANDARD, over_standard(total, cap, yearly))
        return (key, total) if yearly else None
