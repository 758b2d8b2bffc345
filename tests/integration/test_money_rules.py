"""The money rules auditors check, on both stores: no backdated overdraft, no payment before a
household's filing, and a fund snapshot of an older shape replayed before its rules are applied."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from uuid import UUID

import pytest
from eventsourcing.domain import Snapshot

from domain.access import SYSTEM
from domain.application import Context, Ledger
from domain.cases import Person
from domain.errors import (
    ApprovalRequiredError,
    BackdatedOverdraftError,
    PaymentOutsideCaseError,
)
from domain.id_numbers import make_id_number
from domain.policy_parameters import Parameter
from domain.vocabulary import AssistanceType, CentreLevel, FundSource
from stores import open_ledger
from tests.unit.support import assessment

ADMIN = Context(SYSTEM)
LIVING = AssistanceType.LIVING_RELIEF
JAN_10, JAN_20, FEB_1 = date(2026, 1, 10), date(2026, 1, 20), date(2026, 2, 1)


def fund_and_case(ledger: Ledger, filed_on: date) -> tuple[UUID, UUID]:
    centre = ledger.create_centre(ADMIN, "长春市", CentreLevel.PREFECTURE, None).result.id
    fund = ledger.open_fund(
        ADMIN, centre, "生活救助", FundSource.CENTRAL_SPECIAL_FUND, 2026, [LIVING], JAN_10
    ).result.id
    ledger.receive(ADMIN, fund, 500_00, "财政部", "R-1", JAN_10)
    ledger.receive(ADMIN, fund, 5_000_00, "财政部", "R-2", FEB_1)
    person = Person("张三", make_id_number("220104", date(1970, 1, 1), 1), "")
    case = ledger.register_case(ADMIN, centre, assessment(), person, filed_on).result.id
    return fund, case


def test_a_backdated_payment_that_would_overdraw_a_past_balance_is_refused(ledger: Ledger) -> None:
    fund, case = fund_and_case(ledger, JAN_10)

    with pytest.raises(BackdatedOverdraftError):  # on 20 Jan the fund held ¥500
        ledger.pay(ADMIN, fund, case, LIVING, 800_00, "倒签", JAN_20)
    ledger.pay(ADMIN, fund, case, LIVING, 500_00, "当日", JAN_20)

    assert ledger.fund(SYSTEM, fund).balance_fen == 5_000_00


def test_a_payment_above_the_approval_threshold_needs_a_payment_request(ledger: Ledger) -> None:
    fund, case = fund_and_case(ledger, JAN_10)
    city = ledger.fund(SYSTEM, fund).centre_id
    ledger.set_policy(ADMIN, city, Parameter.APPROVAL_ABOVE, None, 1_000_00, JAN_10, "审批制度")

    with pytest.raises(ApprovalRequiredError, match="须审批"):  # ¥1,000 set at the city
        ledger.pay(ADMIN, fund, case, LIVING, 1_000_01, "单人", FEB_1)
    ledger.pay(ADMIN, fund, case, LIVING, 1_000_00, "单人", FEB_1)

    assert ledger.fund(SYSTEM, fund).balance_fen == 4_500_00


def test_a_payment_dated_before_the_household_was_filed_is_refused(ledger: Ledger) -> None:
    fund, case = fund_and_case(ledger, FEB_1)

    with pytest.raises(PaymentOutsideCaseError):
        ledger.pay(ADMIN, fund, case, LIVING, 100_00, "建档前", JAN_20)

    assert ledger.fund(SYSTEM, fund).balance_fen == 5_500_00


def test_a_fund_loaded_from_a_snapshot_of_the_older_shape_is_replayed_first(
    ledger: Ledger, store_url: str, tmp_path: Path
) -> None:
    fund_id, case = fund_and_case(ledger, JAN_10)
    fund = ledger.fund(SYSTEM, fund_id)
    old = Snapshot.take(fund)  # written as a release before reservations would have written it
    for newer in ("reserved_fen", "reservations", "day_net", "class_version"):
        old.state.pop(newer, None)
    ledger.snapshots.put([old])  # type: ignore[union-attr]
    later = open_ledger(store_url, master_key_file=tmp_path / "master.key")  # nothing cached
    try:
        with pytest.raises(BackdatedOverdraftError):  # the dates are known again, from events
            later.pay(ADMIN, fund_id, case, LIVING, 800_00, "倒签", JAN_20)
        later.pay(ADMIN, fund_id, case, LIVING, 800_00, "当日", FEB_1)
        assert later.fund(SYSTEM, fund_id).balance_fen == 4_700_00
    finally:
        later.close()
