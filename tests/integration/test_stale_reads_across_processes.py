"""Two processes on one store (two ledgers here): what one of them remembers from earlier
commands, and only READ, is checked when it decides again, so a change made through the other
is never overlooked: a payment saves only if the policy it read is still the stored one, and a
refusal decided on a remembered fund is checked against the store before it is answered."""

from __future__ import annotations

from pathlib import Path
from typing import Any
from uuid import UUID, uuid4

import pytest
from eventsourcing.persistence import IntegrityError, StoredEvent

from domain.application import Ledger
from domain.errors import ApprovalRequiredError, InsufficientFundsError
from domain.funds import Fund
from domain.policy import Policy, policy_id
from domain.policy_parameters import Parameter
from domain.vocabulary import AssistanceType
from stores import open_ledger
from tests.integration.test_concurrent_payments import ADMIN, DAY, small_fund_with_cases
from tests.integration.test_money_rules import FEB_1, JAN_10, LIVING, fund_and_case

APPROVAL = Parameter.APPROVAL_ABOVE
WARMTH_VISIT = AssistanceType.WARMTH_VISIT


def events_stored(ledger: Ledger) -> int:
    return len(ledger.recorder.select_notifications(None, 100_000))


def disbursements(ledger: Ledger, fund: UUID) -> list[Fund.Disbursed]:
    return [e for e in ledger.stream(fund) if isinstance(e, Fund.Disbursed)]


def city_of(ledger: Ledger, fund: UUID) -> UUID:
    return ledger.fund(ADMIN.actor, fund).centre_id


def test_an_approval_line_lowered_through_another_process_is_enforced_on_the_next_payment(
    ledger: Ledger, there: Ledger
) -> None:
    here = ledger
    fund, case = fund_and_case(here, JAN_10)
    city = city_of(here, fund)
    here.set_policy(ADMIN, city, APPROVAL, None, 1_000_00, JAN_10, "审批制度")
    here.pay(ADMIN, fund, case, LIVING, 800_00, "单人-1", FEB_1)  # under the line it remembers

    there.set_policy(ADMIN, city, APPROVAL, None, 500_00, JAN_10, "收紧审批")

    with pytest.raises(ApprovalRequiredError):
        here.pay(ADMIN, fund, case, LIVING, 800_00, "单人-2", FEB_1)
    assert there.fund(ADMIN.actor, fund).balance_fen == 5_500_00 - 800_00


def test_a_fund_topped_up_through_another_process_pays_through_the_one_that_had_refused(
    ledger: Ledger, there: Ledger
) -> None:
    here = ledger
    fund, cases = small_fund_with_cases(here, 10_00, cases=1)
    with pytest.raises(InsufficientFundsError):
        here.pay(ADMIN, fund, cases[0], WARMTH_VISIT, 30_00, "P-1", DAY)

    there.receive(ADMIN, fund, 100_00, "全总", "R-2", DAY)

    here.pay(ADMIN, fund, cases[0], WARMTH_VISIT, 30_00, "P-2", DAY)
    assert there.fund(ADMIN.actor, fund).balance_fen == 10_00 + 100_00 - 30_00


def test_a_policy_created_through_another_process_where_this_one_knew_of_none_is_enforced(
    ledger: Ledger, there: Ledger
) -> None:
    here = ledger
    fund, case = fund_and_case(here, JAN_10)
    city = city_of(here, fund)
    here.pay(ADMIN, fund, case, LIVING, 800_00, "单人-1", FEB_1)
    assert policy_id(city) in here.committed  # it remembers that the city has no policy

    there.set_policy(ADMIN, city, APPROVAL, None, 500_00, JAN_10, "审批制度")

    with pytest.raises(ApprovalRequiredError):
        here.pay(ADMIN, fund, case, LIVING, 800_00, "单人-2", FEB_1)
    assert there.fund(ADMIN.actor, fund).balance_fen == 5_500_00 - 800_00


class RivalledLedger(Ledger):
    """Once armed, the first time it reads a policy, a rival changes that policy's centre's
    line (``rival_line``) before this ledger's batch is saved."""

    name = "Bangfu"  # the same tables as the Ledger's
    rival: Ledger | None = None
    rival_line = 0

    def _find(self, cls: type, aggregate_id: UUID) -> Any:  # type: ignore[override]
        found = super()._find(cls, aggregate_id)  # type: ignore[type-var]
        if cls is Policy and isinstance(found, Policy) and self.rival is not None:
            rival, self.rival = self.rival, None
            rival.set_policy(
                ADMIN, found.centre_id, APPROVAL, None, self.rival_line, JAN_10, "对手"
            )
        return found


def test_a_batch_whose_read_policy_changed_under_it_is_decided_again_and_saves_once(
    ledger: Ledger,
) -> None:
    fund, case = fund_and_case(ledger, JAN_10)
    city = city_of(ledger, fund)
    here = RivalledLedger(env=ledger.env)
    try:
        here.set_policy(ADMIN, city, APPROVAL, None, 1_000_00, JAN_10, "审批制度")  # remembered
        before = events_stored(ledger)
        here.pay(ADMIN, fund, case, LIVING, 100_00, "单人-1", FEB_1)
        one_payment = events_stored(ledger) - before
        here.rival, here.rival_line = ledger, 2_000_00
        before, races = events_stored(ledger), here.lost_races

        here.pay(ADMIN, fund, case, LIVING, 800_00, "单人-2", FEB_1)

        assert here.lost_races == races + 1  # its policy changed before the save: decided again
        assert events_stored(ledger) - before == 1 + one_payment  # the rival's setting, one payment
        assert [e.amount_fen for e in disbursements(ledger, fund)] == [100_00, 800_00]
        assert ledger.fund(ADMIN.actor, fund).balance_fen == 5_500_00 - 900_00
    finally:
        here.close()


def stored(originator_id: UUID, version: int) -> StoredEvent:
    return StoredEvent(originator_id, version, "tests:Nothing", b"{}")


def test_the_store_writes_nothing_when_an_aggregate_the_writer_read_has_changed(
    ledger: Ledger,
) -> None:
    writes_nothing_when_a_read_changed(ledger.recorder)


@pytest.mark.postgres_only
def test_a_large_batch_written_with_copy_is_refused_alike_when_a_read_changed(
    postgres_url: str, tmp_path: Path
) -> None:
    ledger = open_ledger(postgres_url, master_key_file=tmp_path / "master.key")
    try:
        recorder: Any = ledger.recorder
        recorder.copy_from = 2  # batches this large go by COPY, as a roster import's do
        writes_nothing_when_a_read_changed(recorder)
    finally:
        ledger.close()


def writes_nothing_when_a_read_changed(recorder: Any) -> None:
    read, nowhere = uuid4(), uuid4()
    recorder.insert_events([stored(read, 1), stored(read, 2)])
    batch = [stored(uuid4(), 1) for _ in range(3)]

    for stale in ({read: 1}, {read: 2, nowhere: 0, uuid4(): 1}):
        with pytest.raises(IntegrityError):
            recorder.insert_events(batch, expected_versions=stale)
    batch_ids = [event.originator_id for event in batch]
    assert recorder.stored_versions(batch_ids) == {}  # nothing of the refused tries remained
    recorder.insert_events(batch, expected_versions={read: 2, nowhere: 0})

    assert recorder.stored_versions([read, nowhere, batch[0].originator_id]) == {
        read: 2,
        batch[0].originator_id: 1,
    }
