"""A roster imported a chunk at a time, on both stores: each chunk is one write of the copies its
rows were tried on (COPY on PostgreSQL), and the log, its chain and its snapshots verify; a chunk
whose fund another process spent meanwhile, or another command of the same batch, is decided
again on the fund as that left it, never overdrawing it; a household the fund refuses keeps only
the payments it was given; a card already on record is not recorded again, and one given back
after another is."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any
from uuid import UUID

from domain.access import SYSTEM
from domain.application import Context, Ledger
from domain.bank_accounts import BankAccount, bank_account_id
from domain.cases import Case
from domain.group_commit import Job
from domain.results import Created
from domain.rosters import Roster, RosterReport, RowProblem, RowStatus, parse_roster
from domain.vocabulary import AssistanceType
from domain.writes import Change
from stores import open_ledger
from stores.bulk_events import BulkPostgresRecorder
from supervision.verify import verify
from tests.integration.test_concurrent_payments import small_fund_with_cases

ADMIN = Context(SYSTEM)
PAID_ON = date(2026, 2, 1)
HEADERS = ["序号", "档案编号", "姓名", "帮扶类型", "金额（元）", "银行卡号"]
WARMTH = "送温暖慰问"


def a_roster(name: str, fund: UUID, rows: list[tuple[UUID, str, str, str]]) -> Roster:
    """Rows of (household, kind, yuan, card), keyed 1, 2, 3 ..."""
    table = [HEADERS] + [
        [str(n), str(case), f"户{n}", kind, yuan, card]
        for n, (case, kind, yuan, card) in enumerate(rows, start=1)
    ]
    return parse_roster(table, name, fund, PAID_ON)


def statuses(report: RosterReport) -> dict[int, RowStatus | RowProblem]:
    """Each row's fate, by its place in the roster (0 for the first row)."""
    return {r.row - 2: r.problem or r.status for r in report.rows}


def test_a_roster_of_many_rows_is_paid_a_chunk_a_write_and_the_log_verifies(
    ledger: Ledger,
) -> None:
    fund, cases = small_fund_with_cases(ledger, 2_000_00, 4)
    card = "6222000011112222"
    rows = [(cases[n % 4], WARMTH, "10.00", card if n % 4 == 0 else "") for n in range(120)]
    ledger.roster_chunk = 50
    if isinstance(ledger.recorder, BulkPostgresRecorder):
        ledger.recorder.copy_from = 20  # each chunk's ~100 events written by COPY
    writes = ledger.committer.batches

    first = ledger.import_roster(ADMIN, a_roster("冬季", fund, rows))
    head = ledger.recorder.max_notification_id()
    again = ledger.import_roster(ADMIN, a_roster("冬季", fund, rows))

    assert first.count(RowStatus.RECORDED) == 120
    assert ledger.committer.batches - writes == 3  # 50 + 50 + 20 rows
    saved = ledger.fund(SYSTEM, fund)
    assert (saved.balance_fen, saved.version) == (2_000_00 - 120 * 10_00, 2 + 120)
    household = ledger._find(Case, cases[0])
    assert household is not None and household.received_fen == 30 * 10_00
    account = ledger._find(BankAccount, bank_account_id(cases[0]))
    assert account is not None and (account.masked, account.version) == ("****2222", 1)
    assert ledger.snapshots is not None and ledger.snapshots.get(fund, desc=True, limit=1)
    assert again.count(RowStatus.SKIPPED) == 120
    assert ledger.recorder.max_notification_id() == head
    report = verify(ledger, None)
    assert report.ok, report.faults[:3]


def test_a_chunk_whose_fund_another_writer_spent_meanwhile_never_overdraws_it(
    ledger: Ledger, store_url: str, tmp_path: Path
) -> None:
    fund, cases = small_fund_with_cases(ledger, 1_000_00, 3)
    rows = [(cases[n % 3], WARMTH, "100.00", "") for n in range(6)]
    other = open_ledger(store_url, master_key_file=tmp_path / "master.key", create_tables=False)
    ledger.roster_chunk = 2
    spent: list[UUID] = []

    def after_a_chunk(rows_done: int) -> None:  # another process pays ¥500 after chunk 1
        if not spent:
            kind = AssistanceType.WARMTH_VISIT
            spent.append(other.pay(ADMIN, fund, cases[0], kind, 500_00, "他人", PAID_ON).result.id)

    try:
        report = ledger.import_roster(ADMIN, a_roster("春节", fund, rows), after_a_chunk)
    finally:
        other.close()

    assert statuses(report) == {
        **dict.fromkeys(range(5), RowStatus.RECORDED),
        5: RowProblem.INSUFFICIENT_FUNDS,
    }
    assert ledger.lost_races >= 1  # chunk 2 was tried on the fund as it was before the ¥500
    saved = ledger.fund(SYSTEM, fund)
    assert (saved.balance_fen, saved.disbursed_fen) == (0, 1_000_00)


