"""Events are never changed or deleted; corrections are new events naming what they correct."""

from __future__ import annotations

from datetime import date

from domain.access import Actor
from domain.application import Context, Ledger
from domain.payments import Payment
from domain.vocabulary import AssistanceType, Role
from stores.log import LogReader
from tests.integration.test_concurrent_payments import small_fund_with_cases

ADMIN = Context(Actor("admin", Role.ADMIN))


def stored(ledger: Ledger) -> dict[int, tuple[str, int, str, bytes]]:
    rows = ledger.recorder.select_notifications(None, 100_000)
    return {n.id: (str(n.originator_id), n.originator_version, n.topic, n.state) for n in rows}


def test_a_reversal_adds_events_and_leaves_every_stored_event_byte_for_byte(ledger: Ledger) -> None:
    fund, cases = small_fund_with_cases(ledger, 1_000_00, cases=1)
    paid = ledger.pay(
        ADMIN, fund, cases[0], AssistanceType.WARMTH_VISIT, 500_00, "P-1", date(2026, 1, 21)
    ).result.id
    before = stored(ledger)

    ledger.reverse_payment(ADMIN, paid, "错付", date(2026, 1, 22))

    after = stored(ledger)
    assert {k: after[k] for k in before} == before
    new = [after[k] for k in sorted(set(after) - set(before))]
    assert sorted(topic.rsplit(".", 1)[-1] for _, _, topic, _ in new) == [
        "AssistanceReversed",
        "DisbursementReversed",
        "Reversed",
    ]
    assert all(
        str(paid).replace("-", "") in state.decode() or originator == str(paid)
        for originator, _, _, state in new
    )


def test_the_original_payment_event_is_still_there_after_reversal(ledger: Ledger) -> None:
    fund, cases = small_fund_with_cases(ledger, 1_000_00, cases=1)
    paid = ledger.pay(
        ADMIN, fund, cases[0], AssistanceType.WARMTH_VISIT, 500_00, "P-1", date(2026, 1, 21)
    ).result.id

    ledger.reverse_payment(ADMIN, paid, "错付", date(2026, 1, 22))

    payment: Payment = ledger.repository.get(paid)
    assert isinstance(payment, Payment) and payment.amount_fen == 500_00
    names = [type(e).__name__ for e in ledger.events.get(paid)]
    assert names == ["Made", "Reversed"]
    assert any(
        type(e).__name__ == "Disbursed" and e.__dict__["payment_id"] == paid
        for _, e in LogReader(ledger).events()
    )


def test_every_event_records_an_actor_and_a_business_date_beside_its_recorded_time(
    ledger: Ledger,
) -> None:
    small_fund_with_cases(ledger, 1_000_00, cases=2)

    events = [e for _, e in LogReader(ledger).events()]

    assert events
    assert all(e.__dict__["actor"] == "admin" for e in events)
    assert all(isinstance(e.__dict__["business_date"], date) for e in events)
    assert all(e.timestamp.tzinfo is not None for e in events)
