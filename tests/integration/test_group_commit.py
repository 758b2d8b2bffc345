"""Commands that arrive together are decided one by one and committed together (group commit).

The committer is held up the way a slow commit holds it in production: another connection
locks the events table against writers, so the first payment waits in its commit while the
others queue behind it. Released, the queued ones are decided and committed as one batch.
"""

from __future__ import annotations

import sqlite3
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlparse
from uuid import UUID

import psycopg
import pytest

from domain.application import Context, Ledger
from domain.cases import Case
from domain.clock import FixedClock
from domain.errors import IdempotencyKeyReusedError, InsufficientFundsError, NotAuthenticatedError
from domain.funds import Fund
from domain.vocabulary import AssistanceType, Role, VisitKind
from stores import open_ledger
from stores.log import LogReader
from supervision.verify import verify
from tests.integration.test_concurrent_payments import ADMIN, DAY, small_fund_with_cases

TEN_YUAN = 10_00
DAY_TIME = datetime(2026, 1, 20, 2, 0, tzinfo=UTC)


@contextmanager
def writers_held(store_url: str) -> Iterator[None]:
    """Another connection keeps writers out of the events table until the block ends."""
    parsed = urlparse(store_url)
    if parsed.scheme == "sqlite":
        lite = sqlite3.connect(store_url[len("sqlite:///") :], isolation_level=None)
        lite.execute("BEGIN IMMEDIATE")  # readers go on; every writer waits
        try:
            yield
        finally:
            lite.execute("COMMIT")
            lite.close()
        return
    schema = parse_qs(parsed.query)["schema"][0]
    dsn = store_url.split("?")[0]
    with psycopg.connect(dsn) as conn:
        conn.execute(f'LOCK TABLE "{schema}".bangfu_events IN EXCLUSIVE MODE')
        yield  # the transaction (and the lock) ends when the connection's block ends


