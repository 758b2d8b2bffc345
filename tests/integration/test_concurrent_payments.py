"""Many clients paying from one small fund at once: no overdraft, nothing half-applied."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from datetime import date
from pathlib import Path
from uuid import UUID

import httpx
import pytest
import uvicorn

from api.app import create_app
from domain.access import SYSTEM, Actor
from domain.application import Context, Ledger
from domain.cases import Assessment, Person
from domain.errors import BusyError
from domain.funds import Fund
from domain.id_numbers import make_id_number
from domain.vocabulary import AssistanceType, Category, Cause, CentreLevel, FundSource, Role
from projections.fund_movements import movements
from settings import Settings
from stores import open_ledger
from supervision.verify import verify

ADMIN = Context(Actor("admin", Role.ADMIN))
DAY = date(2026, 1, 20)


def small_fund_with_cases(ledger: Ledger, balance_fen: int, cases: int) -> tuple[UUID, list[UUID]]:
    centre = ledger.create_centre(ADMIN, "市中心", CentreLevel.PREFECTURE, None).result.id
    fund = ledger.open_fund(
        ADMIN,
        centre,
        "送温暖",
        FundSource.ACFTU_WARMTH_FUND,
        2026,
        [AssistanceType.WARMTH_VISIT],
    ).result.id
    ledger.receive(ADMIN, fund, balance_fen, "全总", "R-1", DAY)
    case_ids = []
    for n in range(cases):
        assessment = Assessment(Category.DEEP_HARDSHIP, Cause.SERIOUS_ILLNESS, (), 2, 50_000, ())
        person = Person(f"户{n}", make_id_number("220104", date(1970, 1, 1), n), "")
        case_ids.append(ledger.register_case(ADMIN, centre, assessment, person, DAY).result.id)
    return fund, case_ids


class Server:
    """A real uvicorn server on a free loopback port, in a thread."""

    def __init__(self, ledger: Ledger, settings: Settings) -> None:
        config = uvicorn.Config(
            create_app(ledger, settings), host="127.0.0.1", port=0, log_level="warning"
        )
        self.server = uvicorn.Server(config)
        self.thread = threading.Thread(target=self.server.run, daemon=True)

    def __enter__(self) -> str:
        self.thread.start()
        deadline = time.monotonic() + 20
        while not self.server.started:
            assert time.monotonic() < deadline, "uvicorn did not start"
            time.sleep(0.02)
        port = self.server.servers[0].sockets[0].getsockname()[1]
        return f"http://127.0.0.1:{port}"

    def __exit__(self, *args: object) -> None:
        self.server.should_exit = True
        self.thread.join(timeout=20)


@pytest.fixture
def served(ledger: Ledger, settings: Settings) -> Iterator[tuple[Ledger, str]]:
    with Server(ledger, settings) as base_url:
        yield ledger, base_url


def test_concurrent_payments_never_overdraw_and_every_paid_yuan_left_the_fund(
    served: tuple[Ledger, str],
) -> None:
    ledger, base_url = served
    fund_id, cases = small_fund_with_cases(ledger, 1_000_00, cases=4)
    token = ledger.add_user(SYSTEM, "finance", Role.FINANCE, None)
    amounts = [3_000 + 700 * (i % 5) for i in range(64)]  # ¥30-¥58, asking far more than ¥1,000

    def pay(i: int) -> tuple[int, str, int]:
        with httpx.Client(
            base_url=base_url, timeout=60, headers={"Authorization": f"Bearer {token}"}
        ) as client:
            amount = amounts[i]
            response = client.post(
                "/payments",
                json={
                    "fund_id": str(fund_id),
                    "case_id": str(cases[i % len(cases)]),
                    "assistance_type": "warmth_visit",
                    "amount": f"{amount // 100}.{amount % 100:02d}",
                    "business_date": "2026-01-25",
                },
            )
            return response.status_code, response.json().get("type", ""), amount

    with ThreadPoolExecutor(max_workers=8) as pool:
        results = list(pool.map(pay, range(len(amounts))))

    statuses = {status for status, _, _ in results}
    assert statuses <= {201, 409}, results
    assert {kind for status, kind, _ in results if status == 409} <= {
        "urn:bangfu:problem:insufficient-funds"
    }
    paid = sum(amount for status, _, amount in results if status == 201)
    fund: Fund = ledger.repository.get(fund_id)
    assert isinstance(fund, Fund)
    assert fund.balance_fen == 1_000_00 - paid >= 0
    assert fund.disbursed_fen == paid
    rows = movements(ledger.stream(fund_id))
    assert all(not row["balance_after"].startswith("-") for row in rows)
    assert sum(ledger.repository.get(c).received_fen for c in cases) == paid
    assert len([r for r in results if r[0] == 201]) == len(rows) - 1
    chain = verify(ledger, None)  # concurrent writers still made one valid hash chain
    assert [f for f in chain.faults if "signature" not in f.problem] == []
    assert chain.events == len(ledger.recorder.select_notifications(None, 100_000))
    print(
        f"\n{sum(1 for r in results if r[0] == 201)} paid, "
        f"{sum(1 for r in results if r[0] == 409)} refused, "
        f"{ledger.lost_races} lost races retried"
    )


class RacingLedger(Ledger):
    """Lets a rival ledger pay from the same fund right after this one reads it, once."""

    name = "Bangfu"
    rival: Ledger | None = None
    rival_case: UUID | None = None

    def _find(self, cls: type, aggregate_id: UUID) -> object:  # type: ignore[override]
        found = super()._find(cls, aggregate_id)  # type: ignore[type-var]
        if cls is Fund and self.rival is not None and self.rival_case is not None:
            rival, self.rival = self.rival, None
            rival.pay(
                ADMIN,
                aggregate_id,
                self.rival_case,
                AssistanceType.WARMTH_VISIT,
                100_00,
                "rival",
                DAY,
            )
        return found


def race(store_url: str, folder: Path) -> tuple[Ledger, RacingLedger, UUID, list[UUID]]:
    """A fund of ¥1,000 and two cases; a ledger whose rival pays ¥100 to the second case first."""
    setup = open_ledger(store_url, master_key_file=folder / "master.key")
    fund_id, cases = small_fund_with_cases(setup, 1_000_00, cases=2)
    racing = RacingLedger(env=setup.env)
    racing.rival, racing.rival_case = setup, cases[1]
    return setup, racing, fund_id, cases


def test_a_write_that_lost_a_race_is_retried_on_fresh_state_and_applied_once(
    store_url: str, tmp_path: Path
) -> None:
    setup, racing, fund_id, cases = race(store_url, tmp_path)

    racing.pay(ADMIN, fund_id, cases[0], AssistanceType.WARMTH_VISIT, 300_00, "mine", DAY)

    fund: Fund = setup.repository.get(fund_id)
    assert racing.lost_races == 1
    assert fund.balance_fen == 1_000_00 - 100_00 - 300_00
    assert [row["amount"] for row in movements(setup.stream(fund_id))] == [
        "1000.00",
        "-100.00",
        "-300.00",
    ]
    racing.close()
    setup.close()


def test_a_writer_that_keeps_losing_the_race_gets_a_clear_busy_refusal_and_writes_nothing(
    store_url: str, tmp_path: Path
) -> None:
    setup, racing, fund_id, cases = race(store_url, tmp_path)
    racing.max_attempts = 1

    with pytest.raises(BusyError):
        racing.pay(ADMIN, fund_id, cases[0], AssistanceType.WARMTH_VISIT, 300_00, "mine", DAY)

    assert [row["amount"] for row in movements(setup.stream(fund_id))] == ["1000.00", "-100.00"]
    racing.close()
    setup.close()
