"""Maker-checker (支付审批) on both stores: a request reserves, a checker who is not its maker
and sits at the level it escalated to approves (the money moves) or rejects; voiding and expiry
release; many makers and checkers at once never overdraw a fund nor spend a reservation twice."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from uuid import UUID

import pytest

from domain.access import SYSTEM, Actor
from domain.application import Context, Ledger
from domain.cases import Person
from domain.clock import FixedClock
from domain.errors import (
    ApprovalLevelError,
    BangfuError,
    RequestDecidedError,
    RequestExpiredError,
    SelfApprovalError,
)
from domain.funds import Fund
from domain.id_numbers import make_id_number
from domain.payment_requests import PaymentRequest, RequestStatus
from domain.payments import Payment
from domain.policy_parameters import Parameter
from domain.vocabulary import AssistanceType, CentreLevel, FundSource, Role
from projections import Views
from projections.approvals import history, overdue, queue
from stores import open_ledger
from tests.integration.bangfu import folder_ledger, run
from tests.unit.support import assessment

ADMIN = Context(SYSTEM)
MEDICAL, LIVING = AssistanceType.MEDICAL_RELIEF, AssistanceType.LIVING_RELIEF
TODAY = date(2026, 3, 1)  # 10:00 in Asia/Shanghai
FILED = date(2026, 1, 5)


@dataclass
class Street:
    """省 → 市 → 区 → 街道, a fund and a household on the street, and finance staff at each."""

    province: UUID
    district: UUID
    street: UUID
    fund: UUID
    case: UUID

    def finance(self, name: str, centre: UUID) -> Context:
        return Context(Actor(name, Role.FINANCE, centre))


def a_street(ledger: Ledger, balance_fen: int, households: int = 1) -> tuple[Street, list[UUID]]:
    levels = (CentreLevel.PROVINCE, CentreLevel.PREFECTURE, CentreLevel.COUNTY, CentreLevel.STREET)
    parent: UUID | None = None
    path = []
    for name, level in zip(("吉林省总工会", "长春市", "朝阳区", "红旗街道"), levels, strict=True):
        parent = ledger.create_centre(ADMIN, name, level, parent).result.id
        path.append(parent)
    street = path[-1]
    fund = ledger.open_fund(
        ADMIN, street, "街道帮扶资金", FundSource.UNION_FUNDS_OWN_LEVEL, 2026, [MEDICAL, LIVING],
        FILED,
    ).result.id  # fmt: skip
    ledger.receive(ADMIN, fund, balance_fen, "区总工会", "拨-1", FILED)
    cases = [
        ledger.register_case(
            ADMIN, street, assessment(),
            Person(f"审批{n}", make_id_number("220104", date(1968, 5, 6), n), ""), FILED,
        ).result.id
        for n in range(households)
    ]  # fmt: skip
    return Street(path[0], path[2], street, fund, cases[0]), cases


@pytest.fixture
def clocked(store_url: str, tmp_path: Path) -> Iterator[tuple[Ledger, FixedClock]]:
    clock = FixedClock(datetime(2026, 3, 1, 2, 0, tzinfo=UTC), step=timedelta(milliseconds=1))
    ledger = open_ledger(store_url, master_key_file=tmp_path / "master.key", clock=clock)
    try:
        yield ledger, clock
    finally:
        ledger.close()


def funds_of(ledger: Ledger, fund_id: UUID) -> tuple[int, int, int]:
    fund: Fund = ledger.repository.get(fund_id)
    return fund.balance_fen, fund.reserved_fen, fund.available_fen


def test_a_large_medical_request_at_a_street_is_approved_only_at_the_province(
    clocked: tuple[Ledger, FixedClock],
) -> None:
    ledger, _ = clocked
    w, _ = a_street(ledger, 30_000_00)
    maker = w.finance("street-maker", w.street)
    street, district = w.finance("street-checker", w.street), w.finance("district", w.district)
    province = w.finance("province-checker", w.province)

    request = ledger.request_payment(maker, w.fund, w.case, MEDICAL, 25_000_00, "住院").result.id

    assert funds_of(ledger, w.fund) == (30_000_00, 25_000_00, 5_000_00)
    views = Views(ledger)
    views.projector.run_once()
    for checker, expected in ((street, []), (district, []), (province, [str(request)])):
        centre = str(checker.actor.centre_id)
        rows = queue(views.approvals, checker.actor.name, centre, TODAY)
        assert [r["id"] for r in rows] == expected
    assert queue(views.approvals, "street-maker", None, TODAY) == []  # never one's own
    with pytest.raises(SelfApprovalError):
        ledger.approve_payment_request(maker, request)
    for below in (street, district):
        with pytest.raises(ApprovalLevelError):
            ledger.approve_payment_request(below, request)

    payment_id = ledger.approve_payment_request(province, request).result.id

    assert funds_of(ledger, w.fund) == (5_000_00, 0, 5_000_00)  # ¥30,000 - ¥25,000
    payment: Payment = ledger.repository.get(payment_id)
    made = next(iter(ledger.stream(payment_id))).__dict__
    assert (payment.request_id, payment.amount_fen, made["actor"]) == (
        request, 25_000_00, "province-checker"
    )  # fmt: skip
    views.projector.run_once()
    [row] = history(views.approvals, str(w.street), fund_id=str(w.fund))
    assert (row["status"], row["level"], row["approver_centre_id"]) == (
        "approved", "province", str(w.province)
    )  # fmt: skip
    assert (row["requested_by"], row["decided_by"], row["payment_id"]) == (
        "street-maker", "province-checker", str(payment_id)
    )  # fmt: skip


def test_rejection_voiding_and_expiry_release_the_reservation_and_an_expired_one_is_refused(
    clocked: tuple[Ledger, FixedClock],
) -> None:
    ledger, clock = clocked
    w, _ = a_street(ledger, 1_000_00)
    ledger.set_policy(ADMIN, w.street, Parameter.REQUEST_EXPIRY_DAYS, None, "10",
                      date(2026, 1, 1), "街道十日内审批")  # fmt: skip
    maker, checker = w.finance("maker", w.street), w.finance("checker", w.street)
    a, b, c = (
        ledger.request_payment(maker, w.fund, w.case, LIVING, 300_00).result.id for _ in range(3)
    )
    assert funds_of(ledger, w.fund) == (1_000_00, 900_00, 100_00)

    ledger.reject_payment_request(checker, a, "材料不全")
    ledger.void_payment_request(maker, b, "重复申请")
    assert funds_of(ledger, w.fund) == (1_000_00, 300_00, 700_00)
    clock.advance(timedelta(days=11))  # 12 March: c could be approved until 11 March
    with pytest.raises(RequestExpiredError):
        ledger.approve_payment_request(checker, c)
    views = Views(ledger)
    views.projector.run_once()
    assert overdue(views.approvals, str(w.district), date(2026, 3, 12)) == [str(c)]

    assert ledger.expire_payment_requests(Context(SYSTEM), [a, c]) == [c]  # a: decided already

    assert funds_of(ledger, w.fund) == (1_000_00, 0, 1_000_00)
    views.projector.run_once()
    incremental = tables(views)
    views.projector.rebuild("approvals")
    assert tables(views) == incremental
    ended: list[PaymentRequest] = [ledger.repository.get(r) for r in (a, b, c)]
    assert [(r.status, r.decided_by, r.decided_on) for r in ended] == [
        (RequestStatus.REJECTED, "checker", TODAY),
        (RequestStatus.VOIDED, "maker", TODAY),
        (RequestStatus.EXPIRED, "system", date(2026, 3, 12)),
    ]
    assert ended[2].valid_until == date(2026, 3, 11)
    with pytest.raises(RequestDecidedError):
        ledger.approve_payment_request(checker, c)


def tables(views: Views) -> list[list[tuple[str, ...]]]:
    """The rows of each table of the approvals view, sorted."""
    view, g = views.approvals, views.approvals.generation()
    queries = (f"SELECT * FROM {view.table(base, g)}" for base in view.tables)
    return [sorted(tuple(map(str, row.values())) for row in view.db.query(q)) for q in queries]


def test_many_makers_and_checkers_at_once_never_overdraw_nor_spend_a_reservation_twice(
    store_url: str, tmp_path: Path
) -> None:
    here = open_ledger(store_url, master_key_file=tmp_path / "master.key")
    there = open_ledger(store_url, master_key_file=tmp_path / "master.key")
    try:
        w, cases = a_street(here, 1_000_00, households=4)
        requested: list[UUID] = []
        approved: list[UUID] = []
        lock, makers_done = threading.Lock(), threading.Event()

        def make(ledger: Ledger, n: int) -> None:
            ctx = w.finance(f"maker-{n}", w.street)
            for i in range(10):
                try:
                    r = ledger.request_payment(ctx, w.fund, cases[(n + i) % 4], LIVING, 300_00)
                except BangfuError:  # too little available (until a checker rejects one)
                    time.sleep(0.02)
                    continue
                with lock:
                    requested.append(r.result.id)

        def check(ledger: Ledger, n: int) -> None:
            ctx = w.finance(f"checker-{n}", w.street if n % 2 else w.district)
            tried: set[UUID] = set()
            deadline = time.monotonic() + 20
            while time.monotonic() < deadline:
                finished = makers_done.is_set()
                with lock:
                    todo = [(k, r) for k, r in enumerate(requested) if r not in tried]
                if not todo:
                    if finished:
                        return
                    time.sleep(0.005)
                for k, request in todo:
                    tried.add(request)
                    try:
                        if k % 3:  # the 1st, 4th, 7th ... are rejected; each checker tries each
                            paid = ledger.approve_payment_request(ctx, request).result.id
                            with lock:
                                approved.append(paid)
                        else:
                            ledger.reject_payment_request(ctx, request, "额度已满")
                    except BangfuError:  # decided already by another checker, a busy store
                        continue

        ledgers = [here, there]
        makers = [threading.Thread(target=make, args=(ledgers[n % 2], n)) for n in range(4)]
        checkers = [threading.Thread(target=check, args=(ledgers[n % 2], n)) for n in range(3)]
        for t in makers + checkers:
            t.start()
        for t in makers:
            t.join()
        makers_done.set()
        for t in checkers:
            t.join()

        fund: Fund = there.repository.get(w.fund)
        ends: list[PaymentRequest] = [there.repository.get(r) for r in requested]
        paid = [r for r in ends if r.status is RequestStatus.APPROVED]
        assert len(requested) >= 3 and any(r.status is RequestStatus.REJECTED for r in ends)
        assert len(paid) == len(approved) == len(set(approved)) <= 3  # ¥1,000 holds three ¥300
        assert {r.payment_id for r in paid} == set(approved)
        assert fund.disbursed_fen == 300_00 * len(paid) == 1_000_00 - fund.balance_fen
        assert fund.reserved_fen == 300_00 * sum(r.status is RequestStatus.PENDING for r in ends)
        balance = reserved = 0
        for event in there.stream(w.fund):  # reserved never exceeded the balance, at any step
            fields = event.__dict__
            if isinstance(event, Fund.Received):
                balance += fields["amount_fen"]
            elif isinstance(event, Fund.Disbursed):  # each spends its request's reservation
                balance -= fields["amount_fen"]
                reserved -= fields["amount_fen"] if fields["request_id"] else 0
            elif isinstance(event, Fund.Reserved):
                reserved += fields["amount_fen"]
            elif isinstance(event, Fund.ReservationReleased):
                reserved -= fields["amount_fen"]
            assert 0 <= reserved <= balance
    finally:
        here.close()
        there.close()


def test_the_cli_requests_as_the_maker_and_approves_as_the_checker(tmp_path: Path) -> None:
    ledger = folder_ledger(tmp_path)
    w, _ = a_street(ledger, 1_000_00)
    for name in ("maker", "checker"):
        ledger.add_user(SYSTEM, name, Role.FINANCE, w.street)
    ledger.close()
    asked = ["--fund", str(w.fund), "--case", str(w.case), "--type", "living_relief"]

    made = run(["approval", "request", *asked, "--amount", "300", "--as", "maker"], tmp_path)
    request = made.stdout.split(": ")[1].split()[0]
    approved = run(["approval", "approve", request, "--as", "checker"], tmp_path)

    assert made.returncode == 0 and approved.returncode == 0, made.stderr + approved.stderr
    ledger = folder_ledger(tmp_path)
    try:
        done: PaymentRequest = ledger.repository.get(UUID(request))
        assert (done.requested_by, done.decided_by, done.status) == (
            "maker", "checker", RequestStatus.APPROVED
        )  # fmt: skip
        assert f"payment: {done.payment_id}" in approved.stdout
        assert funds_of(ledger, w.fund) == (700_00, 0, 700_00)
    finally:
        ledger.close()
