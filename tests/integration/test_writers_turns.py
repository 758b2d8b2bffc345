"""Writers' turns on PostgreSQL (stores/chain.py, domain/batches.py): two processes writing to
one store (two ledgers here, as `serve --workers 2`) take turns, and each turn starts by dropping
what the other wrote from what this one keeps, so paying from one fund through both decides on
its current balance instead of losing a race on nearly every payment."""

from __future__ import annotations

import threading
from uuid import UUID

import pytest

from domain.application import Ledger
from domain.funds import Fund
from domain.vocabulary import AssistanceType, FundSource
from tests.integration.test_concurrent_payments import ADMIN, DAY, small_fund_with_cases

pytestmark = pytest.mark.postgres_only
WARMTH_VISIT = AssistanceType.WARMTH_VISIT


@pytest.fixture
def store_url(postgres_url: str) -> str:
    return postgres_url


def test_two_processes_paying_in_turn_from_one_fund_lose_no_race_and_pay_it_exactly(
    ledger: Ledger, there: Ledger
) -> None:
    here = ledger
    fund, cases = small_fund_with_cases(here, 1_000_00, cases=2)
    races_before = here.lost_races, there.lost_races

    for n in range(10):  # each remembers the fund from its own last payment: stale every time
        here.pay(ADMIN, fund, cases[0], WARMTH_VISIT, 10_00, f"H-{n}", DAY)
        there.pay(ADMIN, fund, cases[1], WARMTH_VISIT, 20_00, f"T-{n}", DAY)

    assert (here.lost_races, there.lost_races) == races_before
    assert here.fund(ADMIN.actor, fund).balance_fen == 1_000_00 - 10 * 30_00
    paid = [e for e in here.stream(fund) if isinstance(e, Fund.Disbursed)]
    assert len(paid) == 20


def paying_in_a_thread(
    here: Ledger, fund: UUID, case: UUID
) -> tuple[threading.Thread, threading.Event]:
    """A payment of ¥10 started on its own thread, and the event set once it is saved."""
    paid = threading.Event()

    def pay() -> None:
        here.pay(ADMIN, fund, case, WARMTH_VISIT, 10_00, "P-1", DAY)
        paid.set()

    payer = threading.Thread(target=pay)
    payer.start()
    return payer, paid


def test_a_payment_waits_while_another_process_holds_the_writers_turn(
    ledger: Ledger, there: Ledger
) -> None:
    here = ledger
    fund, cases = small_fund_with_cases(here, 100_00, cases=1)

    with there.recorder.writers_turn(None):  # type: ignore[attr-defined]
        payer, paid = paying_in_a_thread(here, fund, cases[0])
        waited = not paid.wait(1.0)
    payer.join(timeout=30)

    assert waited, "the payment was saved while the other process held the turn"
    assert paid.is_set()
    assert here.fund(ADMIN.actor, fund).balance_fen == 90_00


def test_a_record_of_a_read_is_saved_while_a_payment_of_the_same_process_waits_for_the_turn(
    ledger: Ledger, there: Ledger
) -> None:
    here = ledger
    fund, cases = small_fund_with_cases(here, 100_00, cases=1)
    sealed = {cases[0]: here.case(ADMIN.actor, cases[0]).person_sealed}

    with there.recorder.writers_turn(None):  # type: ignore[attr-defined]
        payer, paid = paying_in_a_thread(here, fund, cases[0])
        while here.committer.in_batch == 0 and here.committer.waiting == 0:
            threading.Event().wait(0.01)  # until the payment is queued behind the turn
        read = here.read_personal_data(ADMIN.actor, sealed, "a page of the archive")
        paid_meanwhile = paid.is_set()
    payer.join(timeout=30)

    assert read[cases[0]] is not None and not paid_meanwhile
    assert paid.is_set()


def test_a_process_forgets_what_another_wrote_since_its_last_turn_and_keeps_the_rest(
    ledger: Ledger, there: Ledger
) -> None:
    here = ledger
    fund, cases = small_fund_with_cases(here, 100_00, cases=1)
    centre = here.fund(ADMIN.actor, fund).centre_id
    other_fund = here.open_fund(
        ADMIN, centre, "金秋助学", FundSource.ACFTU_WARMTH_FUND, 2026, [WARMTH_VISIT]
    ).result.id
    here.receive(ADMIN, other_fund, 100_00, "全总", "R-1", DAY)
    here.pay(ADMIN, fund, cases[0], WARMTH_VISIT, 10_00, "P-1", DAY)
    here.pay(ADMIN, other_fund, cases[0], WARMTH_VISIT, 10_00, "P-2", DAY)
    assert fund in here.committed and other_fund in here.committed

    there.receive(ADMIN, fund, 50_00, "全总", "R-2", DAY)
    here.pay(ADMIN, other_fund, cases[0], WARMTH_VISIT, 10_00, "P-3", DAY)

    assert fund not in here.committed  # written by the other: dropped when the turn began
    assert other_fund in here.committed  # its own writes stay kept
    here.pay(ADMIN, fund, cases[0], WARMTH_VISIT, 140_00, "P-4", DAY)  # the top-up counts
    assert here.lost_races == 0