def wait_until(condition: Callable[[], bool]) -> None:
    deadline = time.monotonic() + 10
    while not condition():
        assert time.monotonic() < deadline, "the writes never queued"
        time.sleep(0.005)


def test_a_chunk_in_one_batch_after_another_payment_from_its_fund_is_decided_after_it(
    ledger: Ledger,
) -> None:
    fund, cases = small_fund_with_cases(ledger, 1_000_00, 2)
    roster = a_roster("腊八", fund, [(c, WARMTH, "100.00", "") for c in cases])
    gate, done = threading.Event(), []

    def held() -> Change[Created]:  # keeps the committer busy until both writes wait
        gate.wait(10)
        return Change(Created(fund), [])

    def run(write: Callable[[], Any]) -> threading.Thread:
        thread = threading.Thread(target=lambda: done.append(write()))
        thread.start()
        return thread

    threads = [run(lambda: ledger.committer.submit(Job(held)))]
    wait_until(lambda: ledger.committer.in_batch == 1)
    kind = AssistanceType.WARMTH_VISIT
    threads.append(run(lambda: ledger.pay(ADMIN, fund, cases[0], kind, 850_00, "他人", PAID_ON)))
    wait_until(lambda: ledger.committer.waiting == 1)
    threads.append(run(lambda: ledger.import_roster(ADMIN, roster)))
    wait_until(lambda: ledger.committer.waiting == 2)  # the chunk, tried on ¥1,000, queued
    gate.set()
    for thread in threads:
        thread.join(10)

    (report,) = [d for d in done if isinstance(d, RosterReport)]
    assert statuses(report) == {0: RowStatus.RECORDED, 1: RowProblem.INSUFFICIENT_FUNDS}
    assert ledger.lost_races == 0  # decided again within the batch, not after a lost race
    assert ledger.fund(SYSTEM, fund).balance_fen == 50_00


def test_a_household_the_fund_refuses_keeps_only_the_payments_it_was_given(
    ledger: Ledger,
) -> None:
    fund, (case,) = small_fund_with_cases(ledger, 250_00, 1)
    rows = [
        (case, "生活救助", "100.00", ""),  # not what the fund pays for
        (case, WARMTH, "100.00", ""),
        (case, WARMTH, "200.00", ""),  # more than the ¥150 left
        (case, WARMTH, "100.00", ""),
    ]

    dry = ledger.check_roster(ADMIN, a_roster("秋季", fund, rows))
    report = ledger.import_roster(ADMIN, a_roster("秋季", fund, rows))

    expected = {
        0: RowProblem.FUND_PURPOSE,
        1: RowStatus.RECORDED,
        2: RowProblem.INSUFFICIENT_FUNDS,
        3: RowStatus.RECORDED,
    }
    assert statuses(report) == expected
    assert statuses(dry) == expected | {1: RowStatus.VALID, 3: RowStatus.VALID}
    household = ledger._find(Case, case)
    assert household is not None and household.received_fen == 200_00
    noted = [e for e in ledger.stream(case) if type(e).__name__ == "AssistanceReceived"]
    assert [e.amount_fen for e in noted] == [100_00, 100_00]  # type: ignore[attr-defined]
    assert ledger.fund(SYSTEM, fund).balance_fen == 50_00


def test_a_card_on_record_is_not_recorded_again_and_one_given_back_is(ledger: Ledger) -> None:
    fund, (case,) = small_fund_with_cases(ledger, 1_000_00, 1)
    old, new = "6222000011112222", "6222000033334444"
    ledger.import_roster(ADMIN, a_roster("一月", fund, [(case, WARMTH, "10.00", old)]))

    ledger.import_roster(ADMIN, a_roster("二月", fund, [(case, WARMTH, "10.00", old)]))
    unchanged = ledger._find(BankAccount, bank_account_id(case))
    back = [(case, WARMTH, "10.00", new), (case, WARMTH, "10.00", old)]
    report = ledger.import_roster(ADMIN, a_roster("三月", fund, back))

    assert unchanged is not None and unchanged.version == 1
    assert report.count(RowStatus.RECORDED) == 2
    account = ledger._find(BankAccount, bank_account_id(case))
    assert account is not None and (account.masked, account.version) == ("****2222", 3)
    lines = ledger.bank_file(SYSTEM, fund).lines
    assert [x.bank_card for x in lines] == [old, old, old, old]
