"""A subsidy payment is never edited: it is reversed once, with a reason, by a new event."""

from __future__ import annotations

from datetime import date
from uuid import uuid4

import pytest

from domain.errors import AlreadyReversedError, InvalidInputError
from domain.payments import Payment

PAID_ON = date(2026, 1, 20)
LATER = date(2026, 2, 3)


def payment(amount_fen: int = 800_00) -> Payment:
    centre = uuid4()
    return Payment(
        id=uuid4(),
        fund_id=uuid4(),
        case_id=uuid4(),
        centre_id=centre,
        centre_path=[uuid4(), centre],
        assistance_type="living_relief",
        amount_fen=amount_fen,
        reference="凭证-2026-001",
        actor="finance",
        business_date=PAID_ON,
    )


def test_a_new_payment_records_what_was_paid_and_when() -> None:
    paid = payment(800_00)

    assert (paid.amount_fen, paid.assistance_type, paid.paid_on) == (
        800_00,
        "living_relief",
        PAID_ON,
    )
    assert not paid.is_reversed
    assert [type(e).__name__ for e in paid.collect_events()] == ["Made"]


def test_a_reversal_with_a_reason_marks_the_payment_reversed() -> None:
    paid = payment()
    reversal_id = uuid4()

    paid.reverse(reversal_id, "  错付，收款人非本人  ", "finance", LATER)

    assert paid.is_reversed
    assert (paid.reversal_id, paid.reversal_reason) == (reversal_id, "错付，收款人非本人")
    assert paid.amount_fen == 800_00


def test_a_payment_cannot_be_reversed_twice() -> None:
    paid = payment()
    first = uuid4()
    paid.reverse(first, "错付", "finance", LATER)
    paid.collect_events()

    with pytest.raises(AlreadyReversedError, match=str(first)):
        paid.reverse(uuid4(), "又错付", "finance", LATER)

    assert (paid.reversal_id, paid.reversal_reason) == (first, "错付")
    assert paid.collect_events() == []


@pytest.mark.parametrize("reason", ["", "   ", "\t\n"])
def test_a_reversal_without_a_reason_is_refused(reason: str) -> None:
    paid = payment()
    paid.collect_events()

    with pytest.raises(InvalidInputError, match="reason"):
        paid.reverse(uuid4(), reason, "finance", LATER)

    assert not paid.is_reversed
    assert paid.collect_events() == []


def test_a_reversal_is_a_new_event_that_leaves_the_original_payment_on_record() -> None:
    paid = payment()

    paid.reverse(uuid4(), "错付", "finance", LATER)

    made, reversed_ = paid.collect_events()
    assert (type(made).__name__, type(reversed_).__name__) == ("Made", "Reversed")
    assert made.amount_fen == 800_00  # type: ignore[attr-defined]


def test_replaying_a_payments_events_shows_it_reversed() -> None:
    paid = payment()
    paid.reverse(uuid4(), "错付", "finance", LATER)

    rebuilt = None
    for stored in paid.collect_events():
        rebuilt = stored.mutate(rebuilt)

    assert isinstance(rebuilt, Payment)
    assert rebuilt.is_reversed and rebuilt.reversal_reason == "错付"
