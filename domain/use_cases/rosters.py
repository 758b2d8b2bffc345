"""Rosters (花名册): a dry run that reports every row, and an import that pays each valid row
once, many rows from one fund in one write.

Each row is first tried on copies of its fund and household with the very rules of a payment
(nothing is saved), so a dry run reports what an import would refuse, cumulatively: a fund's
balance runs out across the rows before it. An import then pays the rows that passed, a chunk
at a time in one write; should a chunk be refused as a whole (another writer spent the fund
meanwhile), its rows are paid one by one, each refusal reported on its row.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from copy import deepcopy
from dataclasses import dataclass, field
from datetime import date
from typing import cast
from uuid import UUID

from domain.access import Permission
from domain.bank_accounts import BankAccount, bank_account_id, masked
from domain.cases import Case
from domain.errors import BangfuError, ForbiddenError
from domain.funds import Fund
from domain.payment_standards import over_standard, standard
from domain.payments import pay
from domain.policy import PolicyBook
from domain.rosters import Roster, RosterReport, RosterRow, RowProblem, RowStatus
from domain.use_cases.policy import PolicyUseCases
from domain.use_cases.roster_payments import (
    Passed,
    RosterPayments,
    RowRefusedError,
    problem_of,
    reference_of,
    row_report,
)
from domain.writes import Context

Progress = Callable[[int], None]
"""Told how many more rows are done."""


@dataclass
class _Run:
    """What one dry run or import keeps from row to row."""

    actor_only: Context  # each row is its own idempotent write: no request's key
    funds: dict[UUID, Fund | None] = field(default_factory=dict)  # the copies rows are tried on
    books: dict[tuple[UUID, ...], PolicyBook] = field(default_factory=dict)
    year_totals: dict[tuple[UUID, str, int], int] = field(default_factory=dict)


@dataclass(frozen=True)
class _Found:
    """What the store holds for a row: whether it was paid, its case, its household's bank
    account, and (for an import) its card sealed."""

    paid: bool = False
    case: Case | None = None
    account: BankAccount | None = None
    sealed: tuple[str, str, str] | None = None


class RosterUseCases(RosterPayments, PolicyUseCases):
    """Rosters in: a dry run and an import, every row reported with its fate."""

    roster_chunk = 200  # rows of one fund paid in one write
    roster_readers = 8  # threads that read the rows' cases ahead (each a query at a time)

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
        run = _Run(Context(ctx.actor))
        reports = list(roster.refused)
        chunks = list(self._chunks(roster.rows))
        with ThreadPoolExecutor(self.roster_readers, "roster") as pool:
            ahead = [self._read_ahead(pool, run, rows, dry_run) for _, rows in chunks[:1]]
            for n, (fund_id, rows) in enumerate(chunks):
                if n + 1 < len(chunks):  # read the next rows while this chunk is paid
                    ahead.append(self._read_ahead(pool, run, chunks[n + 1][1], dry_run))
                passed = []
                tried: dict[UUID, Case] = {}  # each household as the rows before left it
                for row, found in zip(rows, ahead.pop(0), strict=True):
                    try:
                        passed.append(self._check_row(run, roster, row, found.result(), tried))
                    except RowRefusedError as refused:
                        reports.append(refused.report)
                if dry_run:
                    reports += [row_report(p.row, RowStatus.VALID) for p in passed]
                elif passed:
                    reports += self._record_rows(run.actor_only, fund_id, passed)
                    run.funds.pop(fund_id, None)  # the next rows are tried on the fund as saved
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

    # --- each row tried on copies -----------------------------------------------------------------
    def _check_row(
        self, run: _Run, roster: Roster, row: RosterRow, found: _Found, tried: dict[UUID, Case]
    ) -> Passed:
        fund = self._fund_to_try(run, row)
        day = self._row_day(row, roster)
        if found.paid:
            detail = f"payment {row.payment_id}"
            raise RowRefusedError(row, RowProblem.ALREADY_PAID, detail, RowStatus.SKIPPED)
        if found.case is None:
            raise RowRefusedError(row, RowProblem.UNKNOWN_ARCHIVE, str(row.case_id))
        case = tried.get(row.case_id) or found.case
        if fund.centre_id not in case.centre_path:
            raise RowRefusedError(row, RowProblem.OUTSIDE_FUND_TREE, f"fund {fund.name!r}")
        if not case.is_open:
            detail = f"{case.status.value} ({case.status.zh})"
            raise RowRefusedError(row, RowProblem.INACTIVE_CASE, detail)
        if row.bank_card and case.personal_data_erased:
            detail = "个人信息已销毁，不能登记银行卡 personal data erased: no card can be recorded"
            raise RowRefusedError(row, RowProblem.REFUSED, detail)
        counted = self._check_standard(run, case, row, day)
        trial = deepcopy(case)
        try:
            pay(
                fund, trial, row.payment_id, row.assistance_type, row.amount_fen,
                reference_of(row), run.actor_only.actor.name, day,
            )  # fmt: skip
        except BangfuError as e:
            raise RowRefusedError(row, problem_of(e), e.detail) from None
        fund.collect_events()  # the copies keep their state, not their trial events
        trial.collect_events()
        tried[case.id] = trial
        if counted is not None:
            run.year_totals[counted[0]] = counted[1]
        # what the write that pays the row will need, kept ready for it
        self.committed.put([found.case], replace=False)
        if found.account is not None:
            self.committed.put([found.account], replace=False)
        new_account = bool(row.bank_card) and found.account is None
        return Passed(row, day, new_account, found.sealed)

    def _fund_to_try(self, run: _Run, row: RosterRow) -> Fund:
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

    # --- what the store holds for each row, read ahead by several threads ----------------------
    def _read_ahead(
        self, pool: ThreadPoolExecutor, run: _Run, rows: list[RosterRow], dry_run: bool
    ) -> list[Future[_Found]]:
        return [pool.submit(self._look_up, run, row, not dry_run) for row in rows]

    def _look_up(self, run: _Run, row: RosterRow, seal: bool) -> _Found:
        """Whether the row was paid; its case as last saved, and the policy at its centre; its
        household's bank account; and (``seal``) its card sealed under the household's key."""
        if self.recorder.select_events(row.payment_id, limit=1):
            return _Found(paid=True)
        case = self.committed.get(row.case_id) or self._load(row.case_id)
        if not isinstance(case, Case):
            return _Found()
        if tuple(case.centre_path) not in run.books:  # two threads may both read it: no harm
            run.books[tuple(case.centre_path)] = self.policy_book(case.centre_path)
        if not row.bank_card:
            return _Found(case=case)
        account_id = bank_account_id(case.id)
        account = self.committed.get(account_id)
        if account is None and self.recorder.select_events(account_id, limit=1):
            account = self._load(account_id)
        if not seal or case.personal_data_erased:
            return _Found(case=case, account=cast("BankAccount | None", account))
        vault = self._vault()
        sealed = (
            vault.seal(case.id, {"bank_card": row.bank_card, "holder": row.name}),
            vault.person_ref(f"bank card {row.bank_card}"),
            masked(row.bank_card),
        )
        return _Found(case=case, account=cast("BankAccount | None", account), sealed=sealed)

    def _check_standard(
        self, run: _Run, case: Case, row: RosterRow, day: date
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