def in_threads(calls: list[Callable[[], Any]]) -> list[Any]:
    """Run each call in its own thread; each answer or the error it raised."""
    answers: list[Any] = [None] * len(calls)

    def run(n: int) -> None:
        try:
            answers[n] = calls[n]()
        except Exception as error:
            answers[n] = error

    threads = [threading.Thread(target=run, args=(n,)) for n in range(len(calls))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return answers


def batched(ledger: Ledger, store_url: str, calls: list[Callable[[], Any]]) -> list[Any]:
    """The first call commits alone, held up; the others queue behind it and go as one batch."""
    answers: list[Any] = []
    with writers_held(store_url):
        first = threading.Thread(target=lambda: answers.extend(in_threads(calls[:1])))
        first.start()
        rest: list[Any] = []
        others = threading.Thread(target=lambda: rest.extend(in_threads(calls[1:])))
        deadline = time.monotonic() + 30
        while ledger.committer.in_batch != 1:
            time.sleep(0.01)  # until the committer has taken the first call, alone
            assert time.monotonic() < deadline
        others.start()
        while ledger.committer.waiting < len(calls) - 1:
            time.sleep(0.01)
            assert time.monotonic() < deadline, "the other calls did not queue"
    first.join(timeout=60)
    others.join(timeout=60)
    return answers + rest


def payment_calls(ledger: Ledger, fund: UUID, cases: list[UUID]) -> list[Callable[[], Any]]:
    return [
        lambda case=case, n=n: ledger.pay(  # type: ignore[misc]
            ADMIN, fund, case, AssistanceType.WARMTH_VISIT, TEN_YUAN, f"P-{n}", DAY
        )
        for n, case in enumerate(cases)
    ]


def test_payments_that_queue_behind_a_commit_are_committed_together_each_with_its_own_answer(
    ledger: Ledger, store_url: str
) -> None:
    fund, cases = small_fund_with_cases(ledger, 1_000_00, cases=16)
    before = ledger.committer.batches, ledger.committer.jobs

    answers = batched(ledger, store_url, payment_calls(ledger, fund, cases))

    assert ledger.committer.batches - before[0] == 2  # the held one, then the 15 together
    assert ledger.committer.jobs - before[1] == 16
    assert len({a.result.id for a in answers}) == 16
    assert len({a.position for a in answers}) == 16
    assert ledger.repository.get(fund).disbursed_fen == 16 * TEN_YUAN
    assert all(ledger.repository.get(c).received_fen == TEN_YUAN for c in cases)
    assert verify(ledger, None).ok


def test_a_batch_keeps_each_commands_events_together_and_in_the_order_it_made_them(
    ledger: Ledger, store_url: str
) -> None:
    fund, cases = small_fund_with_cases(ledger, 1_000_00, cases=8)
    start = ledger.recorder.max_notification_id() or 0

    answers = batched(ledger, store_url, payment_calls(ledger, fund, cases))

    by_payment: dict[UUID, list[tuple[int, str]]] = {}
    for position, event in LogReader(ledger).events(start):
        payment = getattr(event, "payment_id", None) or event.originator_id
        by_payment.setdefault(payment, []).append((position, type(event).__qualname__))
    for answer in answers:
        made = by_payment[answer.result.id]
        positions = [p for p, _ in made]
        assert positions == list(range(positions[0], positions[0] + len(made)))
        assert [kind for _, kind in made] == [
            "Fund.Disbursed",
            "Case.AssistanceReceived",
            "Payment.Made",
        ]
        assert answer.position == positions[-1]


def test_a_refused_command_in_a_batch_leaves_no_trace_and_the_others_commit(
    ledger: Ledger, store_url: str
) -> None:
    fund, cases = small_fund_with_cases(ledger, 10 * TEN_YUAN, cases=15)

    answers = batched(ledger, store_url, payment_calls(ledger, fund, cases))

    paid = [a for a in answers if not isinstance(a, Exception)]
    refused = [n for n, a in enumerate(answers) if isinstance(a, InsufficientFundsError)]
    assert len(paid) == 10 and len(refused) == 5
    assert ledger.repository.get(fund).balance_fen == 0
    for n in refused:  # the case was credited before the fund refused: put back, never saved
        case: Case = ledger.repository.get(cases[n])
        assert case.received_fen == 0
        assert [type(e).__qualname__ for e in ledger.stream(cases[n])] == ["Case.Registered"]
    assert verify(ledger, None).ok


def test_a_case_a_refused_payment_touched_takes_a_later_command_of_the_same_batch_cleanly(
    ledger: Ledger, store_url: str
) -> None:
    fund, cases = small_fund_with_cases(ledger, TEN_YUAN, cases=2)
    pay_all, pay_none = payment_calls(ledger, fund, cases)

    def visit() -> Any:
        return ledger.record_visit(
            ADMIN, cases[1], ["张社工"], VisitKind.ROUTINE, None, "走访", [], DAY
        )

    _, refused, visited = batched(ledger, store_url, [pay_all, pay_none, visit])

    assert isinstance(refused, InsufficientFundsError)
    assert [type(e).__qualname__ for e in ledger.stream(cases[1])] == [
        "Case.Registered",
        "Case.Visited",
    ]
    case: Case = ledger.repository.get(cases[1])
    assert case.received_fen == 0 and case.visits == 1 and visited.position is not None


def test_the_same_idempotency_key_twice_in_one_batch_pays_once(
    ledger: Ledger, store_url: str
) -> None:
    fund, cases = small_fund_with_cases(ledger, 1_000_00, cases=2)
    keyed = Context(ADMIN.actor, "pay-once", "sha-1")
    other = Context(ADMIN.actor, "pay-once", "sha-2")

    def pay(ctx: Context) -> Callable[[], Any]:
        return lambda: ledger.pay(
            ctx, fund, cases[1], AssistanceType.WARMTH_VISIT, TEN_YUAN, "K", DAY
        )

    _, *twice = batched(
        ledger,
        store_url,
        [payment_calls(ledger, fund, cases[:1])[0], pay(keyed), pay(keyed)],
    )

    assert sorted(a.replayed for a in twice) == [False, True]  # in whichever order they queued
    assert twice[0].result == twice[1].result
    with pytest.raises(IdempotencyKeyReusedError):
        pay(other)()
    assert ledger.repository.get(cases[1]).received_fen == TEN_YUAN
    assert ledger.repository.get(fund).disbursed_fen == 2 * TEN_YUAN


def test_a_token_replaced_in_this_process_stops_working_at_once(ledger: Ledger) -> None:
    old = ledger.add_user(ADMIN.actor, "王会计", Role.FINANCE, None)
    assert ledger.authenticate(old).name == "王会计"  # now remembered

    new = ledger.issue_token(ADMIN.actor, "王会计")

    with pytest.raises(NotAuthenticatedError):
        ledger.authenticate(old)
    assert ledger.authenticate(new).name == "王会计"


def test_a_token_replaced_through_another_process_stops_working_within_the_cache_time(
    store_url: str, tmp_path: Path
) -> None:
    clock = FixedClock(DAY_TIME)
    here = open_ledger(store_url, master_key_file=tmp_path / "master.key", clock=clock)
    there = open_ledger(store_url, master_key_file=tmp_path / "master.key")
    try:
        old = here.add_user(ADMIN.actor, "李会计", Role.FINANCE, None)
        assert here.authenticate(old).name == "李会计"

        there.issue_token(ADMIN.actor, "李会计")
        assert here.authenticate(old).name == "李会计"  # remembered, for a few seconds at most

        clock.advance(timedelta(seconds=here.token_cache_seconds))
        with pytest.raises(NotAuthenticatedError):
            here.authenticate(old)
    finally:
        here.close()
        there.close()


def test_a_fund_changed_by_another_process_is_decided_again_from_the_store(
    store_url: str, tmp_path: Path
) -> None:
    here = open_ledger(store_url, master_key_file=tmp_path / "master.key")
    there = open_ledger(store_url, master_key_file=tmp_path / "master.key")
    try:
        fund, cases = small_fund_with_cases(here, 3 * TEN_YUAN, cases=3)
        pay = AssistanceType.WARMTH_VISIT
        here.pay(ADMIN, fund, cases[0], pay, TEN_YUAN, "P-1", DAY)  # remembered here
        there.pay(ADMIN, fund, cases[1], pay, TEN_YUAN, "P-2", DAY)  # behind its back
        races = here.lost_races

        here.pay(ADMIN, fund, cases[2], pay, TEN_YUAN, "P-3", DAY)

        # its remembered fund was stale: on PostgreSQL dropped when its writers' turn began
        # (stores/chain.py); on SQLite the save lost its race and the batch was decided again
        turns = store_url.startswith("postgresql")
        assert here.lost_races == races + (0 if turns else 1)
        with pytest.raises(InsufficientFundsError):  # and it knows the fund is empty now
            here.pay(ADMIN, fund, cases[0], pay, TEN_YUAN, "P-4", DAY)
        stored: Fund = there.repository.get(fund)
        assert stored.balance_fen == 0 and stored.disbursed_fen == 3 * TEN_YUAN
        assert verify(here, None).ok
    finally:
        here.close()
        there.close()
